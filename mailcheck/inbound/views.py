"""The test mail pages: make an address, then wait for the mail and show its grades."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from mailcheck.autoconfig.qr import qr_svg
from mailcheck.batch.views import private
from mailcheck.inbound import services, texts
from mailcheck.inbound.models import TestAddress
from mailcheck.ratelimit import Refused
from mailcheck.views import refusal

# Seconds between reloads of a waiting page without JavaScript (its script polls instead).
REFRESH_SECONDS = 10


@private
def start(request: HttpRequest) -> HttpResponse:
    """GET: what a test mail is and a button; POST: a new address (with what a check's form
    carried: account, mail_from, header_from)."""
    if request.method == "POST":
        try:
            services.count_new_address(request)
        except Refused as refused:
            return refusal(request, refused)
        address = services.create_address(
            request.POST.get("account", ""),
            request.POST.get("mail_from", ""),
            request.POST.get("header_from", ""),
        )
        return redirect(address)
    return render(request, "mailcheck/inbound/start.html", {"minutes": settings.TEST_MAIL_MINUTES})


def _address(token: str) -> TestAddress:
    address = TestAddress.objects.select_related("received").filter(token=token.lower()).first()
    if address is None:
        raise Http404("no such test address")
    return address


@private
def detail(request: HttpRequest, token: str) -> HttpResponse:
    address = _address(token)
    status = texts.status_of(address)
    context: dict[str, Any] = {
        "address": address,
        "status": status,
        "refresh_seconds": REFRESH_SECONDS,
        "minutes_left": (address.seconds_left + 59) // 60,
    }
    if status == "waiting":
        # Markup built from the matrix with the title escaped (mailcheck/autoconfig/qr.py).
        context["qr"] = mark_safe(  # noqa: S308
            qr_svg(
                f"mailto:{address.address}",
                title=gettext("QR code of the test address, for sending from a phone"),
            )
        )
    if status == "received":
        context.update(texts.page_view(address.received))
    return render(request, "mailcheck/inbound/detail.html", context)


@private
def status(request: HttpRequest, token: str) -> JsonResponse:
    address = _address(token)
    return JsonResponse({"status": texts.status_of(address), "seconds_left": address.seconds_left})
