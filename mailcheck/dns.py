"""The one seam through which every DNS query of the checker passes.

The SPF evaluator (pyspf) asks for DNS data through a *lookup*: a callable with pyspf's
``DNSLookup`` contract. This module provides two sources of such lookups:

- :class:`ZoneResolver` answers from master-file text (the demo zone, test zones) or from the
  OpenSPF conformance suite's ``zonedata``. Nothing touches the network.
- :class:`LiveResolver` asks explicit name servers over the DNS protocol with dnspython, with a
  per-query timeout, a total time budget per check and a shared TTL-honouring cache.

A lookup is always obtained from ``resolver.session(budget)``, so one check can never spend more
than its budget waiting for DNS, however many terms its SPF record has.

The lookup contract (pyspf's): ``lookup(name, qtype, strict, timeout)`` returns a list of
``((name, qtype), value)`` pairs, where the value is the address text for A/AAAA, a
``(preference, host)`` pair for MX, the host name for PTR and CNAME, and a tuple of ``bytes``
for TXT/SPF. NXDOMAIN and NODATA give an empty list. Timeouts, SERVFAIL and an exhausted budget
raise :class:`spf.TempError`.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

import dns.exception
import dns.message
import dns.name
import dns.nameserver
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.resolver
import dns.rrset
import dns.tokenizer
import dns.zone
import dns.zonefile
import spf as pyspf

__all__ = [
    "DnsCache",
    "DnsLookup",
    "InvalidName",
    "LiveResolver",
    "LookupResult",
    "Resolver",
    "ZoneResolver",
    "parse_nameserver",
    "resolver_from_setting",
]

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


@dataclass(frozen=True)
class _CacheEntry:
    expires: float
    records: tuple[tuple[str, Any], ...]  # (qtype, value) pairs


class DnsCache:
    """A thread-safe answer cache honouring TTLs, shared by all checks of a process.

    Positive answers live for the smallest TTL in the answer, negative answers (NXDOMAIN,
    NODATA) for the SOA minimum of the response (RFC 2308 §5), or ``negative_ttl`` when the
    response carries no SOA. Every lifetime is capped at ``max_ttl``.
    """

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        negative_ttl: float = 60.0,
        max_ttl: float = 86_400.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.negative_ttl = negative_ttl
        self.max_ttl = max_ttl
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], _CacheEntry] = OrderedDict()

    def get(self, key: tuple[str, str]) -> tuple[tuple[str, Any], ...] | None:
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
    """Parse ``1.2.3.4``, ``1.2.3.4:5353``, ``::1`` or ``[::1]:5353`` into (address, port)."""
    text = text.strip()
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
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(
            f"bad name server {text!r}: give an IP address, optionally with :PORT "
            "(host names are not resolved)"
        ) from None
    return str(address), port


def _port(text: str, port_text: str) -> int:
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"bad name server {text!r}: port must be a number from 1 to 65535")
    return int(port_text)


class LiveResolver:
    """Asks explicit name servers with dnspython; one instance serves all requests.

    Never reads ``/etc/resolv.conf`` and never applies a search list: pyspf's own dnspython path
    does, and a non-existent domain was seen to pass through a wildcard under a search domain.
    """

    source = "live"

    def __init__(
        self,
        nameservers: Sequence[str],
        *,
        timeout: float = 1.0,
        cache: DnsCache | None = None,
    ) -> None:
        if not nameservers:
            raise ValueError("LiveResolver needs at least one name server")
        self.nameservers = tuple(parse_nameserver(ns) for ns in nameservers)
        self.timeout = timeout
        self.cache = cache if cache is not None else DnsCache()
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(address, port) for address, port in self.nameservers
        ]
        resolver.search = []
        resolver.use_search_by_default = False
        resolver.timeout = timeout
        resolver.cache = None
        # EDNS0 with the 1232-octet payload of DNS Flag Day 2020: long SPF records fit in UDP
        # more often; longer answers come back truncated and are retried over TCP.
        resolver.use_edns(0, 0, 1232)
        # The resolver is only read after this point, so threads may share it.
        self._resolver = resolver

    def __repr__(self) -> str:
        servers = ",".join(f"{a}:{p}" for a, p in self.nameservers)
        return f"LiveResolver({servers})"

    def session(self, budget: float = DEFAULT_BUDGET) -> DnsLookup:
        return _LiveSession(self, time.monotonic() + budget)

    def query(self, name: str, qtype: str, deadline: float, timeout: float) -> LookupResult:
        """Answer one query, from the cache or from the name servers before ``deadline``."""
        qtype = qtype.upper()
        qname = _qname(name)
        key = (qname.to_text().lower(), qtype)
        cached = self.cache.get(key)
        if cached is not None:
            return [((name, rdtype), value) for rdtype, value in cached]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise pyspf.TempError("DNS time budget for this check exhausted")
        lifetime = min(timeout, remaining)
        try:
            answer = self._resolver.resolve(
                qname, qtype, raise_on_no_answer=False, lifetime=lifetime, search=False
            )
        except dns.resolver.NXDOMAIN as exc:
            responses: dict[Any, dns.message.Message] = exc.kwargs.get("responses") or {}
            self.cache.put(key, (), self._negative_ttl(responses.values()))
            return []
        except dns.resolver.LifetimeTimeout as exc:
            raise pyspf.TempError(f"DNS timeout looking up {qtype} {name}") from exc
        except dns.resolver.NoNameservers as exc:
            raise pyspf.TempError(f"DNS server failure looking up {qtype} {name}") from exc
        except dns.exception.Timeout as exc:
            raise pyspf.TempError(f"DNS timeout looking up {qtype} {name}") from exc
        except (dns.exception.DNSException, OSError) as exc:
            raise pyspf.TempError(f"DNS error looking up {qtype} {name}: {exc}") from exc
        if answer.rrset is None:
            self.cache.put(key, (), self._negative_ttl([answer.response]))
            return []
        # dnspython has already followed any CNAME chain inside the response: the data is
        # reported under the name pyspf asked for, as pyspf's own dnspython lookup does.
        records = [(qtype, _rdata_value(rdata)) for rdata in answer.rrset]
        ttl = min(rrset.ttl for rrset in answer.response.answer)
        self.cache.put(key, records, ttl)
        return [((name, rdtype), value) for rdtype, value in records]

    def _negative_ttl(self, responses: Iterable[dns.message.Message]) -> float:
        # RFC 2308 §5: a negative answer lives for the smaller of the SOA's TTL and its MINIMUM.
        for response in responses:
            for rrset in response.authority:
                if rrset.rdtype == dns.rdatatype.SOA and len(rrset):
                    minimum = int(rrset[0].minimum)
                    return float(min(rrset.ttl, minimum))
        return self.cache.negative_ttl


class _LiveSession:
    """A lookup bound to one check: all its queries share one deadline."""

    def __init__(self, resolver: LiveResolver, deadline: float) -> None:
        self._resolver = resolver
        self.deadline = deadline

    def __call__(
        self, name: str, qtype: str, strict: bool = True, timeout: float = 30.0
    ) -> LookupResult:
        return self._resolver.query(name, qtype, self.deadline, timeout)


def resolver_from_setting(value: str, base_dir: Path, *, timeout: float = 1.0) -> Resolver:
    """Build the resolver a setting names.

    ``zone:PATH`` reads a master file (PATH relative to ``base_dir`` unless absolute);
    ``live:HOST[:PORT],HOST[:PORT]`` asks those name servers (IP addresses, IPv6 in brackets
    when a port is given).
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
            return LiveResolver(servers, timeout=timeout)
        except ValueError as exc:
            raise ValueError(f"DNS setting {value!r}: {exc}") from None
    raise ValueError(
        f"DNS setting {value!r} not understood: use 'zone:PATH' for a zone file or "
        "'live:HOST[:PORT],HOST[:PORT]' for name servers"
    )
