"""What keeps customers' data out of caches and search engines, and the admin lockout's page.

A check result's URL and page hold the customer's mail address, so neither a shared cache nor a
search engine may keep it. The admin lockout (django-axes) answers with a page in the site's
style that says how long to wait, with the matching Retry-After header.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

View = Callable[..., HttpResponse]


def private_when_queried(view: View) -> View:
    """Answers to a query (``?account=…&mail_from=…``) are stored nowhere and indexed nowhere:
    ``Cache-Control: no-store`` (with Django's other never-cache headers) and
    ``X-Robots-Tag: noindex``. The empty form stays cacheable and indexable."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.GET:
            add_never_cache_headers(response)
            response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the page for a login locked after repeated failures.

    Every further attempt during the lockout starts the cool-off again (axes'
    AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so the full cool-off is the wait."""
    # Imported here: axes reads the settings when its helpers are imported.
    from axes.helpers import get_cool_off  # type: ignore[import-untyped]

    cool_off = get_cool_off(request)
    seconds = int(cool_off.total_seconds()) if cool_off else None
    response = render(
        request,
        "errors/locked_out.html",
        {"retry_after": seconds, "minutes": (seconds + 59) // 60 if seconds else None},
        status=429,
    )
    if seconds:
        response["Retry-After"] = str(seconds)
    add_never_cache_headers(response)
    return response
