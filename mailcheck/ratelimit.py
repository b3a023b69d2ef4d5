"""Limits on the checks the web starts: how often, and how many at once.

A check may send a few dozen DNS queries and wait seconds for a slow name server, so the web
must not let anyone start as many as they like. Two independent guards:

- **Rate limits** (django-ratelimit, counted in Django's default cache, so machines sharing
  Redis share the counters): per client address (CHECK_RATE_LIMIT) and per target domain, the
  envelope From's registrable domain (CHECK_DOMAIN_RATE_LIMIT), so the portal cannot be used to
  flood someone's name servers from many addresses, not even with made-up sub-domains of one
  victim. Refused with 429 and Retry-After.
- **A cap on concurrent checks per process** (MAILCHECK_MAX_CONCURRENT_CHECKS), a little below
  the server's thread count, so a burst of checks waiting on a silent name server always leaves
  threads for every other page. Refused at once with 503 ("busy") and Retry-After: a refusal
  that waited for a slot would hold a thread itself. The cap applies to checks that ask live
  DNS; a check answered from a zone file never waits on the network, takes a few milliseconds
  of CPU like any page, and is bounded by the thread count like any page.

Only a check that will reach DNS counts: the empty form and input the core refuses do not.
The command line is exempt (support staff run it by hand). An API view uses :func:`admitted`
the same way the page does and turns :class:`Refused` into its own response.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum

from django.conf import settings
from django.http import HttpRequest
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]
from publicsuffixlist import PublicSuffixList
from redis.exceptions import RedisError

from mailcheck.identity import parse_account, parse_address
from mailcheck.policy import Service
from portal.clientip import client_ip

logger = logging.getLogger(__name__)

# IPv6 clients usually hold a whole /64 and may pick any address in it, so they are counted
# per /64 (django-ratelimit's own default for its "ip" key).
IPV6_PREFIX = 64


class Limit(StrEnum):
    CLIENT = "client"  # CHECK_RATE_LIMIT: checks per client address
    DOMAIN = "domain"  # CHECK_DOMAIN_RATE_LIMIT: checks per envelope-From domain
    BUSY = "busy"  # MAILCHECK_MAX_CONCURRENT_CHECKS: checks running in this process


class Refused(Exception):
    """A check was not started. ``retry_after`` is in whole seconds, for the header."""

    def __init__(self, limit: Limit, retry_after: int) -> None:
        super().__init__(limit, retry_after)
        self.limit = limit
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        return 503 if self.limit is Limit.BUSY else 429


def target_domains(
    account: str, mail_from: str, header_from: str, service: Service
) -> tuple[str, ...]:
    """The domains a check for this input asks DNS about: the envelope From's, then the visible
    From's (its DMARC policy) when one is given and readable. Empty when the core refuses the
    input before any DNS query, so nothing is counted."""
    parsed_account = parse_account(account, service.domains)
    parsed_address = parse_address(mail_from, service.domains)
    if parsed_account.value is None or parsed_address.value is None:
        return ()
    visible = parse_address(header_from, service.domains).value if header_from else None
    return (parsed_address.value.domain, *((visible.domain,) if visible else ()))


@contextmanager
def admitted(
    request: HttpRequest,
    domain: str,
    service: Service,
    *,
    live_dns: bool = True,
    also: Iterable[str] = (),
    client: tuple[str, str] | None = None,
) -> Iterator[None]:
    """Count one check from ``request`` for ``domain`` and, when it asks ``live_dns``, hold
    one of the process's check slots while it runs.

    ``client`` replaces the per-client limit with a rate and a key of its own (an API token's
    limit, counted per token); the per-domain limits and the slots apply whoever asks.
    Raises :class:`Refused` when a rate limit is reached or every slot is taken.
    """
    rate, key = client or (settings.CHECK_RATE_LIMIT, _client_key(request))
    _count(request, Limit.CLIENT, rate, key)
    # The service's own domains are what most customers check, many thousands of them a day;
    # a limit per domain would lock them all out together. Their answers come from our own
    # name servers and stay in the resolver's cache for the records' TTL, so they cannot be
    # used to flood anyone. The per-client limit still applies.
    # ``also``: other domains the check asks about, such as the visible From's (its DMARC
    # policy), each counted once against its own limit.
    targets = {registrable_domain(d) for d in (domain, *also) if not service.is_service_domain(d)}
    for target in sorted(targets):
        _count(request, Limit.DOMAIN, settings.CHECK_DOMAIN_RATE_LIMIT, target)
    if not live_dns:
        yield
        return
    slots = _slots(settings.MAILCHECK_MAX_CONCURRENT_CHECKS)
    if not slots.acquire():
        logger.warning("check refused: all %d check slots are taken", slots.size)
        # A slot frees up at the latest when a running check exhausts its DNS budget.
        raise Refused(Limit.BUSY, max(1, math.ceil(settings.MAILCHECK_DNS_BUDGET)))
    try:
        yield
    finally:
        slots.release()


# How long a check waits for a slot before it is told "busy". A check answered from cached DNS
# holds its slot for a few milliseconds, so under a burst of ordinary checks a slot frees up
# within this; checks stuck on a silent name server hold theirs for the whole DNS budget, and
# the extra ones are turned away after this short wait instead of holding a thread for long.
SLOT_WAIT = 0.05


class _Slots:
    def __init__(self, size: int) -> None:
        self.size = size
        self._semaphore = threading.BoundedSemaphore(size)

    def acquire(self) -> bool:
        return self._semaphore.acquire(timeout=SLOT_WAIT)

    def release(self) -> None:
        self._semaphore.release()


@functools.cache
def _slots(size: int) -> _Slots:
    """One set of slots per process (and per setting value, so tests can change it)."""
    return _Slots(max(1, size))


def _count(request: HttpRequest, limit: Limit, rate: str, key: str) -> None:
    if not rate:
        return
    try:
        usage = get_usage(
            request,
            group=f"mailcheck.check.{limit}",
            key=lambda _group, _request: key,
            rate=rate,
            increment=True,
        )
    except (RedisError, OSError) as exc:
        # The limits protect others; an unreachable cache should not also take the check page
        # down. The concurrency cap still holds, and /readyz reports the cache.
        logger.error("check rate limit not applied: the cache did not answer: %s", exc)
        return
    if usage is None or not usage["should_limit"]:
        return
    if limit is Limit.DOMAIN:
        # Not a customer's own check at this rate: the domain is the target of the flood, and
        # the operator needs to know whose name servers are being aimed at.
        logger.warning("check refused: rate limit per domain reached for %s", key)
    else:
        logger.warning("check refused: rate limit per client reached")
    raise Refused(limit, max(1, int(usage["time_left"])))


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    # The list ships with the package (updated by upgrading it); reading it takes a moment, so
    # once per process.
    return PublicSuffixList()


def registrable_domain(domain: str) -> str:
    """The domain one owner registered (``a.b.example.co.jp`` → ``example.co.jp``), by the
    Public Suffix List: every name under it is served by the same owner's name servers, so
    made-up sub-domains count against one limit. A public suffix itself counts as it is."""
    return str(_public_suffixes().privatesuffix(domain) or domain)


def count_per_client(request: HttpRequest, group: str, rate: str) -> None:
    """Count one use of ``group`` (an upload, a test address) against ``rate`` (COUNT/PERIOD)
    for the client (its /64 for IPv6), in the shared cache like the checks' limits; Refused
    when over it. An unreachable cache skips the count, logged, as for the checks."""
    if not rate:
        return
    try:
        usage = get_usage(
            request,
            group=group,
            key=lambda _group, _request: client_key(request),
            rate=rate,
            increment=True,
        )
    except (RedisError, OSError) as exc:
        logger.error("%s limit not applied: the cache did not answer: %s", group, exc)
        return
    if usage is not None and usage["should_limit"]:
        logger.warning("%s refused: rate limit per client reached", group)
        raise Refused(Limit.CLIENT, max(1, int(usage["time_left"])))


def client_key(request: HttpRequest) -> str:
    """The client's address as the limits count it: IPv6 clients by their /64."""
    return _client_key(request)


def _client_key(request: HttpRequest) -> str:
    address = client_ip(request)
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return str(parsed)
