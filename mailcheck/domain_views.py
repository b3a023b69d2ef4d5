"""The domain owner's page: what is wrong with a domain's SPF record and what to publish."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mailcheck.domain_report import domain_view
from mailcheck.identity import parse_domain
from mailcheck.ratelimit import Refused, admitted
from mailcheck.services import ServiceNotConfigured, current_resolver, current_service
from mailcheck.views import refusal

logger = logging.getLogger(__name__)


def domain_check(request: HttpRequest) -> HttpResponse:
    """A GET form, so a result has a permalink. A domain is not personal: no no-store."""
    try:
        service = current_service()
    except ServiceNotConfigured:
        return render(request, "mailcheck/unavailable.html", status=503)
    typed = request.GET.get("domain")
    resolver = current_resolver()
    context: dict[str, object] = {"typed": typed or "", "demo_dns": resolver.source == "zone"}
    status = 200
    if typed is not None:
        domain = parse_domain(typed)
        if domain is None:
            context["error"] = _("Enter a domain name, such as example.jp.")
            status = 400
        else:
            try:
                with admitted(request, domain, service, live_dns=resolver.source == "live"):
                    view = domain_view(domain, service, resolver)
            except Refused as refused:
                return refusal(request, refused)
            logger.info(
                "domain check: %d problems",
                len(view.report.problems),
                extra={"problems": [p.code.value for p in view.report.problems]},
            )
            context["view"] = view
            context["typed"] = domain
    response = render(request, "mailcheck/domain.html", context, status=status)
    if typed is not None:
        response["X-Robots-Tag"] = "noindex"
    return response
