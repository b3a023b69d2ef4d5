"""DNS answers shared by every process and machine through Django's cache.

With ``REDIS_URL`` set, Django's default cache is Redis, and a question one worker asked is not
asked again by any worker on any machine while its answer lives: positive answers for their
TTL, negative answers (NXDOMAIN, NODATA) for the SOA minimum (RFC 2308 §5). This is the thin
Django shell around :class:`mailcheck.dns.AnswerCache`; the core never imports Django.

Each process keeps what it read in a small cache of its own, for at most :data:`LOCAL_TTL`
seconds and never past the answer's TTL. When the shared cache cannot be reached, checks go on
asking the name servers, and a warning is logged.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any, Final

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import RedisError

from mailcheck.dns import AnswerCache, DnsCache, Records

logger = logging.getLogger(__name__)

# Raised by the cache backends when the cache server is down or goes away.
CACHE_ERRORS: Final = (OSError, RedisError)

# Short, so that clearing the shared cache (to drop an answer an operator knows is stale)
# reaches every process within half a minute.
LOCAL_TTL: Final = 30.0
# After a failure, the shared cache is left alone for this long: a cache server that is down
# must not cost every DNS query a connection attempt.
RETRY_AFTER: Final = 30.0
# The same cap as the process cache: no answer is kept longer than a day.
MAX_TTL: Final = 86_400.0

KEY_PREFIX: Final = "mailcheck:dns:1"


def cache_key(key: tuple[str, str]) -> str:
    """The shared cache's key for (name, type): the name is hashed, since SPF macros can write
    a mail address into a query name (RFC 7208 §7), and cache keys are seen by operators."""
    name, qtype = key
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return f"{KEY_PREFIX}:{qtype}:{digest}"


def encode(expires: float, records: Records) -> str:
    """JSON text for an answer: TXT strings as base64, since they are bytes of any value."""
    items: list[list[Any]] = []
    for qtype, value in records:
        if qtype in ("TXT", "SPF"):
            items.append([qtype, [base64.b64encode(s).decode("ascii") for s in value]])
        elif qtype == "MX":
            items.append([qtype, [int(value[0]), str(value[1])]])
        else:
            items.append([qtype, str(value)])
    return json.dumps({"expires": expires, "records": items}, separators=(",", ":"))


def decode(text: str) -> tuple[float, Records]:
    """Read :func:`encode`'s text back into (expiry time, records); ValueError if malformed."""
    try:
        data = json.loads(text)
        expires = float(data["expires"])
        records: list[tuple[str, Any]] = []
        for qtype, value in data["records"]:
            if qtype in ("TXT", "SPF"):
                records.append((qtype, tuple(base64.b64decode(s, validate=True) for s in value)))
            elif qtype == "MX":
                records.append((qtype, (int(value[0]), str(value[1]))))
            else:
                records.append((str(qtype), str(value)))
    except (TypeError, KeyError, IndexError, ValueError) as exc:
        raise ValueError(f"malformed DNS cache entry: {exc}") from exc
    return expires, tuple(records)


class SharedDnsCache:
    """An :class:`~mailcheck.dns.AnswerCache` in Django's cache ``alias``, shared by processes.

    Entries carry their expiry as wall-clock time, so a process that reads an answer another
    one stored keeps it only for what is left of its TTL.
    """

    def __init__(
        self,
        alias: str = "default",
        *,
        local: DnsCache | None = None,
        retry_after: float = RETRY_AFTER,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.alias = alias
        self.local = local if local is not None else DnsCache(max_ttl=LOCAL_TTL)
        self.retry_after = retry_after
        self._clock = clock
        self._lock = threading.Lock()
        self._down_until = 0.0

    def get(self, key: tuple[str, str]) -> Records | None:
        records = self.local.get(key)
        if records is not None or self._shared_is_down():
            return records
        try:
            text = caches[self.alias].get(cache_key(key))
        except CACHE_ERRORS as exc:
            self._failed(exc)
            return None
        if text is None:
            return None
        try:
            expires, records = decode(text)
        except ValueError as exc:
            logger.warning("DNS cache entry %s ignored: %s", cache_key(key), exc)
            return None
        remaining = expires - self._clock()
        if remaining <= 0:
            return None
        self.local.put(key, records, remaining)
        return records

    def put(self, key: tuple[str, str], records: Iterable[tuple[str, Any]], ttl: float) -> None:
        records = tuple(records)
        ttl = min(ttl, MAX_TTL)
        if ttl <= 0:
            return
        self.local.put(key, records, ttl)
        if self._shared_is_down():
            return
        text = encode(self._clock() + ttl, records)
        try:
            # The cache's own expiry is whole seconds, rounded up; the entry's expiry time is
            # what decides, so nobody is answered past the TTL.
            caches[self.alias].set(cache_key(key), text, timeout=math.ceil(ttl))
        except CACHE_ERRORS as exc:
            self._failed(exc)

    def _shared_is_down(self) -> bool:
        with self._lock:
            return self._clock() < self._down_until

    def _failed(self, exc: BaseException) -> None:
        with self._lock:
            self._down_until = self._clock() + self.retry_after
        logger.warning(
            "shared DNS cache %r unreachable (%s: %s); asking the name servers directly "
            "for the next %.0f s",
            self.alias,
            type(exc).__name__,
            exc,
            self.retry_after,
        )


def configured_cache() -> AnswerCache:
    """The answer cache for live DNS: shared through Django's cache when ``REDIS_URL`` is set,
    else one per process (Django's local-memory cache would be no more shared than that)."""
    if settings.REDIS_URL:
        return SharedDnsCache()
    return DnsCache()
