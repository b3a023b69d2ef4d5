"""The test mails' API routes, mounted under /api/v1/test-mails (mailcheck/api/routes.py).

``POST /api/v1/test-mails`` makes a one-time address (optionally remembering what was typed in
a check) and answers 201 with its id, address and expiry; ``GET /api/v1/test-mails/{id}``
answers whether the mail has arrived and, once it has, its grades.
"""

from __future__ import annotations

from typing import Any, Literal

import ninja
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from ninja import Schema, Status
from pydantic import Field

from mailcheck.api.errors import error_body, language
from mailcheck.api.schemas import Errors
from mailcheck.check import Delivery
from mailcheck.inbound import services, texts
from mailcheck.inbound.grading import DkimResult, DmarcResult, RouteGrade
from mailcheck.inbound.models import TestAddress
from mailcheck.ratelimit import Refused
from mailcheck.spf import SpfResult

router = ninja.Router(tags=["test mails"])


class TestMailRequest(Schema):
    account: str = Field("", max_length=320, description="The account name typed in a check.")
    mail_from: str = Field("", max_length=320, description="The mail address typed in a check.")
    header_from: str = Field("", max_length=320, description="The From shown to recipients.")


class TestMailCreated(Schema):
    id: str = Field(description="The address's unguessable id: whoever has it can read it.")
    address: str = Field(description="Where to send the test mail from the mail program.")
    expires: str = Field(description="When the address stops taking mail (ISO 8601).")


class TestMailFix(Schema):
    kind: str
    account: str
    mail_from: str
    text: str = Field(description="What to change, in words.")


class ReceivedOut(Schema):
    client_ip: str = Field(description="The sending server's address (behind any proxy).")
    route: RouteGrade = Field(description="Which of the service's outbound routes it is.")
    helo: str
    mail_from: str = Field(description="The envelope From (MAIL FROM).")
    header_from: str = Field(description="The From shown to recipients.")
    spf: SpfResult
    dkim: DkimResult
    dmarc: DmarcResult
    outcome: Delivery
    account: str | None = Field(description="The account that logged in, where recorded.")
    mail_program: str = Field(description="X-Mailer or User-Agent, or empty.")
    received_at: str
    outcome_text: str
    route_text: str
    fixes: list[TestMailFix]


class TestMailStatus(Schema):
    id: str
    address: str
    expires: str
    status: Literal["waiting", "received", "expired"]
    received: ReceivedOut | None


@router.post(
    "",
    response={201: TestMailCreated, 400: Errors, 429: Errors},
    summary="Make a one-time address to send a test mail to",
)
def create(request: HttpRequest, payload: TestMailRequest, response: HttpResponse) -> Any:
    """Every field is optional (`{}`): given, the grades compare them with what was sent.
    A client may make TEST_MAIL_RATE_LIMIT addresses (429 with Retry-After past it)."""
    try:
        services.count_new_address(request)
    except Refused as refused:
        with translation.override(language(request)):
            message = gettext("Too many test addresses: try again in %(seconds)d seconds.") % {
                "seconds": refused.retry_after
            }
        response["Retry-After"] = str(refused.retry_after)
        return Status(429, error_body("request", "rate_limited", message))
    address = services.create_address(payload.account, payload.mail_from, payload.header_from)
    return Status(
        201,
        {"id": address.token, "address": address.address, "expires": address.expires.isoformat()},
    )


@router.get(
    "/{test_mail_id}",
    response={200: TestMailStatus, 404: Errors},
    url_name="test_mail_status",
    summary="Whether the test mail has arrived, and its grades",
)
def read(request: HttpRequest, test_mail_id: str, response: HttpResponse) -> Any:
    add_never_cache_headers(response)
    with translation.override(language(request)):
        address = (
            TestAddress.objects.select_related("received")
            .filter(token=test_mail_id.lower())
            .first()
        )
        if address is None:
            message = gettext("There is no test address with this id.")
            return Status(404, error_body("id", "not_found", message))
        status = texts.status_of(address)
        received = texts.received_data(address.received) if status == "received" else None
    return Status(
        200,
        {
            "id": address.token,
            "address": address.address,
            "expires": address.expires.isoformat(),
            "status": status,
            "received": received,
        },
    )
