from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mailcheck.check import Rejected
from mailcheck.forms import CheckForm
from mailcheck.presenters import problem_text, report_context
from mailcheck.services import (
    ServiceNotConfigured,
    check_as_configured,
    current_resolver,
    current_service,
)


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
        outcome = check_as_configured(
            form.cleaned_data["account"], form.cleaned_data["mail_from"], service, resolver
        )
        if isinstance(outcome, Rejected):
            for problem in outcome.problems:
                form.add_error(problem.field.value, problem_text(problem, service.domains))
        else:
            context["report"] = report_context(outcome)
    status = 400 if submitted and form.errors else 200
    return render(request, "mailcheck/check.html", context, status=status)
