"""What is wrong with a domain's SPF record, for the domain's owner, and what to publish instead.

The check page answers "does my mail pass"; this answers "is my record sound". It reads the
record a receiver would read, walks its ``include`` and ``redirect`` targets with the same
lookup, and reports problems as codes with the facts behind them (which term, which count).
The page and the command line turn the codes into words.

The syntax check is written here rather than taken from pyspf: pyspf validates a term only
while evaluating it for one client address, stops at the first error and answers in English
sentences, while a lint needs every term of every record, each problem as a code.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

import spf as pyspf

from mailcheck.dns import DnsLookup, InvalidName, txt_records
from mailcheck.spf import MAX_LOOKUPS, MAX_VOID_LOOKUPS, SpfResult, check_address

# RFC 7208 §4.6.4: the lint reports against the same limits the evaluator enforces.
LOOKUP_LIMIT: Final = MAX_LOOKUPS
VOID_LOOKUP_LIMIT: Final = MAX_VOID_LOOKUPS
# RFC 7208 §3.4: a record that keeps the whole DNS answer within 512 octets (UDP) leaves about
# 450 octets for the record itself.
SIZE_LIMIT: Final = 450
# How many DNS-querying terms the lint follows before it stops: well past the limit, so the
# count it reports says how far over, but a record cannot make it query without end.
_FOLLOW_LIMIT: Final = 3 * LOOKUP_LIMIT

# The mechanisms and modifiers that cost a DNS lookup (RFC 7208 §4.6.4).
_LOOKUP_TERMS: Final = frozenset({"include", "a", "mx", "ptr", "exists", "redirect"})
_MECHANISMS: Final = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
_MODIFIERS: Final = frozenset({"redirect", "exp"})

_MODIFIER: Final = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_.-]*)=(?P<value>.*)$")
_MECHANISM: Final = re.compile(
    r"^(?P<qualifier>[+\-~?]?)(?P<name>[A-Za-z][A-Za-z0-9_.-]*)(?P<rest>.*)$"
)
# RFC 7208 §7.1: a macro is %{letter digits "r" delimiters}, or %%, %_ and %-.
_MACRO: Final = re.compile(r"%(?:\{[slodiphcrtv][0-9]*r?[.\-+,/_=]*\}|[%_-])", re.IGNORECASE)
_LABEL: Final = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?$")
_DUAL_CIDR: Final = re.compile(r"^(?:/(?P<v4>[0-9]{1,2}))?(?://(?P<v6>[0-9]{1,3}))?$")


class ProblemCode(StrEnum):
    NO_RECORD = "no_record"  # the domain publishes no SPF record: every receiver says none
    MULTIPLE_RECORDS = "multiple_records"  # more than one v=spf1 record: permerror (§4.5)
    SYNTAX = "syntax"  # a term that is not valid SPF: permerror (§4.6)
    TOO_MANY_LOOKUPS = "too_many_lookups"  # more than 10 DNS-querying terms: permerror
    TOO_MANY_VOID_LOOKUPS = "too_many_void_lookups"  # more than 2 empty answers: permerror
    LOOP = "loop"  # an include or redirect that comes back to a record already on the path
    PTR = "ptr"  # the ptr mechanism: slow, unreliable, "SHOULD NOT" be used (§5.5)
    PASS_ALL = "pass_all"  # noqa: S105 - +all: every server on the internet passes
    NEUTRAL_ALL = "neutral_all"  # ?all: the record asserts nothing about other servers
    TOO_LONG = "too_long"  # over 450 octets: the answer may not fit in one UDP packet (§3.4)
    UNKNOWN_MODIFIER = "unknown_modifier"  # ignored by receivers (§6), usually a typing error
    SPF_RR_TYPE = "spf_rr_type"  # the obsolete SPF record type is published (§3.1, §14.1)
    INCLUDE_WITHOUT_RECORD = "include_without_record"  # include/redirect of a domain without SPF
    REDIRECT_WITH_ALL = "redirect_with_all"  # redirect= is ignored when the record has all (§6.1)
    DNS_ERROR = "dns_error"  # a name server did not answer: the lint is incomplete


@dataclass(frozen=True)
class Problem:
    code: ProblemCode
    domain: str  # the domain whose record has the problem
    term: str = ""  # the term at fault, as written
    count: int = 0  # lookups, void lookups, records or octets, for the limits
    limit: int = 0


@dataclass(frozen=True)
class FetchedRecord:
    """One record read while following the domain's record, in the order it was read."""

    domain: str
    text: str | None  # None: the domain publishes no SPF record
    via: str  # "top", "include" or "redirect"
    depth: int


@dataclass(frozen=True)
class DomainReport:
    domain: str
    record: str | None
    lookups: int
    void_lookups: int
    problems: tuple[Problem, ...]
    records: tuple[FetchedRecord, ...] = ()

    @property
    def codes(self) -> tuple[ProblemCode, ...]:
        return tuple(p.code for p in self.problems)

    @property
    def sound(self) -> bool:
        """The record can be extended as it is: it exists, parses and is within the limits."""
        return self.record is not None and not _BREAKING & set(self.codes)


# Problems that make receivers answer permerror (or leave nothing to build on).
_BREAKING: Final = frozenset(
    {
        ProblemCode.NO_RECORD,
        ProblemCode.MULTIPLE_RECORDS,
        ProblemCode.SYNTAX,
        ProblemCode.TOO_MANY_LOOKUPS,
        ProblemCode.TOO_MANY_VOID_LOOKUPS,
        ProblemCode.LOOP,
        ProblemCode.INCLUDE_WITHOUT_RECORD,
        ProblemCode.DNS_ERROR,
    }
)


def lint_domain(domain: str, lookup: DnsLookup) -> DomainReport:
    """Read ``domain``'s SPF record and everything it refers to, and list its problems."""
    domain = domain.lower().rstrip(".")
    walk = _Walk(lookup)
    try:
        found = walk.records(domain, "TXT")
    except (pyspf.TempError, InvalidName):
        walk.problems.append(Problem(ProblemCode.DNS_ERROR, domain))
        return walk.report(domain, None)
    if not found:
        walk.problems.append(Problem(ProblemCode.NO_RECORD, domain))
    elif len(found) > 1:
        walk.problems.append(Problem(ProblemCode.MULTIPLE_RECORDS, domain, count=len(found)))
    else:
        walk.follow(domain, found[0], via="top", path=())
    try:
        if walk.records(domain, "SPF"):
            walk.problems.append(Problem(ProblemCode.SPF_RR_TYPE, domain))
    except (pyspf.TempError, InvalidName):
        pass  # Many servers refuse the obsolete type; that is no problem of the record.
    return walk.report(domain, found[0] if len(found) == 1 else None, all_records=found)


def lint_record(domain: str, record: str, lookup: DnsLookup) -> DomainReport:
    """Lint ``record`` as if ``domain`` published it (a record before it is published)."""
    domain = domain.lower().rstrip(".")
    walk = _Walk(lookup)
    walk.follow(domain, record, via="top", path=())
    return walk.report(domain, record)


class _Walk:
    """One lint: the running counts and problems while following records."""

    def __init__(self, lookup: DnsLookup) -> None:
        self.lookup = lookup
        self.lookups = 0
        self.void_lookups = 0
        self.problems: list[Problem] = []
        self.fetched: list[FetchedRecord] = []

    def report(
        self, domain: str, record: str | None, all_records: Sequence[str] = ()
    ) -> DomainReport:
        problems = list(self.problems)
        if self.lookups > LOOKUP_LIMIT:
            problems.append(
                Problem(
                    ProblemCode.TOO_MANY_LOOKUPS, domain, count=self.lookups, limit=LOOKUP_LIMIT
                )
            )
        if self.void_lookups > VOID_LOOKUP_LIMIT:
            problems.append(
                Problem(
                    ProblemCode.TOO_MANY_VOID_LOOKUPS,
                    domain,
                    count=self.void_lookups,
                    limit=VOID_LOOKUP_LIMIT,
                )
            )
        if record is None and len(all_records) > 1:
            record = "\n".join(all_records)
        return DomainReport(
            domain, record, self.lookups, self.void_lookups, tuple(problems), tuple(self.fetched)
        )

    def records(self, domain: str, qtype: str) -> list[str]:
        """The ``v=spf1`` records of ``domain`` (RFC 7208 §4.5), each TXT's strings joined."""
        return [
            text
            for text in txt_records(self.lookup, domain, qtype)
            if text.lower() == "v=spf1" or text.lower().startswith("v=spf1 ")
        ]

    def _answers(self, domain: str, qtype: str) -> bool:
        return any(rtype == qtype for (_name, rtype), _value in self.lookup(domain, qtype))

    def follow(self, domain: str, record: str, *, via: str, path: tuple[str, ...]) -> None:
        self.fetched.append(FetchedRecord(domain, record, via, len(path)))
        path = (*path, domain)
        size = len(record.encode("utf-8"))
        if size > SIZE_LIMIT:
            self.problems.append(
                Problem(ProblemCode.TOO_LONG, domain, count=size, limit=SIZE_LIMIT)
            )
        if not record.isascii():
            self.problems.append(Problem(ProblemCode.SYNTAX, domain, term=record))
            return
        terms = [t for t in record.split(" ") if t][1:]
        parsed = [(term, _parse(term)) for term in terms]
        errors = [term for term, p in parsed if p is None]
        for term in errors:
            self.problems.append(Problem(ProblemCode.SYNTAX, domain, term=term))
        good = [(term, p) for term, p in parsed if p is not None]
        for modifier in _MODIFIERS:
            named = [term for term, p in good if p.modifier and p.name == modifier]
            if len(named) > 1:  # RFC 7208 §6: each at most once.
                self.problems.append(Problem(ProblemCode.SYNTAX, domain, term=" ".join(named)))
                errors.extend(named)
        if errors:
            return  # Receivers stop at permerror; counting further would mislead.
        has_all = False
        redirect: _Term | None = None
        redirect_text = ""
        for term, p in good:
            if p.modifier:
                if p.name == "redirect":
                    redirect, redirect_text = p, term
                elif p.name not in _MODIFIERS:
                    self.problems.append(Problem(ProblemCode.UNKNOWN_MODIFIER, domain, term=term))
                continue
            if p.name == "all":
                has_all = True
                if p.qualifier == "+":
                    self.problems.append(Problem(ProblemCode.PASS_ALL, domain, term=term))
                elif p.qualifier == "?":
                    self.problems.append(Problem(ProblemCode.NEUTRAL_ALL, domain, term=term))
            elif p.name == "ptr":
                self.problems.append(Problem(ProblemCode.PTR, domain, term=term))
            if p.name in _LOOKUP_TERMS:
                self._lookup_term(domain, term, p, path)
        if redirect is not None:
            if has_all:
                self.problems.append(
                    Problem(ProblemCode.REDIRECT_WITH_ALL, domain, term=redirect_text)
                )
            else:
                self._lookup_term(domain, redirect_text, redirect, path)

    def _lookup_term(self, domain: str, term: str, p: _Term, path: tuple[str, ...]) -> None:
        self.lookups += 1
        if self.lookups > _FOLLOW_LIMIT or (p.target and "%" in p.target):
            return  # Past any limit, or a macro only a real sender can fill in.
        target = (p.target or domain).lower().rstrip(".")
        try:
            if p.name in ("include", "redirect"):
                if target in path:
                    self.problems.append(Problem(ProblemCode.LOOP, domain, term=term))
                    return
                found = self.records(target, "TXT")
                if not found:
                    self.problems.append(
                        Problem(ProblemCode.INCLUDE_WITHOUT_RECORD, domain, term=term)
                    )
                    self.fetched.append(FetchedRecord(target, None, p.name, len(path)))
                elif len(found) > 1:
                    self.problems.append(
                        Problem(ProblemCode.MULTIPLE_RECORDS, target, count=len(found))
                    )
                else:
                    self.follow(target, found[0], via=p.name, path=path)
            elif p.name == "a":
                if not (self._answers(target, "A") or self._answers(target, "AAAA")):
                    self.void_lookups += 1
            elif p.name == "mx":
                if not self._answers(target, "MX"):
                    self.void_lookups += 1
            elif p.name == "exists":
                if not self._answers(target, "A"):
                    self.void_lookups += 1
        except (pyspf.TempError, InvalidName):
            self.problems.append(Problem(ProblemCode.DNS_ERROR, domain, term=term))


@dataclass(frozen=True)
class _Term:
    modifier: bool
    name: str  # lower case
    qualifier: str = ""
    target: str = ""  # the domain-spec, if any


def _parse(term: str) -> _Term | None:
    """One term of a record, or None if it is not valid SPF (RFC 7208 §4.6.1, §12)."""
    modifier = _MODIFIER.match(term)
    if modifier:
        name, value = modifier.group("name").lower(), modifier.group("value")
        if name in ("redirect", "exp") and not _domain_spec(value):
            return None
        if not _macro_string(value):
            return None
        return _Term(True, name, target=value if name == "redirect" else "")
    mechanism = _MECHANISM.match(term)
    if not mechanism:
        return None
    qualifier = mechanism.group("qualifier") or "+"
    name, rest = mechanism.group("name").lower(), mechanism.group("rest")
    if name not in _MECHANISMS:
        return None
    if name == "all":
        return _Term(False, name, qualifier) if rest == "" else None
    if name in ("include", "exists"):
        if not rest.startswith(":") or not _domain_spec(rest[1:]):
            return None
        return _Term(False, name, qualifier, rest[1:])
    if name == "ptr":
        if rest and (not rest.startswith(":") or not _domain_spec(rest[1:])):
            return None
        return _Term(False, name, qualifier, rest[1:])
    if name in ("ip4", "ip6"):
        return _Term(False, name, qualifier) if _ip_network(name, rest) else None
    # a and mx: [":" domain-spec] [dual-cidr-length]
    target, _slash, _cidr = rest.partition("/")
    cidr = rest[len(target) :]
    if not _DUAL_CIDR.match(cidr) or not _cidr_lengths_valid(cidr):
        return None
    if target and (not target.startswith(":") or not _domain_spec(target[1:])):
        return None
    return _Term(False, name, qualifier, target[1:])


def _ip_network(name: str, rest: str) -> bool:
    if not rest.startswith(":"):
        return False
    address, _slash, length = rest[1:].partition("/")
    version, maximum = (4, 32) if name == "ip4" else (6, 128)
    try:
        if ipaddress.ip_address(address).version != version:
            return False
    except ValueError:
        return False
    if _slash:
        return (
            length.isdigit()
            and not length.startswith("0" * (len(length) > 1))
            and (int(length) <= maximum)
        )
    return True


def _cidr_lengths_valid(cidr: str) -> bool:
    match = _DUAL_CIDR.match(cidr)
    assert match is not None
    v4, v6 = match.group("v4"), match.group("v6")
    return (v4 is None or int(v4) <= 32) and (v6 is None or int(v6) <= 128)


def _macro_string(value: str) -> bool:
    """Every % starts a macro (RFC 7208 §7.1) and only visible ASCII is used."""
    rest = _MACRO.sub("", value)
    return "%" not in rest and all(0x21 <= ord(c) <= 0x7E for c in rest)


def _domain_spec(value: str) -> bool:
    """A macro-string that ends in a domain name with a non-numeric top label (§7.1), unless
    it ends in a macro."""
    if not value or not _macro_string(value):
        return False
    if _MACRO.search(value):
        return True  # Only a sender makes the name; receivers check it once expanded.
    labels = value.rstrip(".").split(".")
    if len(labels) < 2 or not all(_LABEL.match(label) for label in labels):
        return False
    return not labels[-1].isdigit()


# ---------------------------------------------------------------------------------------------
# The record to publish for our listed route
# ---------------------------------------------------------------------------------------------


class SuggestionKind(StrEnum):
    INCLUDE = "include"  # add include:<service domain>
    ADDRESSES = "addresses"  # add the route's addresses as ip4:/ip6:
    ALREADY_PASSES = "already_passes"  # the record already lets the listed route pass
    FIX_FIRST = "fix_first"  # the record is broken: a change on top of it would not help


@dataclass(frozen=True)
class Suggestion:
    kind: SuggestionKind
    record: str | None  # the whole record to publish, or None
    lookups: int  # the suggested record's lookups, counting nested ones
    added: tuple[str, ...] = field(default=())  # the terms added to the current record


def suggest_record(
    report: DomainReport,
    route_addresses: Sequence[str],
    service_domain: str,
    lookup: DnsLookup,
) -> Suggestion:
    """The record ``report.domain`` should publish for mail from our listed route to pass.

    The service domain's own record is included when it is "includable": it lets every listed
    address pass and is itself sound, so future changes of our addresses reach the customer's
    record without their doing anything. Otherwise the addresses are written out as ip4:/ip6:.
    """
    if report.record is not None and not report.sound:
        return Suggestion(SuggestionKind.FIX_FIRST, None, report.lookups)
    sender = f"postmaster@{report.domain}"
    if report.record is not None and _all_pass(route_addresses, sender, lookup):
        return Suggestion(SuggestionKind.ALREADY_PASSES, report.record, report.lookups)
    included = f"include:{service_domain}"
    candidates: list[tuple[SuggestionKind, tuple[str, ...]]] = []
    if _includable(service_domain, route_addresses, lookup):
        candidates.append((SuggestionKind.INCLUDE, (included,)))
    candidates.append((SuggestionKind.ADDRESSES, tuple(_address_terms(route_addresses))))
    fallback: Suggestion | None = None
    for kind, added in candidates:
        record = _with_terms(report.record, added)
        linted = lint_record(report.domain, record, lookup)
        suggestion = Suggestion(kind, record, linted.lookups, added)
        if linted.lookups <= LOOKUP_LIMIT and linted.sound:
            return suggestion
        fallback = fallback or suggestion
    assert fallback is not None
    return fallback


def _address_terms(addresses: Sequence[str]) -> list[str]:
    terms = []
    for text in addresses:
        address = ipaddress.ip_address(text)
        terms.append(f"ip{address.version}:{address.compressed}")
    return terms


def _with_terms(record: str | None, added: Sequence[str]) -> str:
    """``record`` with ``added`` before its ``all`` (or after its last mechanism); a new
    record ending in ``~all`` when there is none, so that other senders are not refused."""
    if record is None:
        return " ".join(["v=spf1", *added, "~all"])
    terms = [t for t in record.split(" ") if t]
    body = terms[1:]
    position = len(body)
    for index, term in enumerate(body):
        parsed = _parse(term)
        if parsed is not None and not parsed.modifier and parsed.name == "all":
            position = index
            break
    else:
        mechanisms = [i for i, t in enumerate(body) if (p := _parse(t)) and not p.modifier]
        position = mechanisms[-1] + 1 if mechanisms else 0
    present = {t.lower().lstrip("+") for t in body}
    new = [t for t in added if t.lower() not in present]
    return " ".join([terms[0], *body[:position], *new, *body[position:]])


def _all_pass(addresses: Sequence[str], sender: str, lookup: DnsLookup) -> bool:
    helo = sender.partition("@")[2]
    return all(check_address(ip, sender, helo, lookup).result is SpfResult.PASS for ip in addresses)


def _includable(service_domain: str, addresses: Sequence[str], lookup: DnsLookup) -> bool:
    """Whether ``include:service_domain`` makes the listed route pass: the service domain's
    record is sound and passes every listed address."""
    if not lint_domain(service_domain, lookup).sound:
        return False
    return _all_pass(addresses, f"postmaster@{service_domain}", lookup)
