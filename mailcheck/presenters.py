"""Turn a core Report into plain values for the page and the command line."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

from mailcheck import messages
from mailcheck.check import Finding, Fix, Outcome, Rejected, Report
from mailcheck.identity import Normalisation, Problem, ProblemCode
from mailcheck.spf import AddressVerdict, SpfResult


@dataclass(frozen=True)
class Message:
    field: str
    code: str
    text: str


def problem_messages(rejected: Rejected, service_domains: tuple[str, ...]) -> list[Message]:
    out = []
    for problem in rejected.problems:
        out.append(
            Message(problem.field.value, problem.code.value, problem_text(problem, service_domains))
        )
    return out


def problem_text(problem: Problem, service_domains: tuple[str, ...]) -> str:
    text = str(
        messages.FIELD_PROBLEMS.get((problem.code, problem.field))
        or messages.PROBLEMS[problem.code]
    )
    if problem.code is ProblemCode.ACCOUNT_OUTSIDE_SERVICE:
        text = text % {"domains": ", ".join(service_domains)}
    if problem.suggestion:
        text = f"{text} {messages.SUGGESTION % {'suggestion': problem.suggestion}}"
    return text


def normalisation_text(n: Normalisation) -> str:
    return f"{messages.FIELD_NAMES[n.field]}: {messages.CHANGES[n.change]} ({n.before} → {n.after})"


def verdict_details(v: AddressVerdict) -> dict[str, Any]:
    """What the page and the JSON output both say of one address's verdict."""
    return {
        "ip": v.ip,
        "mechanism": v.mechanism,
        "explanation": v.explanation,
        "lookups": v.lookups,
        "void_lookups": v.void_lookups,
        "received_spf": v.received_spf,
        "authentication_results": v.authentication_results,
    }


def outcome_context(outcome: Outcome) -> dict[str, Any]:
    label, meaning = messages.RESULTS[outcome.result]
    return {
        "day": outcome.day,
        "route_kind": outcome.route.kind.value,
        "route_label": messages.ROUTES[outcome.route.kind.value],
        "helo": outcome.route.helo,
        "result": outcome.result.value,
        "result_label": label,
        "result_meaning": meaning,
        "consistent": outcome.spf.consistent,
        "addresses": [
            {
                **verdict_details(v),
                "family": f"IPv{ipaddress.ip_address(v.ip).version}",
                "result": v.result.value,
                "result_label": messages.RESULTS[v.result][0],
                "records": v.records,
            }
            for v in outcome.spf.verdicts
        ],
    }


def finding_text(finding: Finding, report: Report) -> str:
    reasons = {
        v.explanation or v.result.value
        for o in (report.before, report.after)
        for v in o.spf.verdicts
        if v.result in (SpfResult.PERMERROR, SpfResult.TEMPERROR)
    }
    if finding is Finding.DMARC_ENFORCED and report.dmarc is not None:
        template = messages.DMARC_POLICIES[report.dmarc.policy.value]
    else:
        template = messages.FINDINGS[finding]
    return str(template) % {
        "account": report.account.name,
        "mail_from": report.mail_from.text,
        "domain": report.mail_from.domain,
        "reason": "; ".join(sorted(reasons)),
        "dmarc_domain": report.dmarc.domain if report.dmarc else "",
    }


def fix_text(fix: Fix) -> str:
    return str(messages.FIXES[fix.kind]) % {"mail_from": fix.mail_from, "domain": fix.domain}


def report_context(report: Report) -> dict[str, Any]:
    return {
        "account": report.account.name,
        "mail_from": report.mail_from.text,
        "mail_from_unicode": f"{report.mail_from.mailbox}@{report.mail_from.domain_unicode}",
        "matches": report.matches,
        "change": report.change,
        "before": outcome_context(report.before),
        "after": outcome_context(report.after),
        "findings": [{"code": f.value, "text": finding_text(f, report)} for f in report.findings],
        "fixes": [
            {
                "kind": f.kind.value,
                "text": fix_text(f),
                "account": f.account,
                "mail_from": f.mail_from,
                "domain": f.domain,
            }
            for f in report.fixes
        ],
        "normalisations": [normalisation_text(n) for n in report.normalisations],
        "demo_dns": report.dns_source == "zone",
        "dmarc": report.dmarc,
    }


def report_json(report: Report) -> dict[str, Any]:
    """The command line's --json document (the contract: account, mail_from, matches,
    before/after with route, spf and ips)."""

    def outcome(o: Outcome) -> dict[str, Any]:
        return {
            "date": o.day.isoformat(),
            "route": o.route.kind.value,
            "helo": o.route.helo,
            "spf": o.result.value,
            "consistent": o.spf.consistent,
            "ips": {v.ip: v.result.value for v in o.spf.verdicts},
            "details": [{**verdict_details(v), "spf": v.result.value} for v in o.spf.verdicts],
        }

    return {
        "account": report.account.name,
        "mail_from": report.mail_from.text,
        "matches": report.matches,
        "match": report.match.value,
        "change_date": report.change.effective.isoformat() if report.change else None,
        "before": outcome(report.before),
        "after": outcome(report.after),
        "findings": [f.value for f in report.findings],
        "fixes": [
            {
                "kind": f.kind.value,
                "account": f.account,
                "mail_from": f.mail_from,
                "domain": f.domain,
            }
            for f in report.fixes
        ],
        "normalisations": [
            {"field": n.field.value, "change": n.change.value, "before": n.before, "after": n.after}
            for n in report.normalisations
        ],
        "dns_source": report.dns_source,
        "dmarc": (
            {
                "domain": report.dmarc.domain,
                "policy": report.dmarc.policy.value,
                "record": report.dmarc.text,
            }
            if report.dmarc
            else None
        ),
    }
