"""SPF evaluation as the recipient performs it (RFC 7208), on top of pyspf.

The evaluator takes its DNS lookup as an argument (see :mod:`mailcheck.dns`), so nothing here
reaches the network by itself and concurrent checks never share DNS state: each pyspf query
object carries its own lookup instead of pyspf's module-wide ``DNSLookup``.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

import authres
import dns.exception
import dns.name
import spf as pyspf

from mailcheck.dns import DnsLookup, DnsQuery, InvalidName, RecordingLookup

__all__ = [
    "MAX_LOOKUPS",
    "MAX_VOID_LOOKUPS",
    "AddressVerdict",
    "RouteVerdict",
    "SpfRecord",
    "SpfResult",
    "check_address",
    "evaluate_route",
]

logger = logging.getLogger(__name__)

DEFAULT_RECEIVER: Final = "mx.example"

# RFC 7208 §4.6.4: at most 10 DNS-querying terms, and at most 2 of their lookups void.
MAX_LOOKUPS: Final[int] = pyspf.MAX_LOOKUP
MAX_VOID_LOOKUPS: Final[int] = pyspf.MAX_VOID_LOOKUPS


class SpfResult(StrEnum):
    PASS = "pass"  # noqa: S105 - an SPF result, not a password.
    FAIL = "fail"
    SOFTFAIL = "softfail"
    NEUTRAL = "neutral"
    NONE = "none"
    PERMERROR = "permerror"
    TEMPERROR = "temperror"


# The order in which results hurt delivery, worst first; used to summarise a route whose
# addresses disagree.
SEVERITY: Final[tuple[SpfResult, ...]] = (
    SpfResult.FAIL,
    SpfResult.SOFTFAIL,
    SpfResult.PERMERROR,
    SpfResult.TEMPERROR,
    SpfResult.NEUTRAL,
    SpfResult.NONE,
    SpfResult.PASS,
)

# The Received-SPF result keywords (RFC 7208 §9.1).
_HEADER_TAGS: Final = {
    SpfResult.PASS: "Pass",
    SpfResult.FAIL: "Fail",
    SpfResult.SOFTFAIL: "SoftFail",
    SpfResult.NEUTRAL: "Neutral",
    SpfResult.NONE: "None",
    SpfResult.PERMERROR: "PermError",
    SpfResult.TEMPERROR: "TempError",
}


@dataclass(frozen=True)
class SpfRecord:
    """One SPF record pyspf fetched while evaluating, in the order it was fetched.

    The records of a verdict form a tree in that order (depth first): ``parent`` is the index,
    in the verdict's ``records``, of the record whose include or redirect fetched this one
    (None for the top record), and ``depth`` its distance from the top. Where a record sits
    in the tree is not part of what it is, so equality looks at domain, text and via only.
    """

    domain: str
    text: str
    via: str  # "top", "include" or "redirect"
    depth: int = field(default=0, compare=False)
    parent: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class AddressVerdict:
    ip: str
    result: SpfResult
    mechanism: str
    explanation: str
    lookups: int
    void_lookups: int
    records: tuple[SpfRecord, ...]
    received_spf: str
    authentication_results: str
    # Every DNS query of this address's evaluation, in order, up to where it stopped. Their
    # times differ from run to run, so two verdicts are equal on what they decide, not on this.
    queries: tuple[DnsQuery, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class RouteVerdict:
    mail_from: str
    helo: str
    verdicts: tuple[AddressVerdict, ...]

    @property
    def result(self) -> SpfResult:
        """The common result; when the addresses disagree, the one worst for delivery."""
        results = {verdict.result for verdict in self.verdicts}
        return next(result for result in SEVERITY if result in results)

    @property
    def consistent(self) -> bool:
        """True when every address of the route gets the same result."""
        return len({verdict.result for verdict in self.verdicts}) <= 1


class _Query(pyspf.query):  # type: ignore[misc]
    """A pyspf query that does its DNS through its own lookup and collects a trace.

    pyspf sends every query through the module global ``spf.DNSLookup``; swapping that global
    per request mixes up concurrent checks. Overriding :meth:`dns` keeps the lookup on the
    instance instead. The body follows pyspf 2.0.14's ``query.dns`` (cache, CNAME chasing,
    void lookup limit) with the lookup call replaced.
    """

    verbose: bool

    def __init__(self, lookup: DnsLookup, **kwargs: Any) -> None:
        self._lookup = lookup
        self.trace: list[SpfRecord] = []
        # The records being evaluated, innermost last (None for a domain without a record),
        # and the one logged last, which pyspf's next check1() call evaluates.
        self._open: list[int | None] = []
        self._logged: int | None = None
        super().__init__(verbose=True, **kwargs)

    def log(self, mech: str, d: str, spf: str | None) -> None:
        # pyspf logs a top, include or redirect record right before it evaluates it.
        self._logged = None
        if spf is None:
            return
        parent = self._open[-1] if self._open else None
        depth = 0 if parent is None else self.trace[parent].depth + 1
        self._logged = len(self.trace)
        self.trace.append(SpfRecord(domain=d, text=spf, via=mech, depth=depth, parent=parent))

    def check1(self, spf: str | None, domain: str, recursion: int) -> Any:
        self._open.append(self._logged)
        self._logged = None
        try:
            return super().check1(spf, domain, recursion)
        finally:
            self._open.pop()

    def dns_spf(self, domain: str) -> str | None:
        # pyspf prints its cache to stdout in verbose mode when it finds two records.
        verbose: bool = self.verbose
        self.verbose = False
        try:
            record: str | None = super().dns_spf(domain)
        finally:
            self.verbose = verbose
        return record

    def dns(
        self,
        name: str,
        qtype: str,
        cnames: dict[str, str] | None = None,
        ignore_void: bool = False,
    ) -> list[Any]:
        if not name:
            raise InvalidName("invalid domain name '': empty")
        name = str(name)
        if name.endswith("."):
            name = name[:-1]
        # Labels must be 1 to 63 octets (RFC 1035 §2.3.4); such names simply have no data.
        if not all(0 < len(label) < 64 for label in name.split(".")):
            return []
        name = name.lower()
        result: list[Any] = self.cache.get((name, qtype), [])
        if result:
            return result
        cnamek = (name, "CNAME")
        cname_entry = self.cache.get(cnamek)
        cname: str | None = cname_entry[0] if cname_entry else None
        if cname is None:
            for (rname, rtype), value in self._lookup(name, qtype, self.strict, self.timeout):
                # Servers may answer in any letter case; the cache must not care.
                k = (rname.lower(), rtype)
                if k == cnamek:
                    cname = value
                    if self.cache.get((value, qtype), []):
                        break
                if rtype == "CNAME" or (qtype, rtype) in self.SAFE2CACHE:
                    self.cache.setdefault(k, []).append(value)
            result = self.cache.get((name, qtype), [])
        if not result and cname:
            if not cnames:
                cnames = {}
            elif len(cnames) >= pyspf.MAX_CNAME:
                raise pyspf.PermError(f"Length of CNAME chain exceeds {pyspf.MAX_CNAME}")
            cnames[name] = cname
            if cname.lower().rstrip(".") not in cnames:
                result = self.dns(cname, qtype, cnames=cnames)
                if result:
                    self.cache[(name, qtype)] = result
        if not result and not ignore_void:
            # RFC 7208 §4.6.4: more than two lookups without an answer are a permerror.
            self.void_lookups += 1
            if self.void_lookups > pyspf.MAX_VOID_LOOKUPS:
                raise pyspf.PermError(f"Void lookup limit of {pyspf.MAX_VOID_LOOKUPS} exceeded")
        return result


# Input that cannot be evaluated at all: a receiver could only give up on it. The name errors
# come before DNSException below, of which they are subclasses.
_INPUT_ERRORS: Final = (
    pyspf.PermError,
    ValueError,
    UnicodeError,
    dns.name.NameTooLong,
    dns.name.LabelTooLong,
    dns.name.EmptyLabel,
    dns.name.BadEscape,
)
# DNS that failed below a lookup that should have said so with spf.TempError: a receiver would
# try again later. Anything else is a programming error and is left to propagate.
_DNS_ERRORS: Final = (dns.exception.Timeout, OSError)


def check_address(
    ip: str,
    mail_from: str,
    helo: str,
    lookup: DnsLookup,
    *,
    receiver: str = DEFAULT_RECEIVER,
) -> AddressVerdict:
    """Evaluate SPF for mail from ``mail_from`` sent by ``ip`` that greeted with ``helo``.

    An empty ``mail_from`` is checked as ``postmaster@<helo>`` (RFC 7208 §2.4). Whatever the
    input or the DNS data, the answer is a verdict: input and record errors become permerror,
    DNS failures temperror. A programming error is not a verdict: it propagates, to be logged
    with its traceback and shown as a server error, never as "DNS did not answer".
    """
    query: _Query | None = None
    recording = RecordingLookup(lookup)
    try:
        # pyspf skips an empty address and then fails halfway; refuse it up front.
        ipaddress.ip_address(ip)
        query = _Query(recording, i=ip, s=mail_from, h=helo, receiver=receiver, querytime=0)
        outcome, _code, explanation = query.check()
        result = SpfResult(outcome)
    except pyspf.TempError as exc:
        # mailcheck.dns has logged the cause (name, type, server, time).
        result, explanation = SpfResult.TEMPERROR, f"SPF Temporary Error: {exc}"
    except _DNS_ERRORS as exc:
        logger.warning("SPF check of %s: DNS failed: %s", ip, _reason(exc))
        timed_out = isinstance(exc, (dns.exception.Timeout, TimeoutError))
        what = "DNS timeout" if timed_out else "DNS failure"
        result, explanation = SpfResult.TEMPERROR, f"SPF Temporary Error: {what}: {_reason(exc)}"
    except _INPUT_ERRORS as exc:
        result, explanation = SpfResult.PERMERROR, f"SPF Permanent Error: {_reason(exc)}"
    except dns.exception.DNSException as exc:
        logger.warning("SPF check of %s: DNS failed: %s", ip, _reason(exc))
        result, explanation = SpfResult.TEMPERROR, f"SPF Temporary Error: {_reason(exc)}"
    if result == SpfResult.NONE:
        explanation = ""
    queries = tuple(recording.queries)
    return _verdict(ip, mail_from, helo, receiver, query, result, explanation, queries)


def evaluate_route(
    mail_from: str,
    ips: Sequence[str],
    helo: str,
    lookup: DnsLookup,
    *,
    receiver: str = DEFAULT_RECEIVER,
) -> RouteVerdict:
    """Evaluate every address of a sending route, in route order.

    Results can differ by address family (an ``a`` term with only A records matches no IPv6
    client), so no address stands in for the others.
    """
    if not ips:
        raise ValueError("a route needs at least one address")
    verdicts = tuple(check_address(ip, mail_from, helo, lookup, receiver=receiver) for ip in ips)
    return RouteVerdict(mail_from=mail_from, helo=helo, verdicts=verdicts)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    name = type(exc).__name__
    if isinstance(exc, dns.exception.DNSException):
        return f"{name}: {text}" if text else name
    return text or name


def _verdict(
    ip: str,
    mail_from: str,
    helo: str,
    receiver: str,
    query: _Query | None,
    result: SpfResult,
    explanation: str,
    queries: tuple[DnsQuery, ...],
) -> AddressVerdict:
    error = result in (SpfResult.PERMERROR, SpfResult.TEMPERROR)
    if query is None:
        return AddressVerdict(
            ip=ip,
            result=result,
            mechanism="",
            explanation=explanation,
            lookups=0,
            void_lookups=0,
            records=(),
            received_spf=_fallback_received_spf(ip, mail_from, helo, receiver, result, explanation),
            authentication_results=_authentication_results(
                receiver, result, _mailfrom_domain(mail_from, helo), helo, bool(mail_from)
            ),
            queries=queries,
        )
    mechanism = "" if error or result == SpfResult.NONE else (query.mechanism or "default")
    if error and not getattr(query, "prob", None):
        # The exception escaped pyspf's check(); its header comment needs the reason.
        query.prob = explanation.partition(": ")[2]
    try:
        received_spf = str(query.get_header(str(result), receiver=receiver))
    except (ValueError, UnicodeError):  # Odd input must not cost the verdict its header.
        received_spf = _fallback_received_spf(ip, mail_from, helo, receiver, result, explanation)
    return AddressVerdict(
        ip=ip,
        result=result,
        mechanism=mechanism,
        explanation=explanation,
        lookups=int(query.lookups),
        void_lookups=int(query.void_lookups),
        records=tuple(query.trace),
        received_spf=received_spf,
        authentication_results=_authentication_results(
            receiver, result, str(query.o), str(query.h), query.ident == "mailfrom"
        ),
        queries=queries,
    )


def _mailfrom_domain(mail_from: str, helo: str) -> str:
    if not mail_from:
        return helo
    return mail_from.rpartition("@")[2] or helo


def _authentication_results(
    receiver: str, result: SpfResult, domain: str, helo: str, mailfrom_identity: bool
) -> str:
    """The Authentication-Results header value (RFC 8601 §2.7.2) without the field name."""
    if mailfrom_identity:
        spf_result = authres.SPFAuthenticationResult(result=str(result), smtp_mailfrom=domain)
    else:
        spf_result = authres.SPFAuthenticationResult(result=str(result), smtp_helo=helo)
    header = str(authres.AuthenticationResultsHeader(authserv_id=receiver, results=[spf_result]))
    return header.removeprefix("Authentication-Results: ")


def _fallback_received_spf(
    ip: str, mail_from: str, helo: str, receiver: str, result: SpfResult, explanation: str
) -> str:
    """A Received-SPF value (RFC 7208 §9.1) for input pyspf could not even take in."""
    comment = explanation.replace("(", "[").replace(")", "]") or str(result)
    parts = [f"{_HEADER_TAGS[result]} ({receiver}: {comment})"]
    with contextlib.suppress(ValueError):
        parts.append(f"client-ip={ipaddress.ip_address(ip)};")
    if mail_from:
        parts.append(f"envelope-from={pyspf.quote_value(mail_from)};")
    if helo:
        parts.append(f"helo={pyspf.quote_value(helo)};")
    parts.append(f"receiver={receiver};")
    parts.append("identity=mailfrom" if mail_from else "identity=helo")
    return " ".join(parts)
