"""Probes for a load balancer or an orchestrator.

``/healthz`` says the process answers requests: it touches neither the database nor the cache,
so a database outage does not make every machine look dead and get restarted. ``/readyz`` says
this process can serve pages: the database answers a trivial query and the cache stores and
returns a value. A balancer takes a machine out of rotation while it answers 503.

Both live outside the language prefixes, never redirect and are never cached. They go through
the whole middleware stack like any page, so what they measure is the real cost of a request.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    problems = [problem for problem in (_database_problem(), _cache_problem()) if problem]
    if problems:
        return HttpResponse(
            "".join(f"{problem}\n" for problem in problems),
            content_type="text/plain; charset=utf-8",
            status=503,
        )
    return HttpResponse("ready\n", content_type="text/plain; charset=utf-8")


def _database_problem() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        # The cause goes to the log; the answer, which anyone may read, names only the kind.
        logger.warning("not ready: the database did not answer: %s", exc)
        return f"database: {type(exc).__name__}"
    return ""


def _cache_problem() -> str:
    # A key of its own per probe: threads probing at once must not read each other's value.
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "ok", timeout=10)
        answered = cache.get(key)
        cache.delete(key)
    except (RedisError, OSError) as exc:
        logger.warning("not ready: the cache did not answer: %s", exc)
        return f"cache: {type(exc).__name__}"
    if answered != "ok":
        logger.warning("not ready: the cache did not return the value it stored")
        return "cache: the value stored was not returned"
    return ""
