"""The thin Django shell: the three documents where mail programs look for them, and the page
that explains them to the customer.

Every answer holds a customer's address: sent with ``Cache-Control: private, no-store`` (and
Django's other never-cache headers) and kept out of search engines, and the address is never
logged (the request log leaves out the query string).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from mailcheck import messages
from mailcheck.autoconfig import autodiscover, mobileconfig, thunderbird
from mailcheck.autoconfig.account import MailAccount, Refusal, RefusalCode, mail_account
from mailcheck.autoconfig.forms import SetupForm
from mailcheck.autoconfig.qr import qr_svg
from mailcheck.identity import Field
from mailcheck.models import IncomingProtocolChoice, SecurityChoice
from mailcheck.policy import Service
from mailcheck.services import ServiceNotConfigured, current_service

PARAMETER = "emailaddress"
# The documents live outside the language-prefixed pages, so they speak the site's default
# language unless the link asks for another (the set-up page adds its own).
LANGUAGE_PARAMETER = "lang"

View = Callable[[HttpRequest], HttpResponse]


def in_requested_language(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        language = request.GET.get(LANGUAGE_PARAMETER, "")
        if language in dict(settings.LANGUAGES):
            with translation.override(language):
                return view(request)
        return view(request)

    return wrapped


def _service() -> Service | None:
    try:
        return current_service()
    except ServiceNotConfigured:
        return None


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response


def refusal_text(refusal: Refusal, service: Service) -> str:
    """Why an address gets no settings, in the customer's language."""
    if refusal.code is RefusalCode.OUTSIDE_SERVICE:
        return gettext(
            "This address is not at one of our mail domains (%(domains)s), so our servers would "
            "be wrong for it. For an address of another provider or of your own domain, use the "
            "settings that provider gives you."
        ) % {"domains": ", ".join(service.domains)}
    problem = refusal.problem
    if problem is None:
        return gettext("Enter a mail address, for example iij-taro@iijmio-mail.jp.")
    text = (
        messages.FIELD_PROBLEMS.get((problem.code, Field.MAIL_FROM))
        or messages.PROBLEMS[problem.code]
    )
    return str(text)


def _plain(text: str, status: int) -> HttpResponse:
    return _private(
        HttpResponse(text + "\n", status=status, content_type="text/plain; charset=utf-8")
    )


def _unavailable() -> HttpResponse:
    return _plain(
        gettext("Automatic set-up is not available: the mail service is not configured yet."),
        503,
    )


def _account_or_refusal(request: HttpRequest) -> MailAccount | HttpResponse:
    """The settings for ``?emailaddress=``, or the plain 400 (or 503) that says why not."""
    service = _service()
    if service is None:
        return _unavailable()
    result = mail_account(service, request.GET.get(PARAMETER, ""))
    if isinstance(result, Refusal):
        return _plain(f"{PARAMETER}: {refusal_text(result, service)}", 400)
    return result


@require_safe
@in_requested_language
def thunderbird_config(request: HttpRequest) -> HttpResponse:
    account = _account_or_refusal(request)
    if isinstance(account, HttpResponse):
        return account
    return _private(
        HttpResponse(
            thunderbird.config_document(account), content_type="application/xml; charset=utf-8"
        )
    )


def _autodiscover_answer(body: bytes, status: int = 200) -> HttpResponse:
    return _private(HttpResponse(body, status=status, content_type="text/xml; charset=utf-8"))


@csrf_exempt  # Outlook posts without a session or token; nothing is changed by the request.
@require_http_methods(["GET", "HEAD", "POST"])
def autodiscover_config(request: HttpRequest) -> HttpResponse:
    service = _service()
    if service is None:
        return _unavailable()
    if request.method != "POST":
        # What Exchange answers a browser that opens the address.
        return _autodiscover_answer(
            autodiscover.error_response(
                autodiscover.ErrorCode.INVALID_REQUEST, "POST an Autodiscover request"
            )
        )
    try:
        body = request.body
    except (RequestDataTooBig, RawPostDataException):
        return _autodiscover_answer(
            autodiscover.error_response(
                autodiscover.ErrorCode.INVALID_REQUEST, "the request is too large"
            )
        )
    parsed = autodiscover.read_request(body)
    if isinstance(parsed, autodiscover.RequestError):
        return _autodiscover_answer(autodiscover.error_response(parsed.code, parsed.reason))
    result = mail_account(service, parsed.email_address)
    if isinstance(result, Refusal):
        reason = (
            "EMailAddress is not at one of the service's domains"
            if result.code is RefusalCode.OUTSIDE_SERVICE
            else "EMailAddress is not a valid mail address"
        )
        return _autodiscover_answer(
            autodiscover.error_response(autodiscover.ErrorCode.ADDRESS_NOT_FOUND, reason)
        )
    return _autodiscover_answer(autodiscover.settings_response(result))


def site_host(request: HttpRequest) -> str:
    return urlsplit(settings.SITE_URL).hostname or request.get_host().partition(":")[0]


def absolute_url(request: HttpRequest, path: str) -> str:
    """``path`` on the site's public address (SITE_URL, as the feed builds its links), or on
    the address the request came to when SITE_URL is not set."""
    base = settings.SITE_URL.rstrip("/")
    return base + path if base else request.build_absolute_uri(path)


@require_safe
@in_requested_language
def apple_profile(request: HttpRequest) -> HttpResponse:
    account = _account_or_refusal(request)
    if isinstance(account, HttpResponse):
        return account
    texts = mobileconfig.ProfileTexts(
        display_name=gettext("Mail: %(address)s") % {"address": account.address},
        description=gettext(
            "Sets up the mail account %(address)s with the account name %(login)s. "
            "You are asked for the password while installing."
        )
        % {"address": account.address, "login": account.login},
        account_description=account.address,
    )
    body = mobileconfig.profile_document(account, site=site_host(request), texts=texts)
    response = HttpResponse(body, content_type=mobileconfig.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mail-{account.domain}.mobileconfig"'
    return _private(response)


def profile_path(address: str) -> str:
    """The profile's address, in the language of the page that links to it."""
    query = {PARAMETER: address, LANGUAGE_PARAMETER: translation.get_language()}
    return reverse("autoconfig:apple_profile") + "?" + urlencode(query)


@require_safe
def setup(request: HttpRequest) -> HttpResponse:
    service = _service()
    if service is None:
        return render(request, "mailcheck/unavailable.html", status=503)
    submitted = PARAMETER in request.GET
    form = SetupForm(request.GET if submitted else None)
    context: dict[str, object] = {"form": form, "service": service}
    if submitted and form.is_valid():
        result = mail_account(service, form.cleaned_data[PARAMETER])
        if isinstance(result, Refusal):
            form.add_error(PARAMETER, refusal_text(result, service))
        else:
            profile_url = absolute_url(request, profile_path(result.address))
            context.update(
                account=result,
                profile_path=profile_path(result.address),
                profile_url=profile_url,
                # Markup built from the matrix with the title escaped (mailcheck/autoconfig/qr.py).
                qr_code=mark_safe(  # noqa: S308
                    qr_svg(profile_url, title=gettext("QR code of the set-up profile's address"))
                ),
                guide_query=urlencode({"account": result.login, "mail_from": result.address}),
                incoming_protocol=IncomingProtocolChoice(result.incoming.protocol.value).label,
                incoming_security=SecurityChoice(result.incoming.security.value).label,
                outgoing_security=SecurityChoice(result.outgoing.security.value).label,
            )
    return render(request, "mailcheck/autoconfig/setup.html", context)
