"""The self-check: identity + policy + SPF → one report.

``run_check`` takes what the customer typed, the service's configuration and a DNS resolver,
and says for the day before and the day of the service's policy change which route the mail
takes, what the recipient's SPF check says for each of that route's addresses, what is wrong
and what to change. The change compared against is the latest one in force, else the first one
still to come; a service without any dated change has one period, today's.

Each period also gets the customer's outcome (:class:`Delivery`): the SPF verdict together with
the DMARC policy of the visible From's domain and whether the envelope From aligns with it. The
portal checks SPF only; a DKIM signature aligned with the From domain could still pass DMARC,
so the outcome is what happens to mail that carries none.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from enum import StrEnum

from mailcheck.dmarc import DmarcPolicy, DmarcRecord, aligned, find_policy
from mailcheck.dns import Resolver
from mailcheck.identity import (
    Account,
    Address,
    Field,
    Match,
    Normalisation,
    Problem,
    account_for,
    compare,
    parse_account,
    parse_address,
)
from mailcheck.policy import PolicyChange, Route, Service, Timeline
from mailcheck.spf import RouteVerdict, SpfResult, evaluate_route


class Finding(StrEnum):
    MAILBOX_DIFFERS = "mailbox_differs"  # same domain, another mailbox (DOMAIN.md example 1)
    DOMAIN_DIFFERS = "domain_differs"  # same mailbox, another service domain (example 2)
    OUTSIDE_SERVICE = "outside_service"  # envelope From outside the service (example 3)
    NO_SPF = "no_spf"  # the envelope-From domain publishes no SPF record
    SPF_ERROR = "spf_error"  # the record is broken or DNS failed: the verdict is an error
    ADDRESSES_DISAGREE = "addresses_disagree"  # a route's addresses got different verdicts
    NEWLY_FAILING = "newly_failing"  # passes before the change, does not from it
    ALWAYS_FAILING = "always_failing"  # does not pass from the change, nor before it
    DMARC_ENFORCED = "dmarc_enforced"  # not passing, and the domain asks to quarantine or reject
    NOT_ALIGNED = "not_aligned"  # the visible From's domain does not align with the envelope From


class FixKind(StrEnum):
    USE_ADDRESS_ACCOUNT = "use_address_account"  # log in with the account of the address
    USE_ACCOUNT_ADDRESS = "use_account_address"  # send from the address of the account
    USE_OWN_PROVIDER = "use_own_provider"  # send the domain's mail through its own provider
    # The visible From is at a domain the envelope From does not align with, and its DMARC
    # policy keeps the mail from being delivered: make the two agree.
    ALIGN_HEADER_FROM = "align_header_from"


@dataclass(frozen=True)
class Fix:
    kind: FixKind
    account: str = ""  # the account to log in with
    mail_from: str = ""  # the address to send from
    # For USE_OWN_PROVIDER: the domain whose provider to use; for ALIGN_HEADER_FROM: the
    # visible From's domain.
    domain: str = ""


class Delivery(StrEnum):
    """What happens to the mail, as the customer would put it."""

    DELIVERED = "delivered"  # an aligned SPF pass (or a pass and no DMARC policy at all)
    AT_RISK = "at_risk"  # not authenticated, no DMARC policy enforced: the recipient's filters
    QUARANTINE = "quarantine"  # the From domain's DMARC policy p=quarantine applies
    REJECT = "reject"  # its DMARC policy p=reject applies, or SPF fail
    UNKNOWN = "unknown"  # a temporary DNS error: no verdict yet


# RFC 7489 §6.6.4: mail that a pct= sample leaves out gets the next less strict policy.
_LESS_STRICT = {Delivery.REJECT: Delivery.QUARANTINE, Delivery.QUARANTINE: Delivery.AT_RISK}


def delivery_for(
    result: SpfResult, dmarc: DmarcRecord | None, spf_aligned: bool
) -> tuple[Delivery, bool]:
    """The outcome of one SPF verdict under the From domain's DMARC policy, and whether that
    policy decided it. Assumes no DKIM signature aligned with the From domain (the portal
    cannot see one): such a signature would make DMARC pass whatever SPF says."""
    if result is SpfResult.TEMPERROR:
        return Delivery.UNKNOWN, False
    if result is SpfResult.PASS and (spf_aligned or dmarc is None):
        return Delivery.DELIVERED, False
    if dmarc is not None and dmarc.policy is not DmarcPolicy.NONE:
        applied = Delivery.REJECT if dmarc.policy is DmarcPolicy.REJECT else Delivery.QUARANTINE
        if dmarc.percent == 0:
            applied = _LESS_STRICT[applied]
        return applied, True
    # RFC 7208 §8.4: "fail" is an explicit statement that the server may not send; receivers
    # commonly refuse such mail whatever DMARC says.
    if result is SpfResult.FAIL:
        return Delivery.REJECT, False
    return Delivery.AT_RISK, False


@dataclass(frozen=True)
class Outcome:
    day: datetime.date
    route: Route
    spf: RouteVerdict
    delivery: Delivery
    # The From domain's DMARC policy decided ``delivery`` (so its pct= applies to it).
    by_dmarc: bool = False

    @property
    def result(self) -> SpfResult:
        return self.spf.result


@dataclass(frozen=True)
class Report:
    account: Account
    mail_from: Address
    # The From recipients see: its domain's DMARC policy and alignment decide the outcome. The
    # envelope From when the customer gave none, as mail clients normally send.
    header_from: Address
    match: Match
    normalisations: tuple[Normalisation, ...]
    # The change that separates ``before`` from ``after`` (None: the rules never changed, and
    # both outcomes follow today's rules), where it stands against today, and a later change
    # still ahead of an in-force one.
    change: PolicyChange | None
    timeline: Timeline
    next_change: PolicyChange | None
    before: Outcome
    after: Outcome
    findings: tuple[Finding, ...]
    fixes: tuple[Fix, ...]
    dns_source: str
    dmarc: DmarcRecord | None = None  # the policy of the header From's domain
    # Whether an SPF pass of the envelope From counts for DMARC at the header From's domain.
    spf_aligned: bool = True

    @property
    def matches(self) -> bool:
        return self.match is Match.SAME


@dataclass(frozen=True)
class Rejected:
    """The input could not be checked: every problem, with the field it concerns."""

    problems: tuple[Problem, ...]
    normalisations: tuple[Normalisation, ...]


def run_check(
    account_text: str,
    mail_from_text: str,
    service: Service,
    resolver: Resolver,
    *,
    today: datetime.date | None = None,
    budget: float = 3.0,
    receiver: str = "mx.recipient.example",
    header_from_text: str = "",
) -> Report | Rejected:
    parsed_account = parse_account(account_text, service.domains)
    parsed_address = parse_address(mail_from_text, service.domains)
    normalisations = parsed_account.normalisations + parsed_address.normalisations
    problems = parsed_account.problems + parsed_address.problems
    header_from: Address | None = None
    if header_from_text.strip():
        # Read like the envelope From, and reported under its own field.
        parsed_header = parse_address(header_from_text, service.domains)
        header_from = parsed_header.value
        normalisations += tuple(
            dataclasses.replace(n, field=Field.HEADER_FROM) for n in parsed_header.normalisations
        )
        problems += tuple(
            dataclasses.replace(p, field=Field.HEADER_FROM) for p in parsed_header.problems
        )
    if parsed_account.value is None or parsed_address.value is None or problems:
        return Rejected(problems, normalisations)
    account, address = parsed_account.value, parsed_address.value
    header_from = header_from or address
    match = compare(account, address)

    periods = service.periods(today or datetime.date.today())
    # One DNS session for the whole check, so the time budget covers every address of both routes.
    lookup = resolver.session(budget)
    # DMARC (RFC 7489 §3.1.2): the policy is the visible From's, and the envelope From's SPF
    # pass counts only when its domain aligns with that one.
    dmarc = find_policy(header_from.domain, lookup)
    spf_aligned = dmarc is None or aligned(
        address.domain, header_from.domain, dmarc.spf_alignment, lookup
    )
    outcomes = []
    verdicts: dict[Route, RouteVerdict] = {}
    for day in (periods.before_day, periods.after_day):
        route = service.route_for(matches=match is Match.SAME, day=day)
        # The same route on both days (no change, or one that left this sender's route as it
        # was) gets the same verdict: evaluated once.
        verdict = verdicts.get(route)
        if verdict is None:
            verdict = evaluate_route(
                address.text, route.addresses, route.helo, lookup, receiver=receiver
            )
            verdicts[route] = verdict
        delivery, by_dmarc = delivery_for(verdict.result, dmarc, spf_aligned)
        outcomes.append(Outcome(day, route, verdict, delivery, by_dmarc))
    before, after = outcomes

    return Report(
        account=account,
        mail_from=address,
        header_from=header_from,
        match=match,
        normalisations=normalisations,
        change=periods.change,
        timeline=periods.timeline,
        next_change=periods.next_change,
        before=before,
        after=after,
        findings=_findings(
            service, match, address, periods.timeline, before, after, dmarc, spf_aligned
        ),
        fixes=_fixes(service, match, account, address, periods.timeline, before, after)
        + _alignment_fixes(address, header_from, spf_aligned, periods.timeline, before, after),
        dns_source=resolver.source,
        dmarc=dmarc,
        spf_aligned=spf_aligned,
    )


def _findings(
    service: Service,
    match: Match,
    address: Address,
    timeline: Timeline,
    before: Outcome,
    after: Outcome,
    dmarc: DmarcRecord | None,
    spf_aligned: bool,
) -> tuple[Finding, ...]:
    found: list[Finding] = []
    if not service.is_service_domain(address.domain):
        found.append(Finding.OUTSIDE_SERVICE)
    elif match in (Match.MAILBOX_DIFFERS, Match.BOTH_DIFFER):
        found.append(Finding.MAILBOX_DIFFERS)
    elif match is Match.DOMAIN_DIFFERS:
        found.append(Finding.DOMAIN_DIFFERS)
    results = {before.result, after.result}
    if SpfResult.NONE in results:
        found.append(Finding.NO_SPF)
    if results & {SpfResult.PERMERROR, SpfResult.TEMPERROR}:
        found.append(Finding.SPF_ERROR)
    if not (before.spf.consistent and after.spf.consistent):
        found.append(Finding.ADDRESSES_DISAGREE)
    # Without a dated change there is no "before" to compare with: the two outcomes are the
    # same rules, and a finding about the change would be about a change that never was.
    failing_after = after.result not in (SpfResult.PASS, SpfResult.NONE)
    if timeline is not Timeline.NO_CHANGE and failing_after:
        if before.result is SpfResult.PASS:
            found.append(Finding.NEWLY_FAILING)
        else:
            found.append(Finding.ALWAYS_FAILING)
    if not spf_aligned:
        found.append(Finding.NOT_ALIGNED)
    aligned_pass = after.result is SpfResult.PASS and spf_aligned
    if not aligned_pass and dmarc is not None and dmarc.enforced:
        # The domain's DMARC policy decides what happens to the mail (quarantine or refusal):
        # that reason comes first, before how the SPF result came about.
        found.insert(0, Finding.DMARC_ENFORCED)
    return tuple(found)


def _fixes(
    service: Service,
    match: Match,
    account: Account,
    address: Address,
    timeline: Timeline,
    before: Outcome,
    after: Outcome,
) -> tuple[Fix, ...]:
    if match is Match.SAME:
        return ()
    # What the customer's mail meets from now on: today's rules (``after`` once the change is in
    # force) and, while a change is still ahead, the rules from it too. Where every one of those
    # passes, the configuration routes this mismatch through a listed server and there is
    # nothing to change.
    relevant = (before, after) if timeline is Timeline.AHEAD else (after,)
    if all(o.result is SpfResult.PASS for o in relevant):
        return ()
    fixes: list[Fix] = []
    if service.is_service_domain(address.domain):
        fixes.append(
            Fix(
                FixKind.USE_ADDRESS_ACCOUNT,
                account=account_for(address).name,
                mail_from=address.text,
            )
        )
    else:
        fixes.append(Fix(FixKind.USE_OWN_PROVIDER, mail_from=address.text, domain=address.domain))
    fixes.append(
        Fix(FixKind.USE_ACCOUNT_ADDRESS, account=account.name, mail_from=account.address.text)
    )
    return tuple(fixes)


def _alignment_fixes(
    address: Address,
    header_from: Address,
    spf_aligned: bool,
    timeline: Timeline,
    before: Outcome,
    after: Outcome,
) -> tuple[Fix, ...]:
    """A visible From that the envelope From does not align with, where its domain's DMARC
    policy keeps the mail from being delivered (today, or from a change still ahead)."""
    if spf_aligned:
        return ()
    relevant = (before, after) if timeline is Timeline.AHEAD else (after,)
    if all(o.delivery in (Delivery.DELIVERED, Delivery.UNKNOWN) for o in relevant):
        return ()
    return (Fix(FixKind.ALIGN_HEADER_FROM, mail_from=address.text, domain=header_from.domain),)
