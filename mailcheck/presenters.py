"""Turn a core Report into what the page, the command line and the API show."""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.utils.formats import date_format

from mailcheck import messages
from mailcheck.check import Finding, Fix, FixKind, Outcome, Rejected, Report
from mailcheck.dns import DnsQuery
from mailcheck.identity import Normalisation, Problem, ProblemCode
from mailcheck.policy import RouteKind, Service, Timeline
from mailcheck.spf import MAX_LOOKUPS, MAX_VOID_LOOKUPS, AddressVerdict, SpfRecord, SpfResult

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


def finding_values(report: Report) -> dict[str, str]:
    """What the findings' sentences quote of a report, the same for all of them."""
    reasons = {
        v.explanation or v.result.value
        for o in (report.before, report.after)
        for v in o.spf.verdicts
        if v.result in (SpfResult.PERMERROR, SpfResult.TEMPERROR)
    }
    return {
        "account": report.account.name,
        "mail_from": report.mail_from.text,
        "domain": report.mail_from.domain,
        "header_from": report.header_from.text,
        "header_domain": report.header_from.domain,
        "reason": "; ".join(sorted(reasons)),
        "dmarc_domain": report.dmarc.domain if report.dmarc else "",
        "day": day_text(report.after.day),
    }


def finding_text(
    finding: Finding, report: Report, plain: bool = False, values: dict[str, str] | None = None
) -> str:
    """A finding in words: technical (the result's details) or, with ``plain``, in words
    without SPF, DMARC or DKIM (under "Why"). ``values``: finding_values(report), when the
    caller words several findings."""
    values = values or finding_values(report)
    if finding is Finding.DMARC_ENFORCED and report.dmarc is not None:
        policies = messages.PLAIN_POLICIES if plain else messages.DMARC_POLICIES
        return str(policies[report.dmarc.policy.value]) % values
    if finding in (Finding.NEWLY_FAILING, Finding.ALWAYS_FAILING):
        return str(messages.CHANGE_FINDINGS[(finding, report.timeline)]) % values
    text = str((messages.REASONS if plain else messages.FINDINGS)[finding]) % values
    if finding in (Finding.MAILBOX_DIFFERS, Finding.DOMAIN_DIFFERS):
        text = f"{text} {mismatch_route_text(report, plain)}"
    return text


def mismatch_route_text(report: Report, plain: bool = False) -> str:
    """Where a mismatched sender's mail goes, from the route it took and its verdicts: never
    "a server not in our SPF record" when it passed through a listed one."""
    after = route_taken(report.after, service_domain=True)
    moved = (
        report.timeline is not Timeline.NO_CHANGE
        and route_taken(report.before, service_domain=True) is not after
    )
    when = "" if not moved else ("from" if report.timeline is Timeline.AHEAD else "since")
    routes = messages.PLAIN_ROUTES if plain else messages.MISMATCH_ROUTES
    return str(routes[(after, when)]) % {"day": day_text(report.after.day)}


def fix_text(fix: Fix) -> str:
    return str(messages.FIXES[fix.kind]) % {"mail_from": fix.mail_from, "domain": fix.domain}


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


# The result as the page and the JSON document read it: one typed object, built once per
# check. Each part is worked out when first read, so the page builds no JSON and the JSON no
# sentences, and the trace (shown on request) costs nothing until it is shown. Templates read
# sentences, booleans and codes (for CSS classes) from it and decide nothing on raw strings.


@dataclass(frozen=True)
class RecordNode:
    """One SPF record fetched, with the records it included or redirected to."""

    domain: str
    text: str
    via: str  # "top", "include" or "redirect"
    children: tuple[RecordNode, ...]


@dataclass(frozen=True)
class QueryView:
    name: str
    type: str
    answers: tuple[str, ...]  # empty when nothing came back
    status: str  # what came back instead of answers, in words; empty with answers
    ms: float
    cached: bool | None


def record_tree(records: tuple[SpfRecord, ...]) -> RecordNode | None:
    """The records fetched (depth first, each naming its parent's index) as a tree."""
    if not records:
        return None

    def node(index: int) -> RecordNode:
        r = records[index]
        kids = tuple(node(i) for i, c in enumerate(records) if c.parent == index)
        return RecordNode(r.domain, r.text, r.via, kids)

    return node(0)


def query_view(q: DnsQuery) -> QueryView:
    answers = q.answer if q.outcome == "answer" else ()
    status = "" if answers else str(messages.QUERY_OUTCOMES.get(q.outcome, messages.QUERY_ERROR))
    return QueryView(q.name, q.qtype, answers, status, q.ms, q.cached)


class AddressView:
    """One sending address of a route and the recipient's SPF verdict for it."""

    lookups_limit = MAX_LOOKUPS
    void_lookups_limit = MAX_VOID_LOOKUPS

    def __init__(self, verdict: AddressVerdict) -> None:
        self.verdict = verdict
        self.ip = verdict.ip
        self.result = verdict.result.value
        self.mechanism = verdict.mechanism
        self.explanation = verdict.explanation
        self.lookups = verdict.lookups
        self.void_lookups = verdict.void_lookups
        self.received_spf = verdict.received_spf
        self.authentication_results = verdict.authentication_results

    @cached_property
    def family(self) -> str:
        return f"IPv{ipaddress.ip_address(self.ip).version}"

    @cached_property
    def records(self) -> RecordNode | None:
        return record_tree(self.verdict.records)

    @cached_property
    def queries(self) -> tuple[QueryView, ...]:
        return tuple(query_view(q) for q in self.verdict.queries)

    def as_json(self) -> dict[str, Any]:
        """An entry of a period's ``details``: the verdict with its trace, the records in the
        order fetched (``parent`` is the index of the record that included or redirected to
        it) and every DNS query."""
        v = self.verdict
        return {
            "ip": v.ip,
            "spf": v.result.value,
            "mechanism": v.mechanism,
            "explanation": v.explanation,
            "lookups": v.lookups,
            "lookups_limit": MAX_LOOKUPS,
            "void_lookups": v.void_lookups,
            "void_lookups_limit": MAX_VOID_LOOKUPS,
            "received_spf": v.received_spf,
            "authentication_results": v.authentication_results,
            "records": [
                {
                    "domain": r.domain,
                    "text": r.text,
                    "via": r.via,
                    "depth": r.depth,
                    "parent": r.parent,
                }
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


class PeriodView:
    """What one period's rules do with the mail: the route, its verdict, its addresses.

    ``key`` is "before" or "after" for the two sides of a dated change, "now" when the rules
    never changed (one period, shown once)."""

    def __init__(self, outcome: Outcome, key: str, service_domain: bool) -> None:
        self.outcome = outcome
        self.key = key
        self.day = outcome.day
        self.result = outcome.result.value
        self.helo = outcome.route.helo
        self.route_kind = route_taken(outcome, service_domain).value
        self.addresses = tuple(AddressView(v) for v in outcome.spf.verdicts)

    @cached_property
    def heading(self) -> str:
        if self.key == "now":
            return str(messages.PERIOD_NOW)
        return str(messages.PERIOD_HEADINGS[self.key]) % {"day": day_text(self.day)}

    @cached_property
    def route_label(self) -> str:
        return str(messages.ROUTES[self.route_kind])

    @cached_property
    def result_label(self) -> str:
        return str(messages.RESULTS[self.outcome.result][0])

    @cached_property
    def result_meaning(self) -> str:
        return str(messages.RESULTS[self.outcome.result][1])

    def as_json(self) -> dict[str, Any]:
        o = self.outcome
        return {
            "date": o.day.isoformat(),
            "route": o.route.kind.value,
            "helo": o.route.helo,
            "spf": o.result.value,
            "outcome": o.delivery.value,
            "by_dmarc": o.by_dmarc,
            "consistent": o.spf.consistent,
            "ips": {a.ip: a.result for a in self.addresses},
            "details": [a.as_json() for a in self.addresses],
        }


@dataclass(frozen=True)
class FixView:
    kind: str  # a FixKind value: the JSON's code and the CSS class
    text: str
    account: str
    mail_from: str
    domain: str
    # The account and address to copy into the mail program.
    copy_values: bool
    # The domain's own provider is the fix: a link to the review of its SPF record.
    domain_check: bool


def fix_view(fix: Fix) -> FixView:
    """A fix as a page shows it (the result's, and a received test mail's)."""
    return FixView(
        kind=fix.kind.value,
        text=fix_text(fix),
        account=fix.account,
        mail_from=fix.mail_from,
        domain=fix.domain,
        copy_values=fix.kind in (FixKind.USE_ADDRESS_ACCOUNT, FixKind.USE_ACCOUNT_ADDRESS),
        domain_check=fix.kind is FixKind.USE_OWN_PROVIDER,
    )


@dataclass(frozen=True)
class FindingView:
    code: str
    text: str  # plain words, under "Why"
    detail: str  # in technical terms, in the details


@dataclass(frozen=True)
class Headline:
    """The result's first words: what happens to the mail under today's rules and, while a
    change is still ahead, from its date; with the DMARC sample and the SPF-only caveat where
    the From domain's policy decided."""

    delivery: str  # a Delivery value, for the colour
    text: str
    later_delivery: str
    later: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class RelatedContent:
    """The site's notices and FAQ entries that staff linked to the result's findings, as the
    site renders them (portal.related): staff content, sanitised when it was saved."""

    html: str = ""

    def __bool__(self) -> bool:
        return bool(self.html)


# How many reasons the page gives under "Why"; any further ones wait in the details.
REASONS_SHOWN = 3


class ResultView:
    """A checked result for the page (attributes) and for the JSON document (``as_json``)."""

    def __init__(self, report: Report, related: RelatedContent | None = None) -> None:
        self.report = report
        self.related = related or RelatedContent()
        self.service_domain = Finding.OUTSIDE_SERVICE not in report.findings
        self.account = report.account.name
        self.mail_from = report.mail_from.text
        self.matches = report.matches
        self.has_change = report.timeline is not Timeline.NO_CHANGE
        # While the change is still ahead the before/after comparison is open on the page.
        self.change_ahead = report.timeline is Timeline.AHEAD

    @cached_property
    def mail_from_unicode(self) -> str:
        """The address with its domain in Unicode, when that reads differently."""
        text = f"{self.report.mail_from.mailbox}@{self.report.mail_from.domain_unicode}"
        return text if text != self.mail_from else ""

    @cached_property
    def header_from(self) -> str:
        """The visible From, when the customer gave one that differs from the envelope From
        (which stands for it otherwise)."""
        r = self.report
        return r.header_from.text if r.header_from != r.mail_from else ""

    @cached_property
    def before(self) -> PeriodView:
        return PeriodView(self.report.before, "before", self.service_domain)

    @cached_property
    def after(self) -> PeriodView:
        # With no dated change both outcomes follow today's rules: one period, "now".
        key = "after" if self.has_change else "now"
        return PeriodView(self.report.after, key, self.service_domain)

    @cached_property
    def periods(self) -> tuple[PeriodView, ...]:
        return (self.before, self.after) if self.has_change else (self.after,)

    @cached_property
    def headline(self) -> Headline:
        report = self.report
        ahead = self.change_ahead
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
        later = ""
        if ahead:
            later = str(messages.DELIVERY_FROM_DAY[report.after.delivery]) % {
                "day": day_text(report.after.day)
            }
        return Headline(
            delivery=today.delivery.value,
            text=str(messages.DELIVERY_TODAY[today.delivery]),
            later_delivery=report.after.delivery.value if ahead else "",
            later=later,
            notes=tuple(notes),
        )

    @cached_property
    def signature_note(self) -> str:
        """Where the From domain's policy decides (or would, if SPF were not aligned): the
        check cannot see a signature that would satisfy it instead. Said under "Why", after
        the reasons, so the headline and the first fix stay in the first screen."""
        report = self.report
        relevant = (report.before, report.after) if self.change_ahead else (report.after,)
        if report.dmarc is None:
            return ""
        if any(o.by_dmarc for o in relevant) or not report.spf_aligned:
            return str(messages.DKIM_NOT_CHECKED) % {"dmarc_domain": report.dmarc.domain}
        return ""

    @cached_property
    def next_change(self) -> str:
        change = self.report.next_change
        return str(messages.NEXT_CHANGE) % {"day": day_text(change.effective)} if change else ""

    @cached_property
    def normalisations(self) -> tuple[str, ...]:
        return tuple(normalisation_text(n) for n in self.report.normalisations)

    @cached_property
    def fixes(self) -> tuple[FixView, ...]:
        return tuple(fix_view(f) for f in self.report.fixes)

    @cached_property
    def setup_addresses(self) -> tuple[str, ...]:
        """The addresses the page offers to set a mail program up for (mailcheck/autoconfig/):
        each fix's address of ours, or the address checked when nothing is to change. None
        when the address checked is not ours: its provider's servers are not ours to give."""
        if not self.service_domain:
            return ()
        ours = (FixKind.USE_ADDRESS_ACCOUNT, FixKind.USE_ACCOUNT_ADDRESS, FixKind.ALIGN_HEADER_FROM)
        found = dict.fromkeys(f.mail_from for f in self.report.fixes if f.kind in ours)
        return tuple(found) or (self.mail_from,)

    @cached_property
    def no_fix(self) -> str:
        """Why there is nothing to change, when there is nothing."""
        if self.report.fixes:
            return ""
        return str(messages.NO_FIX_MATCHING if self.matches else messages.NO_FIX_PASSING)

    @cached_property
    def findings(self) -> tuple[FindingView, ...]:
        report = self.report
        values = finding_values(report)
        return tuple(
            FindingView(
                f.value,
                finding_text(f, report, plain=True, values=values),
                finding_text(f, report, values=values),
            )
            for f in report.findings
        )

    @property
    def reasons(self) -> tuple[FindingView, ...]:
        """The reasons in two or three sentences, in plain words, under "Why"; the details
        give every finding in technical terms."""
        return self.findings[:REASONS_SHOWN]

    @cached_property
    def summary(self) -> str:
        """The recipient's SPF verdict from today on, in one sentence (in the details)."""
        return str(
            messages.VERDICT_SUMMARIES.get(
                self.report.after.result, messages.VERDICT_NOT_AUTHORISED
            )
        )

    @cached_property
    def timeline_summary(self) -> str:
        if not self.has_change:
            return ""
        return str(messages.VERDICT_TIMELINE) % {
            "day": day_text(self.report.after.day),
            "before": self.report.before.result.value,
            "after": self.report.after.result.value,
        }

    def finding_codes(self) -> list[str]:
        return [f.value for f in self.report.findings]

    def as_json(self) -> dict[str, Any]:
        """The command line's --json document and the API's answer (the contract: account,
        mail_from, matches, before/after with route, spf, outcome and ips)."""
        report = self.report
        dmarc = report.dmarc
        return {
            "account": self.account,
            "mail_from": self.mail_from,
            "header_from": report.header_from.text,
            "spf_aligned": report.spf_aligned,
            "matches": self.matches,
            "match": report.match.value,
            "change_date": report.change.effective.isoformat() if report.change else None,
            "before": self.before.as_json(),
            "after": self.after.as_json(),
            "findings": self.finding_codes(),
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
                {
                    "field": n.field.value,
                    "change": n.change.value,
                    "before": n.before,
                    "after": n.after,
                }
                for n in report.normalisations
            ],
            "dns_source": report.dns_source,
            "dmarc": (
                {
                    "domain": dmarc.domain,
                    "policy": dmarc.policy.value,
                    "percent": dmarc.percent,
                    "spf_alignment": dmarc.spf_alignment.value,
                    "record": dmarc.text,
                }
                if dmarc
                else None
            ),
        }


def report_context(report: Report, related: RelatedContent | None = None) -> ResultView:
    """The result for the page's templates."""
    return ResultView(report, related)


def report_json(report: Report) -> dict[str, Any]:
    """The command line's --json document and the API's answer."""
    return ResultView(report).as_json()
