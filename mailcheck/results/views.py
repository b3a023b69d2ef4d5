"""Save and share a result (POST from the result page), and show a saved result by its code."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from mailcheck.check import Rejected
from mailcheck.forms import CheckForm
from mailcheck.ratelimit import Refused
from mailcheck.results.models import SavedResult
from mailcheck.results.saving import save_result
from mailcheck.services import ServiceNotConfigured, current_resolver, current_service
from mailcheck.views import limited_check, refusal
from portal.views import page_not_found


class SeeOther(HttpResponseRedirect):
    status_code = 303


@require_POST
def share(request: HttpRequest) -> HttpResponse:
    """Run the check again (within the same limits as the page), save it, and go to its page.
    Nothing is stored until the customer presses the button that posts here."""
    form = CheckForm(request.POST)
    form.is_valid()  # no field is required: the core names every problem
    values = {
        name: form.cleaned_data.get(name, "") for name in ("account", "mail_from", "header_from")
    }
    try:
        service = current_service()
    except ServiceNotConfigured:
        return render(request, "mailcheck/unavailable.html", status=503)
    try:
        outcome = limited_check(
            request,
            values["account"],
            values["mail_from"],
            service,
            current_resolver(),
            values["header_from"],
        )
    except Refused as refused:
        return refusal(request, refused)
    if isinstance(outcome, Rejected):
        # Only a hand-made form gets here: the page offers saving for valid results only.
        # The check page names the problems.
        query = urlencode({k: v for k, v in values.items() if v})
        return SeeOther(f"{reverse('mailcheck:check')}?{query}")
    saved = save_result(outcome, **values)
    return SeeOther(saved.get_absolute_url())


@require_GET
def saved(request: HttpRequest, code: str) -> HttpResponse:
    """A saved result in the URL's language. An expired code and an unknown one get the same
    404 page; neither answer is kept by any cache."""
    found = SavedResult.objects.kept().by_code(code).first()
    if found is None:
        response = page_not_found(request, Http404())
    else:
        response = render(
            request,
            "mailcheck/results/saved.html",
            {"saved": found, "report_html": found.html(get_language() or "ja")},
        )
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex"
    return response
