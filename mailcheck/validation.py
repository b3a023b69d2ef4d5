"""The rules a service configuration must meet before the check may use it, and what an edit
would change for customers.

One validator for the admin and ``importservice``: both describe the configuration they are
about to save as the document ``exportservice`` writes (a mapping with ``domains``, ``routes``
with their ``addresses``, ``changes``), so every problem names a place in that document
(``routes[0].addresses[2]``) which the import prints and the admin maps back to its form rows.

The rules that need no DNS: at least one domain, no domain twice, both routes (for the active
service), at least one address per route, no address twice or on both routes, one change per
day. The rules that know SPF, asked of the configured DNS source: every address of the listed
route must get ``pass`` for every service domain (the mail of matching senders would otherwise
fail while the page promises an SPF-listed server); an address of the unlisted route that gets
``pass`` is a warning (the change would have no effect); an address DNS cannot answer for is
*unverified*, which staff may accept explicitly.

Field syntax (a valid IP address, domain name or date) is the models' business; this module
skips values it cannot read, so that one mistake is reported once.

Pure apart from the translated messages: it takes plain values and a DNS lookup and returns
frozen dataclasses.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mailcheck.dns import DnsLookup
from mailcheck.identity import parse_domain
from mailcheck.policy import RouteKind, Service
from mailcheck.spf import SpfResult, check_address, evaluate_route

Path = tuple[str | int, ...]

# The mailbox whose SPF the validation evaluates at each service domain: every domain has one
# (RFC 5321 §4.5.1), and SPF looks only at the domain.
SAMPLE_MAILBOX = "postmaster"
# The other mailbox of the impact table's mismatched sender.
OTHER_MAILBOX = "info"


def path_text(path: Path) -> str:
    """``("routes", 0, "addresses", 2)`` → ``routes[0].addresses[2]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


class Level(StrEnum):
    ERROR = "error"  # refused
    WARNING = "warning"  # saved; shown so staff know
    UNVERIFIED = "unverified"  # DNS could not answer: saved only when staff confirm


class Code(StrEnum):
    NO_DOMAIN = "no_domain"
    DUPLICATE_DOMAIN = "duplicate_domain"
    MISSING_ROUTE = "missing_route"
    DUPLICATE_ROUTE = "duplicate_route"
    NO_ADDRESS = "no_address"
    DUPLICATE_ADDRESS = "duplicate_address"
    ADDRESS_ON_TWO_ROUTES = "address_on_two_routes"
    DUPLICATE_CHANGE = "duplicate_change"
    LISTED_NOT_PASSING = "listed_not_passing"
    UNLISTED_PASSING = "unlisted_passing"
    DNS_FAILED = "dns_failed"


MESSAGES: dict[Code, Promise] = {
    Code.NO_DOMAIN: _(
        "The service needs at least one domain: without one, no account name can be checked."
    ),
    Code.DUPLICATE_DOMAIN: _("%(domain)s is listed twice."),
    Code.MISSING_ROUTE: _(
        "The active service needs its %(route)s: the check cannot say where mail leaves without it."
    ),
    Code.DUPLICATE_ROUTE: _("The %(route)s is listed twice. A service has one route of each kind."),
    Code.NO_ADDRESS: _("The %(route)s has no address. A route needs at least one."),
    Code.DUPLICATE_ADDRESS: _("%(address)s is listed twice on this route."),
    Code.ADDRESS_ON_TWO_ROUTES: _(
        "%(address)s is on both routes. An outbound server belongs to one route only."
    ),
    Code.DUPLICATE_CHANGE: _("There is already a policy change on %(date)s."),
    Code.LISTED_NOT_PASSING: _(
        "%(address)s is on the SPF-listed route but does not pass SPF for %(results)s. "
        "Add it to these domains' SPF records first, or move it to the unlisted route."
    ),
    Code.UNLISTED_PASSING: _(
        "%(address)s is on the unlisted route but passes SPF for %(domains)s, so for these "
        "domains the change makes no difference. Check that the address is right."
    ),
    Code.DNS_FAILED: _(
        "DNS did not answer for %(domains)s, so it is not known whether %(address)s passes SPF "
        "there."
    ),
}

ROUTE_NAMES: dict[str, Promise] = {
    RouteKind.LISTED: _("SPF-listed route"),
    RouteKind.UNLISTED: _("unlisted route"),
}


@dataclass(frozen=True)
class Problem:
    code: Code
    level: Level
    path: Path
    params: Mapping[str, str] = field(default_factory=dict)
    # Other places the problem concerns, such as the domains an address fails for.
    related: tuple[Path, ...] = ()

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % dict(self.params)

    @property
    def where(self) -> str:
        return path_text(self.path)

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.path else self.message


@dataclass(frozen=True)
class Validation:
    problems: tuple[Problem, ...]
    spf_checked: bool

    def at(self, level: Level) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level is level)

    @property
    def errors(self) -> tuple[Problem, ...]:
        return self.at(Level.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return self.at(Level.WARNING)

    @property
    def unverified(self) -> tuple[Problem, ...]:
        return self.at(Level.UNVERIFIED)


def _canonical_ip(text: Any) -> str | None:
    try:
        address = ipaddress.ip_address(str(text).strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def _route_name(kind: Any) -> str:
    name = ROUTE_NAMES.get(str(kind))
    return str(name) if name is not None else str(kind)


def validate(
    document: Mapping[str, Any], lookup: DnsLookup | None, *, complete: bool
) -> Validation:
    """Every problem of the configuration ``document``.

    ``lookup`` is a DNS session of the configured source; None skips the SPF rules (a service
    that is not active serves no customer: its SPF is checked when it is activated).
    ``complete`` is set for a configuration the check will use (the active service, a whole
    imported document): it needs a domain and both routes, which a service being set up in the
    admin may still lack.
    """
    problems: list[Problem] = []
    domains = _domains(document, problems, complete=complete)
    routes = _routes(document, problems, complete=complete)
    _changes(document, problems)
    spf_checked = lookup is not None and bool(domains)
    if lookup is not None:
        for index, kind, helo, addresses in routes:
            for position, address in addresses:
                problems.extend(
                    _spf_problems(lookup, domains, index, kind, helo, position, address)
                )
    return Validation(problems=tuple(problems), spf_checked=spf_checked)


def _domains(
    document: Mapping[str, Any], problems: list[Problem], *, complete: bool
) -> list[tuple[int, str]]:
    """The readable domains with their positions."""
    names = list(document.get("domains") or ())
    if not names and complete:
        problems.append(Problem(Code.NO_DOMAIN, Level.ERROR, ("domains",)))
    seen: dict[str, int] = {}
    readable = []
    for index, name in enumerate(names):
        domain = parse_domain(str(name))
        if domain is None:
            continue
        if domain in seen:
            problems.append(
                Problem(
                    Code.DUPLICATE_DOMAIN,
                    Level.ERROR,
                    ("domains", index),
                    {"domain": domain},
                    related=(("domains", seen[domain]),),
                )
            )
            continue
        seen[domain] = index
        readable.append((index, domain))
    return readable


RouteAddresses = tuple[int, str, str, list[tuple[int, str]]]


def _routes(
    document: Mapping[str, Any], problems: list[Problem], *, complete: bool
) -> list[RouteAddresses]:
    routes: Sequence[Mapping[str, Any]] = document.get("routes") or ()
    kinds: dict[str, int] = {}
    owner: dict[str, tuple[str, Path]] = {}  # address → (route kind, where first seen)
    readable: list[RouteAddresses] = []
    for index, route in enumerate(routes):
        kind = str(route.get("kind", ""))
        if kind in kinds:
            problems.append(
                Problem(
                    Code.DUPLICATE_ROUTE,
                    Level.ERROR,
                    ("routes", index, "kind"),
                    {"route": _route_name(kind)},
                    related=(("routes", kinds[kind]),),
                )
            )
            continue
        kinds[kind] = index
        addresses = list(route.get("addresses") or ())
        if not addresses:
            problems.append(
                Problem(
                    Code.NO_ADDRESS,
                    Level.ERROR,
                    ("routes", index, "addresses"),
                    {"route": _route_name(kind)},
                )
            )
        usable = []
        for position, text in enumerate(addresses):
            address = _canonical_ip(text)
            if address is None:
                continue
            path: Path = ("routes", index, "addresses", position)
            if address in owner:
                first_kind, first_path = owner[address]
                code = Code.DUPLICATE_ADDRESS if first_kind == kind else Code.ADDRESS_ON_TWO_ROUTES
                problems.append(
                    Problem(code, Level.ERROR, path, {"address": address}, related=(first_path,))
                )
                continue
            owner[address] = (kind, path)
            usable.append((position, address))
        helo = parse_domain(str(route.get("helo", "")))
        if kind in RouteKind.__members__.values() and helo is not None:
            readable.append((index, kind, helo, usable))
    if complete:
        for kind in RouteKind:
            if kind.value not in kinds:
                problems.append(
                    Problem(
                        Code.MISSING_ROUTE, Level.ERROR, ("routes",), {"route": _route_name(kind)}
                    )
                )
    return readable


def _changes(document: Mapping[str, Any], problems: list[Problem]) -> None:
    seen: dict[str, int] = {}
    for index, change in enumerate(document.get("changes") or ()):
        effective = change.get("effective")
        if isinstance(effective, datetime.date):
            day = effective.isoformat()
        else:
            try:
                day = datetime.date.fromisoformat(str(effective)).isoformat()
            except ValueError:
                continue
        if day in seen:
            problems.append(
                Problem(
                    Code.DUPLICATE_CHANGE,
                    Level.ERROR,
                    ("changes", index, "effective"),
                    {"date": day},
                    related=(("changes", seen[day]),),
                )
            )
        else:
            seen[day] = index


def _spf_problems(
    lookup: DnsLookup,
    domains: list[tuple[int, str]],
    route_index: int,
    kind: str,
    helo: str,
    position: int,
    address: str,
) -> list[Problem]:
    """SPF of ``postmaster@<domain>`` from ``address`` for every domain, as one problem per
    kind of trouble, so the admin can put each on the address's row."""
    not_passing: list[tuple[int, str, SpfResult]] = []
    passing: list[tuple[int, str]] = []
    failed: list[tuple[int, str]] = []
    for domain_index, domain in domains:
        result = check_address(address, f"{SAMPLE_MAILBOX}@{domain}", helo, lookup).result
        if result is SpfResult.TEMPERROR:
            failed.append((domain_index, domain))
        elif result is SpfResult.PASS:
            passing.append((domain_index, domain))
        else:
            not_passing.append((domain_index, domain, result))
    path: Path = ("routes", route_index, "addresses", position)
    problems = []
    if failed:
        problems.append(
            Problem(
                Code.DNS_FAILED,
                Level.UNVERIFIED,
                path,
                {"address": address, "domains": ", ".join(d for _i, d in failed)},
                related=tuple(("domains", i) for i, _d in failed),
            )
        )
    if kind == RouteKind.LISTED and not_passing:
        problems.append(
            Problem(
                Code.LISTED_NOT_PASSING,
                Level.ERROR,
                path,
                {
                    "address": address,
                    "results": ", ".join(f"{d} ({r})" for _i, d, r in not_passing),
                },
                related=tuple(("domains", i) for i, _d, _r in not_passing),
            )
        )
    if kind == RouteKind.UNLISTED and passing:
        problems.append(
            Problem(
                Code.UNLISTED_PASSING,
                Level.WARNING,
                path,
                {"address": address, "domains": ", ".join(d for _i, d in passing)},
                related=tuple(("domains", i) for i, _d in passing),
            )
        )
    return problems


# --- Impact: what customers would be told, now and with the edit ---------------------------


@dataclass(frozen=True)
class Verdicts:
    """The SPF results a sample sender gets the day before the change and from its day on;
    None when the configuration would not check that sender (the check offline, or the domain
    not a service domain)."""

    before: SpfResult | None
    after: SpfResult | None


@dataclass(frozen=True)
class ImpactRow:
    domain: str
    account: str
    mail_from: str
    matches: bool
    current: Verdicts
    proposed: Verdicts

    @property
    def changed(self) -> bool:
        return self.current != self.proposed


def sample_senders(domain: str) -> tuple[tuple[str, str, bool], ...]:
    """(account, envelope From, whether they match) for one sample account of ``domain``."""
    account = f"{SAMPLE_MAILBOX}.{domain}"
    return (
        (account, f"{SAMPLE_MAILBOX}@{domain}", True),
        (account, f"{OTHER_MAILBOX}@{domain}", False),
    )


def _verdicts(
    service: Service | None,
    domain: str,
    mail_from: str,
    matches: bool,
    lookup: DnsLookup,
    today: datetime.date,
) -> Verdicts:
    if service is None or not service.is_service_domain(domain):
        return Verdicts(None, None)
    # The same two days the check page compares (mailcheck.check.run_check).
    change = service.latest_change(today)
    after_day = change.effective if change else today
    results = []
    for day in (after_day - datetime.timedelta(days=1), after_day):
        route = service.route_for(matches=matches, day=day)
        results.append(evaluate_route(mail_from, route.addresses, route.helo, lookup).result)
    return Verdicts(*results)


def impact(
    current: Service | None,
    proposed: Service | None,
    lookup: DnsLookup,
    today: datetime.date,
) -> tuple[ImpactRow, ...]:
    """For one sample account per domain of either configuration, sending as itself and as
    another mailbox: the verdicts the current configuration gives beside the proposed one's.
    None stands for "the check is offline" (no active service)."""
    domains: list[str] = []
    for service in (current, proposed):
        for domain in service.domains if service else ():
            if domain not in domains:
                domains.append(domain)
    rows = []
    for domain in domains:
        for account, mail_from, matches in sample_senders(domain):
            rows.append(
                ImpactRow(
                    domain=domain,
                    account=account,
                    mail_from=mail_from,
                    matches=matches,
                    current=_verdicts(current, domain, mail_from, matches, lookup, today),
                    proposed=_verdicts(proposed, domain, mail_from, matches, lookup, today),
                )
            )
    return tuple(rows)
