"""Database rows the check page needs, kept in Django's cache so that a warm check makes no query.

A snapshot is whatever its loader builds from the database (the core ``Service``, the candidate
notices and FAQ entries). It is stored in the default cache, which several machines share through
Redis when ``REDIS_URL`` is set, under a *generation*: a random token kept under its own key.
Every save or delete of a row the snapshot depends on writes a new generation (see
``mailcheck/signals.py`` and the end of ``portal/models.py``), so every process on every machine
reads the new rows on its next request; entries of old generations are never read again and
expire. A reader pays one cache round trip for the generation; the value itself is also kept in
a per-process memo under its generation, so a warm process does not even unpickle it.

The generation is written twice: at once, so that the rest of the saving request (and a test,
whose transaction never commits) sees the edit, and again when the transaction commits, because
another process may have loaded the old rows between the save and the commit and stored them
under the first new generation.

Why not a library: django-cachalot and django-cacheops cache every query on every table, which
the rest of the site does not need; this is two snapshots and one key each.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar, cast

from django.core.cache import BaseCache, caches
from django.core.signals import request_finished, request_started
from django.db import transaction
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What a cache that cannot be reached raises: the Redis client's errors, or the socket's.
CACHE_ERRORS = (RedisError, OSError)

T = TypeVar("T")

# Entries of old generations are never read again; this lets the cache drop them.
SNAPSHOT_TIMEOUT = 24 * 60 * 60

_MISSING = object()


class Snapshot(Generic[T]):
    def __init__(
        self,
        name: str,
        load: Callable[[], T],
        *,
        cache: BaseCache | None = None,
        timeout: int = SNAPSHOT_TIMEOUT,
    ) -> None:
        self.name = name
        self.load = load
        self.timeout = timeout
        self._cache = cache
        self._memo: tuple[str, T] | None = None

    @property
    def cache(self) -> BaseCache:
        return self._cache if self._cache is not None else caches["default"]

    @property
    def generation_key(self) -> str:
        return f"snapshot:{self.name}:generation"

    def get(self) -> T:
        try:
            return self._get_cached()
        except CACHE_ERRORS as exc:
            # Without the shared cache the page still works, from the database; every request
            # then pays the queries until the cache answers again.
            logger.warning(
                "snapshot %s read from the database: the cache failed: %s", self.name, exc
            )
            return self.load()

    def _get_cached(self) -> T:
        cache = self.cache
        seen = _request_generations()
        generation = seen.get(self.generation_key) if seen is not None else None
        if generation is None:
            generation = self._read_generation(cache)
            if seen is not None:
                seen[self.generation_key] = generation
        memo = self._memo
        if memo is not None and memo[0] == generation:
            return memo[1]
        key = f"snapshot:{self.name}:{generation}"
        cached = cache.get(key, _MISSING)
        if cached is _MISSING:
            value = self.load()
            cache.set(key, value, timeout=self.timeout)
        else:
            value = cast(T, cached)
        self._memo = (generation, value)
        return value

    def _read_generation(self, cache: BaseCache) -> str:
        generation = cache.get(self.generation_key)
        if generation is None:
            generation = uuid.uuid4().hex
            if not cache.add(self.generation_key, generation, timeout=None):
                # Another process started the first generation at the same moment.
                generation = cache.get(self.generation_key) or generation
        return str(generation)

    def invalidate(self) -> None:
        seen = _request_generations()
        if seen is not None:
            seen.pop(self.generation_key, None)
        try:
            self.cache.set(self.generation_key, uuid.uuid4().hex, timeout=None)
        except CACHE_ERRORS as exc:
            # The edit is saved; machines keep their snapshot until the cache answers again.
            logger.error("snapshot %s not renewed: the cache failed: %s", self.name, exc)

    def invalidate_on_commit(self) -> None:
        self.invalidate()
        transaction.on_commit(self.invalidate)


# Within one request, a snapshot's generation is read from the shared cache once: a check page
# reads the service configuration several times (the check, the related content, the dates its
# texts quote), and each read would otherwise be a round trip to Redis. The next request reads
# it again, so an edit on any machine is still seen at once. Outside a request (commands,
# tests without a client) every read goes to the cache.
_local = threading.local()


def _request_generations() -> dict[str, str] | None:
    return cast(dict[str, str] | None, getattr(_local, "generations", None))


def _request_started(**kwargs: object) -> None:
    _local.generations = {}


def _request_finished(**kwargs: object) -> None:
    _local.generations = None


request_started.connect(_request_started, dispatch_uid="snapshots.request_started")
request_finished.connect(_request_finished, dispatch_uid="snapshots.request_finished")
