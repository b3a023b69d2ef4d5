"""The one seam through which every DNS query of the checker passes.

The SPF evaluator (pyspf) asks for DNS data through a *lookup*: a callable with pyspf's
``DNSLookup`` contract. This module provides two sources of such lookups:

- :class:`ZoneResolver` answers from master-file text (the demo zone, test zones) or from the
  OpenSPF conformance suite's ``zonedata``. Nothing touches the network.
- :class:`LiveResolver` asks explicit name servers over the DNS protocol with dnspython, with a
  per-query timeout, a total time budget per check and a TTL-honouring cache (in the process,
  or shared between processes through an :class:`AnswerCache` such as ``mailcheck.dnscache``).

A lookup is always obtained from ``resolver.session(budget)``, so one check can never spend more
than its budget waiting for DNS, however many terms its SPF record has.

The lookup contract (pyspf's): ``lookup(name, qtype, strict, timeout)`` returns a list of
``((name, qtype), value)`` pairs, where the value is the address text for A/AAAA, a
``(preference, host)`` pair for MX, the host name for PTR and CNAME, and a tuple of ``bytes``
for TXT/SPF. NXDOMAIN and NODATA give an empty list. Timeouts, SERVFAIL and an exhausted budget
raise :class:`spf.TempError`.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tokenizer
import dns.zone
import dns.zonefile
import spf as pyspf

__all__ = [
    "AnswerCache",
    "BudgetExhausted",
    "DnsCache",
    "DnsLookup",
    "DnsQuery",
    "InvalidName",
    "LiveResolver",
    "LookupResult",
    "RecordingLookup",
    "Records",
    "Resolver",
    "ZoneResolver",
    "loggable_name",
    "parse_nameserver",
    "resolver_from_setting",
    "txt_records",
]

logger = logging.getLogger(__name__)

LookupResult = list[tuple[tuple[str, str], Any]]

# The record types pyspf asks for. CNAME is never asked for, but may appear in answers.
QTYPES: Final = frozenset({"A", "AAAA", "MX", "PTR", "TXT", "SPF"})

# RFC 7208 §4.6.4 suggests at least 20 seconds per lookup; the portal answers a person waiting
# in front of a browser, so a whole check gets a few seconds instead.
DEFAULT_BUDGET: Final = 3.0

# TTL for zone-text records that come before any $TTL line.
DEFAULT_TTL: Final = 300


class DnsLookup(Protocol):
    """pyspf's lookup contract, bound to one check (see the module docstring)."""

    def __call__(
        self, name: str, qtype: str, strict: bool = True, timeout: float = 30.0
    ) -> LookupResult: ...


class Resolver(Protocol):
    """A source of DNS data. ``source`` is ``"zone"`` or ``"live"``."""

    source: str

    def session(self, budget: float = DEFAULT_BUDGET) -> DnsLookup:
        """Return a lookup bound to one check's total time budget, in seconds."""
        ...


class InvalidName(ValueError):
    """A name that cannot be asked for in DNS: too long, an empty label, not valid IDNA."""


# Checks ask about the same few names again and again; parsing one costs more than the rest of
# a cached lookup. Names are immutable, so sharing them is safe.
@functools.lru_cache(maxsize=4096)
def _qname(name: str) -> dns.name.Name:
    """Turn a name as pyspf passes it into an absolute DNS name.

    Both resolvers refuse the same names in the same way, with :class:`InvalidName`. It is
    deliberately not a ``UnicodeError``: pyspf would report that as a non-ASCII SPF record.
    """
    try:
        return dns.name.from_text(name, origin=dns.name.root)
    except dns.name.NameTooLong:
        reason = "longer than 255 octets (RFC 1035 §2.3.4)"
    except dns.name.LabelTooLong:
        reason = "a label is longer than 63 octets (RFC 1035 §2.3.4)"
    except dns.name.EmptyLabel:
        reason = "empty label"
    except (dns.exception.DNSException, UnicodeError) as exc:
        reason = str(exc) or type(exc).__name__
    raise InvalidName(f"invalid domain name {name!r}: {reason}")


def _rdata_value(rdata: dns.rdata.Rdata) -> Any:
    """Convert one dnspython rdata into pyspf's value for its type."""
    rdtype = rdata.rdtype
    if rdtype in (dns.rdatatype.A, dns.rdatatype.AAAA):
        return str(rdata.address)  # type: ignore[attr-defined]
    if rdtype == dns.rdatatype.MX:
        exchange: dns.name.Name = rdata.exchange  # type: ignore[attr-defined]
        return (int(rdata.preference), exchange.to_text(omit_final_dot=True))  # type: ignore[attr-defined]
    if rdtype in (dns.rdatatype.PTR, dns.rdatatype.CNAME):
        target: dns.name.Name = rdata.target  # type: ignore[attr-defined]
        return target.to_text(omit_final_dot=True)
    if rdtype in (dns.rdatatype.TXT, dns.rdatatype.SPF):
        return tuple(bytes(s) for s in rdata.strings)  # type: ignore[attr-defined]
    return rdata.to_text()


# ---------------------------------------------------------------------------------------------
# Zone data
# ---------------------------------------------------------------------------------------------


class _Timeout:
    """Marks, inside a name's record list, where a lookup times out (conformance suite)."""

    def __repr__(self) -> str:
        return "TIMEOUT"


TIMEOUT: Final = _Timeout()

_Entry = tuple[str, Any] | _Timeout


class ZoneResolver:
    """Answers from in-memory zone data holding records for many domains.

    Records are kept per owner name, in order. A :data:`TIMEOUT` marker in a name's list makes
    a query for that name time out, unless a record of the asked type comes before the marker;
    this is how the OpenSPF conformance suite describes slow servers.
    """

    source = "zone"

    def __init__(self, records: Mapping[dns.name.Name, Sequence[_Entry]]) -> None:
        self._records: dict[dns.name.Name, tuple[_Entry, ...]] = {
            name: tuple(entries) for name, entries in records.items()
        }

    @classmethod
    def from_text(cls, text: str, filename: str = "<zone>") -> ZoneResolver:
        """Build from RFC 1035 master-file text (absolute names; ``$TTL``/``$ORIGIN`` allowed).

        No SOA is needed: the text is a set of records, not one zone.
        """
        # Read as one zone at the root: every absolute name belongs to it, and $TTL and
        # $ORIGIN work as in any master file. $INCLUDE stays disabled. Records before any
        # $TTL get a default TTL instead of an error.
        zone = dns.zone.Zone(dns.name.root, relativize=False)
        with zone.writer(replacement=True) as txn:
            tokenizer = dns.tokenizer.Tokenizer(text, filename)
            reader = dns.zonefile.Reader(tokenizer, zone.rdclass, txn, default_ttl=DEFAULT_TTL)
            reader.read()
        records: dict[dns.name.Name, list[_Entry]] = {}
        for name, rdataset in zone.iterate_rdatasets():
            rdtype = dns.rdatatype.to_text(rdataset.rdtype)
            entries = records.setdefault(name, [])
            entries.extend((rdtype, _rdata_value(rdata)) for rdata in rdataset)
        return cls(records)

    @classmethod
    def from_file(cls, path: str | Path) -> ZoneResolver:
        return cls.from_text(Path(path).read_text(encoding="utf-8"), filename=str(path))

    @classmethod
    def from_suite_zonedata(cls, zonedata: Mapping[str, Sequence[Any]]) -> ZoneResolver:
        """Build from one scenario's ``zonedata`` in the OpenSPF YAML test suite.

        Follows the suite's conventions: ``TIMEOUT`` entries time out, a ``NONE`` value stands
        for no record, TXT/SPF values are strings or lists of strings, and a name that has
        ``SPF`` records but no ``TXT`` entry at all gets the same records as TXT ("auto-magic
        duplication", see the suite's header).
        """
        records: dict[dns.name.Name, list[_Entry]] = {}
        for owner, items in zonedata.items():
            entries: list[_Entry] = []
            generated: list[_Entry] = []
            has_txt = False
            for item in items:
                if item == "TIMEOUT":
                    entries.append(TIMEOUT)
                    continue
                ((rdtype, value),) = item.items()
                rdtype = str(rdtype).upper()
                if rdtype == "TXT":
                    has_txt = True
                if value == "NONE":
                    continue
                if value == "TIMEOUT":
                    entries.append((rdtype, TIMEOUT))
                    continue
                converted = _suite_value(rdtype, value)
                entries.append((rdtype, converted))
                if rdtype == "SPF":
                    generated.append(("TXT", converted))
            if not has_txt:
                entries.extend(generated)
            records.setdefault(_qname(owner), []).extend(entries)
        return cls(records)

    def session(self, budget: float = DEFAULT_BUDGET) -> DnsLookup:
        # Zone data answers instantly: the budget cannot run out.
        return self.lookup

    def lookup(
        self, name: str, qtype: str, strict: bool = True, timeout: float = 30.0
    ) -> LookupResult:
        qtype = qtype.upper()
        entries = self._records.get(_qname(name), ())
        found: LookupResult = []
        for entry in entries:
            if isinstance(entry, _Timeout):
                if not found:
                    raise pyspf.TempError("DNS timeout")
                break
            rdtype, value = entry
            if rdtype != qtype and rdtype != "CNAME":
                continue
            if isinstance(value, _Timeout):
                raise pyspf.TempError("DNS timeout")
            found.append(((name, rdtype), value))
        # A CNAME is answered alongside data only when it is all there is (RFC 1034 §3.6.2);
        # pyspf follows it with a further query.
        data = [item for item in found if item[0][1] == qtype]
        return data or found


def _suite_value(rdtype: str, value: Any) -> Any:
    if rdtype in ("TXT", "SPF"):
        strings = [value] if isinstance(value, str) else list(value)
        return tuple(s.encode("utf-8") if isinstance(s, str) else bytes(s) for s in strings)
    if rdtype == "MX":
        preference, host = value
        return (int(preference), str(host).rstrip("."))
    if rdtype in ("PTR", "CNAME"):
        return str(value).rstrip(".")
    return str(value)


# ---------------------------------------------------------------------------------------------
# Live DNS
# ---------------------------------------------------------------------------------------------

Records = tuple[tuple[str, Any], ...]


class AnswerCache(Protocol):
    """Where a live resolver keeps answers between checks, keyed by (lower-case name, type).

    ``get`` returns the ``(qtype, value)`` pairs of an answer still within its TTL, or None;
    ``put`` keeps an answer (an empty one for NXDOMAIN and NODATA) for ``ttl`` seconds. No
    cache may give an answer after its TTL. :class:`DnsCache` keeps answers in the process;
    ``mailcheck.dnscache`` shares them between processes and machines through Django's cache.
    """

    def get(self, key: tuple[str, str]) -> Records | None: ...

    def put(self, key: tuple[str, str], records: Iterable[tuple[str, Any]], ttl: float) -> None: ...


@dataclass(frozen=True)
class _CacheEntry:
    expires: float
    records: Records  # (qtype, value) pairs


class DnsCache:
    """A thread-safe answer cache in the process, honouring TTLs, shared by all its checks.

    Every lifetime is capped at ``max_ttl``; the oldest entries go first when more than
    ``max_entries`` are held.
    """

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        max_ttl: float = 86_400.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.max_ttl = max_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], _CacheEntry] = OrderedDict()

    def get(self, key: tuple[str, str]) -> Records | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry.expires <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry.records

    def put(self, key: tuple[str, str], records: Iterable[tuple[str, Any]], ttl: float) -> None:
        ttl = min(ttl, self.max_ttl)
        if ttl <= 0:
            return
        entry = _CacheEntry(self._clock() + ttl, tuple(records))
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def parse_nameserver(text: str) -> tuple[str, int]:
    """Read a name server as the settings and the command line give it: (address, port).

    ``192.0.2.53`` or ``192.0.2.53:5353`` for IPv4; ``[2001:db8::53]`` or
    ``[2001:db8::53]:5353`` for IPv6: brackets are the only way to give an IPv6 address a
    port. Without brackets an IPv6 address is asked on port 53, but only when it cannot also
    be read as a shorter address and a port: ``::1`` and ``2001:db8::53`` are accepted,
    ``::1:53`` (the address ``::1:53``, or ``::1`` on port 53?) is refused with both
    spellings to choose from. Host names are refused: they would need DNS to find DNS.
    """
    text = text.strip()
    if not text:
        raise ValueError("bad name server '': empty; give an IP address, optionally with :PORT")
    host, port = text, 53
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(f"bad name server {text!r}: expected [IPv6]:PORT")
        if rest:
            port = _port(text, rest[1:])
    elif text.count(":") == 1:
        host, _, port_text = text.partition(":")
        port = _port(text, port_text)
    elif text.count(":") > 1:
        shorter, _, last = text.rpartition(":")
        if last.isdigit() and 0 < int(last) < 65536 and _is_ip(shorter):
            raise ValueError(
                f"bad name server {text!r}: ambiguous; write [{shorter}]:{last} for {shorter} "
                f"on port {last}, or [{text}] for the address {text} on port 53"
            )
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(
            f"bad name server {text!r}: give an IP address, optionally with :PORT, and an "
            "IPv6 address in brackets when it has a port, as in [2001:db8::53]:5353 "
            "(host names are not resolved)"
        ) from None
    return str(address), port


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _port(text: str, port_text: str) -> int:
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"bad name server {text!r}: port must be a number from 1 to 65535")
    return int(port_text)


def _server_text(address: str, port: int) -> str:
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def loggable_name(name: str | dns.name.Name) -> str:
    """A query name fit for a log line.

    SPF macros can write the sender into a name (RFC 7208 §7.2: ``%{s}`` is the whole
    address); a label holding an ``@`` is masked, so no mail address reaches the log.
    """
    text = name.to_text() if isinstance(name, dns.name.Name) else name
    return ".".join("(sender)" if "@" in label else label for label in text.split("."))


class BudgetExhausted(pyspf.TempError):  # type: ignore[misc]
    """The check's DNS budget ran out before this query could be sent."""


class _Failed(Exception):
    """No server answered one question; ``timed_out`` when none answered at all."""

    def __init__(self, causes: list[str], *, timed_out: bool) -> None:
        super().__init__("; ".join(causes))
        self.timed_out = timed_out


class LiveResolver:
    """Asks explicit name servers over the DNS protocol; one instance serves all requests.

    Never reads ``/etc/resolv.conf`` and never applies a search list: pyspf's own dnspython path
    does, and a non-existent domain was seen to pass through a wildcard under a search domain.

    Time: a question gets at most ``timeout`` seconds in all (every server, and the TCP retry
    of a truncated answer), and never more than what is left of the check's budget. The servers
    are asked in order, each waiting for its share of the question's remaining time, so a silent
    first server leaves time for the next; a server that fails at once (SERVFAIL, refused)
    leaves its share to the others. There is no sleep between attempts.

    dnspython's ``Resolver`` is not used for the exchange itself: its per-query bound is only
    ``lifetime``, and between rounds it sleeps a back-off growing to 2 s before looking at the
    lifetime again, so with a silent server a check overran its budget by seconds (0.5 s
    timeout and 6 s budget took 8 s). ``dns.query.udp``/``tcp`` take one deadline each.
    """

    source = "live"

    def __init__(
        self,
        nameservers: Sequence[str],
        *,
        timeout: float = 1.0,
        cache: AnswerCache | None = None,
        negative_ttl: float = 60.0,
    ) -> None:
        if not nameservers:
            raise ValueError("LiveResolver needs at least one name server")
        if timeout <= 0:
            raise ValueError("the DNS timeout must be a positive number of seconds")
        self.nameservers = tuple(parse_nameserver(ns) for ns in nameservers)
        self.timeout = timeout
        self.cache: AnswerCache = cache if cache is not None else DnsCache()
        # RFC 2308 §5: for a negative answer without an SOA to take the time from.
        self.negative_ttl = negative_ttl

    def __repr__(self) -> str:
        servers = ",".join(_server_text(a, p) for a, p in self.nameservers)
        return f"LiveResolver({servers})"

    def session(self, budget: float = DEFAULT_BUDGET) -> DnsLookup:
        return _LiveSession(self, budget)

    def query(self, name: str, qtype: str, deadline: float) -> LookupResult:
        """Answer one query, from the cache or from the name servers before ``deadline``."""
        return self.query_noting_cache(name, qtype, deadline)[0]

    def query_noting_cache(
        self, name: str, qtype: str, deadline: float
    ) -> tuple[LookupResult, bool]:
        """:meth:`query`, and whether the answer came from the cache (for the trace)."""
        qtype = qtype.upper()
        qname = _qname(name)
        key = (qname.to_text().lower(), qtype)
        cached = self.cache.get(key)
        if cached is not None:
            return [((name, rdtype), value) for rdtype, value in cached], True
        started = time.monotonic()
        if deadline <= started:
            raise BudgetExhausted("DNS time budget for this check exhausted")
        try:
            response, chain = self._ask(qname, qtype, min(started + self.timeout, deadline))
        except _Failed as exc:
            elapsed = time.monotonic() - started
            ran_out = time.monotonic() >= deadline
            budget_note = " (the check's DNS budget ran out)" if ran_out else ""
            logger.warning(
                "DNS %s %s failed after %.2f s%s: %s",
                qtype,
                loggable_name(qname),
                elapsed,
                budget_note,
                exc,
            )
            what = "timeout" if exc.timed_out else "server failure"
            raise pyspf.TempError(f"DNS {what} looking up {qtype} {name}") from exc
        if response.rcode() == dns.rcode.NXDOMAIN or chain.answer is None:
            self.cache.put(key, (), self._negative_ttl(response))
            return [], False
        # The CNAME chain inside the response is followed already: the data is reported under
        # the name pyspf asked for, as pyspf's own dnspython lookup does.
        records = [(qtype, _rdata_value(rdata)) for rdata in chain.answer]
        self.cache.put(key, records, float(chain.minimum_ttl))
        return [((name, rdtype), value) for rdtype, value in records], False

    def _ask(
        self, qname: dns.name.Name, qtype: str, query_deadline: float
    ) -> tuple[dns.message.QueryMessage, dns.message.ChainingResult]:
        # EDNS0 with the 1232-octet payload of DNS Flag Day 2020: long SPF records fit in UDP
        # more often; longer answers come back truncated and are asked again over TCP.
        request = dns.message.make_query(qname, qtype, use_edns=0, payload=1232)
        causes: list[str] = []
        timed_out = True
        for index, (address, port) in enumerate(self.nameservers):
            remaining = query_deadline - time.monotonic()
            if remaining <= 0:
                break
            wait = remaining / (len(self.nameservers) - index)
            server = _server_text(address, port)
            try:
                response = dns.query.udp(
                    request, address, port=port, timeout=wait, ignore_unexpected=True
                )
                if response.flags & dns.flags.TC:
                    response = dns.query.tcp(
                        request, address, port=port, timeout=query_deadline - time.monotonic()
                    )
                rcode = response.rcode()
                if not isinstance(response, dns.message.QueryMessage):
                    causes.append(f"{server} sent a message that is not a query response")
                elif rcode in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN):
                    return response, response.resolve_chaining()
                else:
                    causes.append(f"{server} answered {dns.rcode.to_text(rcode)}")
            except dns.exception.Timeout:
                causes.append(f"{server} did not answer within {wait:.2f} s")
                continue
            except (OSError, dns.exception.DNSException) as exc:
                causes.append(f"{server}: {type(exc).__name__}: {exc}")
            timed_out = False
        if not causes:
            causes.append("no time left to ask")
        raise _Failed(causes, timed_out=timed_out)

    def _negative_ttl(self, response: dns.message.Message) -> float:
        # RFC 2308 §5: a negative answer lives for the smaller of the SOA's TTL and its MINIMUM.
        for rrset in response.authority:
            if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
                minimum = int(rrset[0].minimum)
                return float(min(rrset.ttl, minimum))
        return self.negative_ttl


class _LiveSession:
    """A lookup bound to one check: all its queries share one deadline.

    pyspf's own ``timeout`` argument is ignored: the resolver's per-query timeout and this
    check's deadline bound every query. A question that failed is not asked again in the same
    check (pyspf evaluates every address of a route, and each asks for the same record): the
    second asking fails at once instead of waiting out another timeout.
    """

    def __init__(self, resolver: LiveResolver, budget: float) -> None:
        self._resolver = resolver
        self.budget = budget
        self.deadline = time.monotonic() + budget
        self._exhausted = False
        self._failed: dict[tuple[str, str], str] = {}
        # Whether the last answer (or failure) was known without asking a server: read by
        # RecordingLookup right after each call. A session serves one check in one thread.
        self.last_from_cache = False

    def __call__(
        self, name: str, qtype: str, strict: bool = True, timeout: float = 30.0
    ) -> LookupResult:
        key = (name.lower().rstrip("."), qtype.upper())
        self.last_from_cache = key in self._failed
        if self.last_from_cache:
            raise pyspf.TempError(self._failed[key])
        try:
            result, self.last_from_cache = self._resolver.query_noting_cache(
                name, qtype, self.deadline
            )
            return result
        except BudgetExhausted:
            if not self._exhausted:
                # Once per check: every later query of the check fails the same way.
                self._exhausted = True
                logger.warning(
                    "DNS budget of %.1f s for this check exhausted: %s %s and later queries "
                    "not sent",
                    self.budget,
                    qtype.upper(),
                    loggable_name(name),
                )
            raise
        except pyspf.TempError as exc:
            self._failed[key] = str(exc)
            raise


# ---------------------------------------------------------------------------------------------
# The trace of one evaluation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DnsQuery:
    """One question a lookup was asked, as the trace shows it.

    ``outcome`` is ``"answer"``, ``"nxdomain_or_nodata"`` (pyspf's contract does not tell
    them apart), ``"timeout"`` or ``"error"``; ``answer`` holds the values as text (a TXT
    record's strings joined, as SPF reads them; MX as ``preference host``; a CNAME prefixed
    with its type). ``cached`` is None when the source has no cache (zone data).
    """

    name: str
    qtype: str
    answer: tuple[str, ...]
    outcome: str
    ms: float
    cached: bool | None = None


class RecordingLookup:
    """Wraps a lookup and notes every query made through it, with its answer and time.

    One per evaluation of one address, so each verdict gets its own list; the lookup it wraps
    (and its cache and budget) stays shared by the whole check.
    """

    def __init__(self, lookup: DnsLookup) -> None:
        self._lookup = lookup
        self.queries: list[DnsQuery] = []

    def __call__(
        self, name: str, qtype: str, strict: bool = True, timeout: float = 30.0
    ) -> LookupResult:
        started = time.perf_counter()
        try:
            result = self._lookup(name, qtype, strict, timeout)
        except pyspf.TempError as exc:
            outcome = "timeout" if _timed_out(exc) else "error"
            self._note(name, qtype, (), outcome, started)
            raise
        except Exception:
            self._note(name, qtype, (), "error", started)
            raise
        answer = tuple(_answer_text(qtype, rtype, value) for (_, rtype), value in result)
        self._note(name, qtype, answer, "answer" if answer else "nxdomain_or_nodata", started)
        return result

    def _note(
        self, name: str, qtype: str, answer: tuple[str, ...], outcome: str, started: float
    ) -> None:
        ms = (time.perf_counter() - started) * 1000
        cached = getattr(self._lookup, "last_from_cache", None)
        self.queries.append(DnsQuery(name, qtype.upper(), answer, outcome, ms, cached))


def _timed_out(exc: BaseException) -> bool:
    # Both resolvers above say "timeout" in the TempError they raise for one; an exhausted
    # budget is time run out too.
    return isinstance(exc, BudgetExhausted) or "timeout" in str(exc).lower()


def txt_records(lookup: DnsLookup, name: str, qtype: str = "TXT") -> list[str]:
    """The TXT (or SPF-type) records of ``name``, each record's strings joined into one text
    as SPF and DMARC read them (RFC 7208 §3.3); a CNAME on the way is skipped."""
    return [
        b"".join(value).decode("utf-8", "replace")
        for (_name, rtype), value in lookup(name, qtype)
        if rtype == qtype
    ]


def _answer_text(qtype: str, rtype: str, value: Any) -> str:
    if isinstance(value, tuple) and value and isinstance(value[0], bytes):
        text = b"".join(value).decode("utf-8", "replace")
    elif isinstance(value, tuple) and len(value) == 2:
        text = f"{value[0]} {value[1]}"
    else:
        text = str(value)
    return text if rtype == qtype.upper() else f"{rtype} {text}"


def resolver_from_setting(
    value: str, base_dir: Path, *, timeout: float = 1.0, cache: AnswerCache | None = None
) -> Resolver:
    """Build the resolver a setting names.

    ``zone:PATH`` reads a master file (PATH relative to ``base_dir`` unless absolute);
    ``live:HOST[:PORT],HOST[:PORT]`` asks those name servers (see :func:`parse_nameserver`),
    keeping answers in ``cache`` (a cache of its own when None).
    """
    kind, sep, rest = value.strip().partition(":")
    if sep and kind == "zone" and rest:
        path = Path(rest)
        if not path.is_absolute():
            path = base_dir / path
        if not path.is_file():
            raise ValueError(f"DNS setting {value!r}: zone file {path} does not exist")
        return ZoneResolver.from_file(path)
    if sep and kind == "live" and rest:
        servers = [part for part in (p.strip() for p in rest.split(",")) if part]
        if not servers:
            raise ValueError(f"DNS setting {value!r}: no name servers given")
        try:
            return LiveResolver(servers, timeout=timeout, cache=cache)
        except ValueError as exc:
            raise ValueError(f"DNS setting {value!r}: {exc}") from None
    raise ValueError(
        f"DNS setting {value!r} not understood: use 'zone:PATH' for a zone file or "
        "'live:HOST[:PORT],HOST[:PORT]' for name servers"
    )
