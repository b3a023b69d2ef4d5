from __future__ import annotations

import logging
import time

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from mailcheck.check import Rejected, Report
from mailcheck.dns import Resolver
from mailcheck.forms import CheckForm
from mailcheck.policy import Service
from mailcheck.presenters import RelatedContent, ResultView, problem_text
from mailcheck.ratelimit import Limit, Refused, admitted, target_domains
from mailcheck.results import counting
from mailcheck.services import (
    ServiceNotConfigured,
    check_as_configured,
    current_resolver,
    current_service,
)
from portal.related import related_html

logger = logging.getLogger(__name__)


def check(request: HttpRequest) -> HttpResponse:
    """The self-check. A GET form, so a result has a permalink and a language switch keeps it."""
    try:
        service = current_service()
    except ServiceNotConfigured:
        return render(request, "mailcheck/unavailable.html", status=503)
    submitted = "account" in request.GET or "mail_from" in request.GET
    form = CheckForm(request.GET if submitted else None)
    resolver = current_resolver()
    context: dict[str, object] = {
        "form": form,
        "service": service,
        "demo_dns": resolver.source == "zone",
    }
    if submitted and form.is_valid():
        try:
            outcome = limited_check(
                request,
                form.cleaned_data["account"],
                form.cleaned_data["mail_from"],
                service,
                resolver,
                form.cleaned_data["header_from"],
            )
        except Refused as refused:
            return refusal(request, refused)
        if isinstance(outcome, Rejected):
            for problem in outcome.problems:
                form.add_error(problem.field.value, problem_text(problem, service.domains))
        else:
            # The site's notices and FAQ entries that staff linked to the result's findings come
            # with it, from the cached snapshot and rendered once (portal.related): no query.
            codes = [finding.value for finding in outcome.findings]
            context["report"] = ResultView(outcome, RelatedContent(related_html(codes)))
            # The step-by-step trace (every record and DNS query of every address) is for
            # experts and costs as much to render as the rest of the page: shown on request.
            context["show_trace"] = request.GET.get("trace") == "1"
    status = 400 if submitted and form.errors else 200
    return render(request, "mailcheck/check.html", context, status=status)


def limited_check(
    request: HttpRequest,
    account: str,
    mail_from: str,
    service: Service,
    resolver: Resolver,
    header_from: str = "",
) -> Report | Rejected:
    """The check within the web's limits (mailcheck/ratelimit.py), logged in one line.

    The line has the outcome's codes and the time taken, never the address or its domain: a
    customer's own domain can name the customer, and the codes are what operations need.
    """
    started = time.perf_counter()
    domains = target_domains(account, mail_from, header_from, service)
    if not domains:
        # The core refuses this input before any DNS query: nothing to count or wait for.
        outcome = check_as_configured(account, mail_from, service, resolver, header_from)
    else:
        domain, *also = domains
        with admitted(request, domain, service, live_dns=resolver.source == "live", also=also):
            outcome = check_as_configured(account, mail_from, service, resolver, header_from)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
    if isinstance(outcome, Rejected):
        logger.info(
            "check input refused",
            extra={"problems": [problem.code.value for problem in outcome.problems]},
        )
    else:
        logger.info(
            "check %s/%s in %.0f ms",
            outcome.before.result.value,
            outcome.after.result.value,
            elapsed_ms,
            extra={
                "dns": outcome.dns_source,
                "match": outcome.match.value,
                "before": outcome.before.result.value,
                "after": outcome.after.result.value,
                "outcome_before": outcome.before.delivery.value,
                "outcome_after": outcome.after.delivery.value,
                "findings": [finding.value for finding in outcome.findings],
                "service_domain": service.is_service_domain(outcome.mail_from.domain),
                "check_ms": elapsed_ms,
            },
        )
        counting.count_check(outcome, source="web")
    return outcome


def refusal(request: HttpRequest, refused: Refused) -> HttpResponse:
    """429 (a rate limit) or 503 (every check slot taken), in the page's language, with
    Retry-After. Never cached: the same URL may be answered a moment later."""
    template = "mailcheck/busy.html" if refused.limit is Limit.BUSY else "429.html"
    response = render(
        request, template, {"retry_after": refused.retry_after}, status=refused.status
    )
    response["Retry-After"] = str(refused.retry_after)
    add_never_cache_headers(response)
    return response
