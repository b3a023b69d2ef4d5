"""Turn a core Report into plain values for the page and the command line."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format

from mailcheck import messages
from mailcheck.check import Finding, Fix, Outcome, Rejected, Report
from mailcheck.identity import Normalisation, Problem, ProblemCode
from mailcheck.policy import RouteKind, Service, Timeline
from mailcheck.spf import MAX_LOOKUPS, MAX_VOID_LOOKUPS, AddressVerdict, SpfResult

# Verdicts that say the sending server is not authorised by the domain's SPF record.
NOT_AUTHORISED = frozenset({SpfResult.SOFTFAIL, SpfResult.FAIL, SpfResult.NEUTRAL})


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
    """What the page and the JSON output both say of one address's verdict, with its trace:
    the records fetched (depth first; ``parent`` is the index of the record that included or
    redirected to it) and every DNS query, up to where the evaluation stopped."""
    return {
        "ip": v.ip,
        "mechanism": v.mechanism,
        "explanation": v.explanation,
        "lookups": v.lookups,
        "lookups_limit": MAX_LOOKUPS,
        "void_lookups": v.void_lookups,
        "void_lookups_limit": MAX_VOID_LOOKUPS,
        "received_spf": v.received_spf,
        "authentication_results": v.authentication_results,
        "records": [
            {"domain": r.domain, "text": r.text, "via": r.via, "depth": r.depth, "parent": r.parent}
            for r in v.records
        ],
        "queries": [
            {
                "name": q.name,
                "type": q.qtype,
                "answer": list(q.answer),
                "outcome": q.outcome,
                "ms": round(q.ms, 3),
                "cached": q.cached,
            }
            for q in v.queries
        ],
    }


def day_text(day: datetime.date) -> str:
    """A date as the active language writes it in prose (portal/formats/)."""
    return date_format(day, "DATE_FORMAT")


def route_taken(outcome: Outcome, service_domain: bool) -> RouteKind:
    """Whether the mail left through a server in our SPF record, as far as the verdict shows.

    For an address at one of our domains our SPF record decides, so a clear verdict says it:
    a server on the route configured as listed that does not get a pass is not in the record,
    whatever the configuration calls it. Otherwise (another domain's record, no record, an
    error) the configured kind of the route is all there is to go by.
    """
    if service_domain and outcome.result is SpfResult.PASS:
        return RouteKind.LISTED
    if service_domain and outcome.result in NOT_AUTHORISED:
        return RouteKind.UNLISTED
    return outcome.route.kind


def outcome_context(outcome: Outcome, service_domain: bool = True) -> dict[str, Any]:
    label, meaning = messages.RESULTS[outcome.result]
    kind = route_taken(outcome, service_domain)
    return {
        "day": outcome.day,
        "route_kind": kind.value,
        "route_label": messages.ROUTES[kind.value],
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
    values = {
        "account": report.account.name,
        "mail_from": report.mail_from.text,
        "domain": report.mail_from.domain,
        "header_from": report.header_from.text,
        "header_domain": report.header_from.domain,
        "reason": "; ".join(sorted(reasons)),
        "dmarc_domain": report.dmarc.domain if report.dmarc else "",
        "day": day_text(report.after.day),
    }
    if finding is Finding.DMARC_ENFORCED and report.dmarc is not None:
        return str(messages.DMARC_POLICIES[report.dmarc.policy.value]) % values
    if finding in (Finding.NEWLY_FAILING, Finding.ALWAYS_FAILING):
        return str(messages.CHANGE_FINDINGS[(finding, report.timeline)]) % values
    text = str(messages.FINDINGS[finding]) % values
    if finding in (Finding.MAILBOX_DIFFERS, Finding.DOMAIN_DIFFERS):
        text = f"{text} {mismatch_route_text(report)}"
    return text


def mismatch_route_text(report: Report) -> str:
    """Where a mismatched sender's mail goes, from the route it took and its verdicts: never
    "a server not in our SPF record" when it passed through a listed one."""
    after = route_taken(report.after, service_domain=True)
    moved = (
        report.timeline is not Timeline.NO_CHANGE
        and route_taken(report.before, service_domain=True) is not after
    )
    when = "" if not moved else ("from" if report.timeline is Timeline.AHEAD else "since")
    return str(messages.MISMATCH_ROUTES[(after, when)]) % {"day": day_text(report.after.day)}


def fix_text(fix: Fix) -> str:
    return str(messages.FIXES[fix.kind]) % {"mail_from": fix.mail_from, "domain": fix.domain}


def headline_context(report: Report) -> dict[str, Any]:
    """The result's first words: what happens to the mail under today's rules and, while a
    change is still ahead, from its date; with the DMARC sample and the SPF-only caveat where
    the From domain's policy decided."""
    ahead = report.timeline is Timeline.AHEAD
    today = report.before if ahead else report.after
    dmarc_values = {
        "dmarc_domain": report.dmarc.domain if report.dmarc else "",
        "percent": report.dmarc.percent if report.dmarc else 100,
    }
    notes = []
    decided_by_dmarc = [o for o in ((today, report.after) if ahead else (today,)) if o.by_dmarc]
    if report.dmarc is not None and 0 < report.dmarc.percent < 100:
        sampled = {o.delivery for o in decided_by_dmarc} & set(messages.DMARC_SAMPLE)
        notes += [str(messages.DMARC_SAMPLE[d]) % dmarc_values for d in sorted(sampled)]
    if decided_by_dmarc or (report.dmarc is not None and not report.spf_aligned):
        notes.append(str(messages.DKIM_NOT_CHECKED) % dmarc_values)
    return {
        "delivery": today.delivery.value,
        "text": messages.DELIVERY_TODAY[today.delivery],
        "later_delivery": report.after.delivery.value if ahead else "",
        "later": (
            str(messages.DELIVERY_FROM_DAY[report.after.delivery])
            % {"day": day_text(report.after.day)}
            if ahead
            else ""
        ),
        "notes": notes,
    }


def report_context(report: Report) -> dict[str, Any]:
    service_domain = Finding.OUTSIDE_SERVICE not in report.findings
    return {
        "account": report.account.name,
        "mail_from": report.mail_from.text,
        "mail_from_unicode": f"{report.mail_from.mailbox}@{report.mail_from.domain_unicode}",
        # Shown only when it differs: the envelope From stands for it otherwise.
        "header_from": (report.header_from.text if report.header_from != report.mail_from else ""),
        "headline": headline_context(report),
        "matches": report.matches,
        "change": report.change,
        # No dated change: one period, shown once and without a word about a change.
        "has_change": report.timeline is not Timeline.NO_CHANGE,
        # While the change is still ahead the before/after comparison is open on the page.
        "change_ahead": report.timeline is Timeline.AHEAD,
        "next_change": (
            str(messages.NEXT_CHANGE) % {"day": day_text(report.next_change.effective)}
            if report.next_change
            else ""
        ),
        "before": outcome_context(report.before, service_domain),
        "after": outcome_context(report.after, service_domain),
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


def home_context(service: Service, today: datetime.date) -> dict[str, Any]:
    """The home page's statement of the rule, from the configuration: the date (or none), the
    route each kind of sender takes from it, a later change still ahead."""
    periods = service.periods(today)
    day = periods.after_day if periods.change else today
    matched = service.route_for(matches=True, day=day).kind
    mismatched = service.route_for(matches=False, day=day).kind
    values = {"day": day_text(periods.after_day)}
    return {
        "rule": str(messages.HOME_RULES[(periods.timeline, mismatched)]) % values,
        "caption": str(messages.HOME_CAPTIONS[periods.timeline]) % values,
        "next_change": (
            str(messages.NEXT_CHANGE) % {"day": day_text(periods.next_change.effective)}
            if periods.next_change
            else ""
        ),
        "matched_route": {"kind": matched.value, "label": messages.ROUTES[matched.value]},
        "mismatched_route": {"kind": mismatched.value, "label": messages.ROUTES[mismatched.value]},
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
            "outcome": o.delivery.value,
            "by_dmarc": o.by_dmarc,
            "consistent": o.spf.consistent,
            "ips": {v.ip: v.result.value for v in o.spf.verdicts},
            "details": [{**verdict_details(v), "spf": v.result.value} for v in o.spf.verdicts],
        }

    return {
        "account": report.account.name,
        "mail_from": report.mail_from.text,
        "header_from": report.header_from.text,
        "spf_aligned": report.spf_aligned,
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
                "percent": report.dmarc.percent,
                "spf_alignment": report.dmarc.spf_alignment.value,
                "record": report.dmarc.text,
            }
            if report.dmarc
            else None
        ),
    }
