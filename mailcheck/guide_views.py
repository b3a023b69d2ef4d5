"""The guides to where the account name and the mail address go in each mail program."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from mailcheck.guides import GUIDES, GUIDES_BY_SLUG, shown_value
from mailcheck.policy import Service
from mailcheck.services import ServiceNotConfigured, current_service


def configured_service() -> Service | None:
    """The submission server comes from the cached configuration (no query when warm); without
    an active service the guides still show the steps, just not the server."""
    try:
        return current_service()
    except ServiceNotConfigured:
        return None


def values_context(request: HttpRequest) -> dict[str, object]:
    """The values a result passes on (``?account=…&mail_from=…``), to be shown and copied."""
    values = {
        "account": shown_value(request.GET.get("account")),
        "mail_from": shown_value(request.GET.get("mail_from")),
    }
    # Links to the other guides and back to the check carry these two values, nothing else.
    query = urlencode({name: value for name, value in values.items() if value})
    return {**values, "query": query}


def guide_index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "mailcheck/guides/index.html",
        {"guides": GUIDES, "service": configured_service(), **values_context(request)},
    )


def guide_detail(request: HttpRequest, program: str) -> HttpResponse:
    guide = GUIDES_BY_SLUG.get(program)
    if guide is None:
        raise Http404(program)
    context = {
        "guide": guide,
        "others": [other for other in GUIDES if other is not guide],
        "service": configured_service(),
        **values_context(request),
    }
    return render(request, "mailcheck/guides/detail.html", context)
