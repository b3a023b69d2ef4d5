from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.utils.timezone import localdate
from django.utils.translation import gettext

from mailcheck.presenters import home_context
from mailcheck.services import ServiceNotConfigured, current_service
from portal.context_processors import site

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    """The rule as the configuration has it (from the cached service: no query when warm), or,
    with the check offline, that it is unavailable instead of an invitation to it."""
    try:
        service = current_service()
    except ServiceNotConfigured:
        return render(request, "portal/home.html", {"rule": None})
    return render(request, "portal/home.html", {"rule": home_context(service, localdate())})


# The error pages. Each is rendered in the language of its URL (/en/… English, elsewhere
# Japanese) with the site's header and links, from an explicit context rather than the context
# processors: nothing in it touches the database or the session, so the 500 page still renders
# when the database is what failed.


def url_language(request: HttpRequest) -> str:
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def error_page(request: HttpRequest, template_name: str, status: int) -> HttpResponse:
    with translation.override(url_language(request)):
        body = loader.render_to_string(template_name, {"request": request, **site(request)})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_page(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        return error_page(request, "500.html", 500)
    except Exception:
        # The error page must answer whatever broke; the plainest page is better than none.
        logger.exception("The 500 page could not be rendered")
        language = url_language(request)
        with translation.override(language):
            text = gettext("Something went wrong on our side")
        return HttpResponse(
            f'<!doctype html><html lang="{language}"><title>500</title><h1>{text}</h1></html>',
            status=500,
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent without a valid token (an expired page, cookies blocked)."""
    return error_page(request, "403_csrf.html", 403)
