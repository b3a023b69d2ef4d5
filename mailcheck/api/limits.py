"""The check's limits for API clients (mailcheck/ratelimit.py).

Without a token, an API check counts exactly as a check from the page: the same per-client and
per-domain limits, on the same counters, and the same cap on checks in flight. With a token,
the per-client limit is replaced by the token's own limit (ApiToken.rate_limit), counted per
token; the per-domain limits and the cap still apply, since they protect others' name servers
and this server's threads whoever asks.

ratelimit.admitted always counts the client's limit from CHECK_RATE_LIMIT, so the token's path
uses ratelimit's counting and slot helpers directly rather than restating them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest

from mailcheck import ratelimit
from mailcheck.api.models import ApiToken
from mailcheck.policy import Service
from mailcheck.ratelimit import Limit, Refused, admitted


@contextmanager
def api_admitted(
    request: HttpRequest,
    token: ApiToken | None,
    domains: tuple[str, ...],
    service: Service,
    *,
    live_dns: bool,
) -> Iterator[None]:
    """Count one check for ``domains`` (as ratelimit.target_domains gives them); raises
    :class:`Refused` past a limit or when every check slot is taken."""
    if not domains:
        # The core refuses this input before any DNS query: nothing to count or wait for.
        yield
        return
    domain, *also = domains
    if token is None:
        with admitted(request, domain, service, live_dns=live_dns, also=also):
            yield
        return
    ratelimit._count(request, Limit.CLIENT, token.rate_limit, f"api-token:{token.pk}")
    targets = {
        ratelimit.registrable_domain(d) for d in (domain, *also) if not service.is_service_domain(d)
    }
    for target in sorted(targets):
        ratelimit._count(request, Limit.DOMAIN, settings.CHECK_DOMAIN_RATE_LIMIT, target)
    if not live_dns:
        yield
        return
    slots = ratelimit._slots(settings.MAILCHECK_MAX_CONCURRENT_CHECKS)
    if not slots.acquire():
        raise Refused(Limit.BUSY, max(1, math.ceil(settings.MAILCHECK_DNS_BUDGET)))
    try:
        yield
    finally:
        slots.release()
