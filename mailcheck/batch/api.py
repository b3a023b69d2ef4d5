"""The batch checks' API routes, mounted under /api/v1/batches (mailcheck/api/routes.py).

``POST /api/v1/batches`` takes the same CSV as the upload page, as the request body
(``Content-Type: text/csv``) or as the multipart field ``file``, and answers 201 with the
batch's id and where to follow it; ``GET /api/v1/batches/{id}`` answers its status and counts,
and its rows once it is finished. Errors are ``{"errors": [{"field", "code", "message"}]}``,
in Japanese or, with ``Accept-Language: en``, English.
"""

from __future__ import annotations

from typing import Any

import ninja
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext
from ninja import Schema, Status
from pydantic import Field

from mailcheck.api.errors import error_body, language
from mailcheck.api.schemas import Errors
from mailcheck.batch import texts
from mailcheck.batch.export import row_status
from mailcheck.batch.forms import parse_or_invalid
from mailcheck.batch.models import Batch
from mailcheck.batch.services import count_upload, create_batch
from mailcheck.batch.views import status_data
from mailcheck.check import Delivery
from mailcheck.policy import RouteKind
from mailcheck.ratelimit import Refused
from mailcheck.services import ServiceNotConfigured, current_service
from mailcheck.spf import SpfResult

router = ninja.Router(tags=["batches"])


class BatchCreated(Schema):
    id: str = Field(description="The batch's unguessable id: whoever has it can read the batch.")
    status: Batch.Status
    total: int = Field(description="Lines read from the file, checkable or not.")
    url: str = Field(description="The batch's page, in the request's language.")
    status_url: str = Field(description="This API's address for the batch.")


class RowProblem(Schema):
    field: str = Field(description="account, mail_from, or row (the number of columns).")
    code: str
    message: str


class BatchRowOut(Schema):
    line: int = Field(description="The line of the file the row starts on.")
    account: str
    mail_from: str
    status: str = Field(description="checked, or error when the row could not be checked.")
    matches: bool | None = None
    match: str = ""
    route_before: RouteKind | None = None
    route_after: RouteKind | None = None
    spf_before: SpfResult | None = None
    spf_after: SpfResult | None = None
    outcome_before: Delivery | None = None
    outcome_after: Delivery | None = None
    fix_account: str = ""
    fix_mail_from: str = ""
    change: str = Field("", description="What to change, in words.")
    error: RowProblem | None = None


class BatchOut(Schema):
    id: str
    status: Batch.Status
    total: int
    done: int = Field(description="Lines finished: checked, or refused with a problem.")
    failed: int = Field(description="Lines that could not be checked.")
    percent: int
    finished: bool
    url: str
    csv_url: str = Field(description="The results as a CSV file (UTF-8 with a byte order mark).")
    rows: list[BatchRowOut] | None = Field(None, description="Every line, once finished.")


CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": (
            "The CSV (comma- or tab-separated, UTF-8 or Shift_JIS, header optional): one "
            "account name and mail address per line."
        ),
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}


def _upload(request: HttpRequest) -> bytes | None:
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data"):
        upload = request.FILES.get("file")
        return None if upload is None else upload.read()
    if content_type in {"text/csv", "text/plain", "text/tab-separated-values"}:
        return request.body
    return None


def _urls(request: HttpRequest, batch: Batch) -> dict[str, str]:
    return {
        "url": request.build_absolute_uri(batch.get_absolute_url()),
        "status_url": request.build_absolute_uri(
            reverse("api:batch_status", args=[batch.public_id])
        ),
        "csv_url": request.build_absolute_uri(
            reverse("mailcheck:batch_csv", args=[batch.public_id])
        ),
    }


@router.post(
    "",
    response={
        201: BatchCreated,
        400: Errors,
        413: Errors,
        429: Errors,
        503: Errors,
    },
    openapi_extra=CSV_BODY,
    summary="Upload a CSV of account names and mail addresses to check",
)
def create(request: HttpRequest, response: HttpResponse) -> Any:
    """The batch is checked on the task queue; follow `status_url` until `finished`."""
    with translation.override(language(request)):
        try:
            service = current_service()
        except ServiceNotConfigured:
            message = gettext("The check is not available at the moment. Please try again later.")
            return Status(503, error_body("request", "unavailable", message))
        if len(request.body) > settings.BATCH_MAX_BYTES:
            return Status(
                413, error_body("file", "too_big", texts.too_big_text(settings.BATCH_MAX_BYTES))
            )
        raw = _upload(request)
        if raw is None:
            return Status(
                400,
                error_body(
                    "file",
                    "required",
                    gettext(
                        "Send the CSV as the body with Content-Type: text/csv, or as the "
                        "multipart/form-data field file."
                    ),
                ),
            )
        try:
            parsed = parse_or_invalid(raw, service.domains)
        except ValidationError as invalid:
            return Status(400, error_body("file", str(invalid.code), " ".join(invalid.messages)))
        try:
            count_upload(request)
        except Refused as refused:
            message = gettext("Too many uploads: try again in %(seconds)d seconds.") % {
                "seconds": refused.retry_after
            }
            response["Retry-After"] = str(refused.retry_after)
            return Status(429, error_body("request", "rate_limited", message))
        batch = create_batch(parsed, request)
        return Status(
            201,
            {
                "id": batch.public_id,
                "status": batch.status,
                "total": batch.total,
                **_urls(request, batch),
            },
        )


@router.get(
    "/{batch_id}",
    response={200: BatchOut, 404: Errors},
    url_name="batch_status",
    summary="A batch's progress, and its rows once finished",
)
def read(request: HttpRequest, batch_id: str, response: HttpResponse) -> Any:
    # A finished batch's rows hold customers' addresses.
    add_never_cache_headers(response)
    with translation.override(language(request)):
        batch = Batch.objects.live().filter(public_id=batch_id).first()
        if batch is None:
            message = gettext("There is no batch with this id, or it has expired.")
            return Status(404, error_body("id", "not_found", message))
        data: dict[str, Any] = {
            key: value
            for key, value in status_data(batch).items()
            if key in {"id", "status", "total", "done", "failed", "percent", "finished"}
        }
        data.update(_urls(request, batch))
        if batch.finished_running:
            try:
                domains = current_service().domains
            except ServiceNotConfigured:
                domains = ()
            data["rows"] = [_row(row, domains) for row in batch.rows.order_by("line")]
    return Status(200, data)


def _row(row: Any, domains: tuple[str, ...]) -> dict[str, Any]:
    status = row_status(row)
    return {
        "line": row.line,
        "account": row.account,
        "mail_from": row.mail_from,
        "status": status,
        "matches": row.matches,
        "match": row.match,
        "route_before": row.route_before or None,
        "route_after": row.route_after or None,
        "spf_before": row.spf_before or None,
        "spf_after": row.spf_after or None,
        "outcome_before": row.outcome_before or None,
        "outcome_after": row.outcome_after or None,
        "fix_account": row.fix_account,
        "fix_mail_from": row.fix_mail_from,
        "change": texts.change_text(row) if status == "checked" else "",
        "error": {
            "field": row.error_field,
            "code": row.error_code,
            "message": texts.row_error_text(row, domains),
        }
        if row.is_error
        else None,
    }
