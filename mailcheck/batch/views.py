"""The batch pages: the upload form, a batch's progress and results, its CSV, its status JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from mailcheck.batch import export, texts
from mailcheck.batch.forms import UploadForm
from mailcheck.batch.models import Batch
from mailcheck.batch.services import count_upload, create_batch
from mailcheck.ratelimit import Refused
from mailcheck.services import ServiceNotConfigured, current_service
from mailcheck.views import refusal

ROWS_PER_PAGE = 500
ERRORS_SHOWN = 200
# Seconds between reloads of a running batch's page when scripts are off.
REFRESH_SECONDS = 3

SAMPLE_ROWS = (
    ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp"),
    ("iij-taro.iijmio-mail.jp", "iij-taro@e23.jp"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp"),
)


def private(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A batch's pages list customers' addresses: stored nowhere, indexed nowhere."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex"
        return response

    return wrapped


def _service_domains() -> tuple[str, ...]:
    try:
        return current_service().domains
    except ServiceNotConfigured:
        return ()


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    try:
        service = current_service()
    except ServiceNotConfigured:
        return render(request, "mailcheck/unavailable.html", status=503)
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        service_domains=service.domains,
    )
    if posted and form.is_valid():
        try:
            count_upload(request)
        except Refused as refused:
            return refusal(request, refused)
        batch = create_batch(form.cleaned_data["file"], request)
        return redirect(batch)
    context = {
        "form": form,
        "max_rows": settings.BATCH_MAX_ROWS,
        "keep_days": settings.BATCH_KEEP_DAYS,
        "sample_rows": SAMPLE_ROWS,
    }
    return render(request, "mailcheck/batch/upload.html", context, status=400 if posted else 200)


def sample(request: HttpRequest) -> HttpResponse:
    """A file to start from: the header and the demo cases, UTF-8 with a byte order mark."""
    lines = ["account,mail_from", *(f"{a},{m}" for a, m in SAMPLE_ROWS)]
    response = HttpResponse(
        "\ufeff" + "\r\n".join(lines) + "\r\n", content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="batch-sample.csv"'
    return response


def _live_batch(public_id: str) -> Batch:
    try:
        return Batch.objects.live().get(public_id=public_id)
    except Batch.DoesNotExist:
        raise Http404("no such batch") from None


def progress_text(batch: Batch) -> str:
    return gettext("%(done)s of %(total)s lines done") % {
        "done": number_format(batch.done, force_grouping=True),
        "total": number_format(batch.total, force_grouping=True),
    }


def status_data(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.public_id,
        "status": batch.status,
        "status_text": str(batch.get_status_display()),
        "total": batch.total,
        "done": batch.done,
        "failed": batch.failed,
        "percent": batch.percent,
        "progress_text": progress_text(batch),
        "finished": batch.finished_running,
    }


@private
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = _live_batch(public_id)
    domains = _service_domains()
    context: dict[str, Any] = {
        "batch": batch,
        "progress_text": progress_text(batch),
        "refresh_seconds": REFRESH_SECONDS,
    }
    if batch.finished_running:
        counts = Counter(
            {
                row["outcome_after"]: row["n"]
                for row in batch.rows.filter(error_code="")
                .values("outcome_after")
                .annotate(n=Count("pk"))
            }
        )
        context["outcome_counts"] = [
            {
                "code": code,
                "text": str(text),
                "badge": texts.OUTCOME_BADGES[code],
                "n": counts[code],
            }
            for code, text in texts.OUTCOMES.items()
            if counts[code]
        ]
        context["not_checked"] = batch.failed
        errors = batch.rows.exclude(error_code="").order_by("line")[:ERRORS_SHOWN]
        context["errors"] = [texts.RowView.of(row, domains) for row in errors]
        context["more_errors"] = max(0, batch.failed - ERRORS_SHOWN)
        page = Paginator(batch.rows.order_by("line"), ROWS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["page"] = page
        context["rows"] = [texts.RowView.of(row, domains) for row in page.object_list]
    return render(request, "mailcheck/batch/detail.html", context)


@private
def status(request: HttpRequest, public_id: str) -> JsonResponse:
    return JsonResponse(status_data(_live_batch(public_id)))


@private
def download(request: HttpRequest, public_id: str) -> StreamingHttpResponse:
    batch = _live_batch(public_id)
    response = StreamingHttpResponse(
        export.rows_csv(batch, _service_domains()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="batch-{batch.public_id}.csv"'
    return response
