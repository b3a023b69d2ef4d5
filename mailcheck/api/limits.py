"""The check's limits for API clients (mailcheck/ratelimit.py).

Without a token, an API check counts exactly as a check from the page: the same per-client and
per-domain limits, on the same counters, and the same cap on checks in flight. With a token,
the per-client limit is replaced by the token's own limit (ApiToken.rate_limit), counted per
token; the per-domain limits and the cap still apply, since they protect others' name servers
and this server's threads whoever asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpRequest

from mailcheck.api.models import ApiToken
from mailcheck.policy import Service
from mailcheck.ratelimit import admitted


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
    client = (token.rate_limit, f"api-token:{token.pk}") if token else None
    with admitted(request, domain, service, live_dns=live_dns, also=also, client=client):
        yield
