"""Daily counts of completed checks, by outcome and source, with no address or domain.

A check page answered warm reads no database row (tests/mailcheck/test_caching.py), so a check
is counted with one atomic increment in the shared cache, on a key per day, source and outcome.
The counters are moved into the database (:class:`CheckCount`) when the admin's counts page is
opened and by the periodic task (mailcheck/results/tasks.py). Every possible key is known (the
outcomes are an enum), so the move reads them all with one ``get_many``; each counter is then
lowered by what was read (an atomic decrement), so checks counted meanwhile are kept for the
next move.

Without REDIS_URL each process counts in its own memory and only the process that serves the
admin page (or runs the task) moves its counts: set REDIS_URL for exact counts.
"""

from __future__ import annotations

import contextlib
import datetime
import itertools
import logging

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone
from redis.exceptions import RedisError

from mailcheck.check import Delivery, Report
from mailcheck.results.models import CheckCount, Source

logger = logging.getLogger(__name__)

# Counters older than this are no longer read: the task moves them at least daily.
DAYS_KEPT = 7
_TIMEOUT = (DAYS_KEPT + 1) * 24 * 60 * 60
_PREFIX = "results:count"


def _key(day: datetime.date, source: str, before: str, after: str) -> str:
    return f"{_PREFIX}:{day.isoformat()}:{source}:{before}:{after}"


def count_check(report: Report, source: str) -> None:
    """Count one completed check. Never fails the check: a cache that does not answer loses the
    count and logs why."""
    key = _key(
        timezone.localdate(),
        Source(source).value,
        report.before.delivery.value,
        report.after.delivery.value,
    )
    try:
        if isinstance(cache, RedisCache):
            _increment_in_redis(cache, key)
            return
        # add() is a no-op when the key exists; incr() is atomic.
        cache.add(key, 0, timeout=_TIMEOUT)
        cache.incr(key)
    except ValueError:
        # The key expired or was evicted between add() and incr(): count it afresh.
        cache.add(key, 1, timeout=_TIMEOUT)
    except (RedisError, OSError) as exc:
        logger.error("check not counted: the cache did not answer: %s", exc)


def _increment_in_redis(redis_cache: RedisCache, key: str) -> None:
    """INCR (which starts a missing counter at 0) and its expiry, in one round trip: Django's
    add() and incr() take three on the check's path. The cache stores integers as they are,
    so get_many() and decr() read and lower what INCR wrote."""
    full_key = redis_cache.make_and_validate_key(key)
    client = redis_cache._cache.get_client(full_key, write=True)  # type: ignore[attr-defined]
    with client.pipeline(transaction=False) as pipe:
        pipe.incr(full_key)
        pipe.expire(full_key, _TIMEOUT)
        pipe.execute()


def move_counts_to_database(today: datetime.date | None = None) -> int:
    """Move the cached counters of the last DAYS_KEPT days into CheckCount; the checks moved."""
    today = today or timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in range(DAYS_KEPT)]
    outcomes = [d.value for d in Delivery]
    keys = {
        _key(day, source.value, before, after): (day, source.value, before, after)
        for day, source, before, after in itertools.product(days, Source, outcomes, outcomes)
    }
    moved: dict[tuple[datetime.date, str, str, str], int] = {}
    try:
        found = {k: int(v) for k, v in cache.get_many(list(keys)).items()}
        for key, n in found.items():
            if n <= 0:
                continue
            # A counter that expired between reading and lowering it: move what was read.
            with contextlib.suppress(ValueError):
                cache.decr(key, n)
            moved[keys[key]] = n
    except (RedisError, OSError) as exc:
        logger.error("check counts not moved: the cache did not answer: %s", exc)
    CheckCount.add(moved)
    return sum(moved.values())
