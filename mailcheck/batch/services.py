"""Creating a batch from an upload, shared by the page and the API; its limits; its words."""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from django_ratelimit.core import get_usage  # type: ignore[import-untyped]
from redis.exceptions import RedisError

from mailcheck.batch import csvinput
from mailcheck.batch.models import Batch, BatchRow
from mailcheck.batch.tasks import check_batch
from mailcheck.ratelimit import Limit, Refused, _client_key

logger = logging.getLogger(__name__)


def read_upload(raw: bytes) -> csvinput.ParsedFile:
    """The upload's rows within BATCH_MAX_ROWS; FileRefused as :func:`csvinput.parse` says."""
    return csvinput.parse(raw, max_rows=settings.BATCH_MAX_ROWS)


def client_hash(request: HttpRequest) -> str:
    """The client's address (its /64 for IPv6), keyed with SECRET_KEY: countable, not readable."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, _client_key(request).encode(), hashlib.sha256).hexdigest()


def count_upload(request: HttpRequest) -> None:
    """Count one upload against BATCH_RATE_LIMIT for the client; Refused when over it.

    Counted in the default cache like the checks' limits (mailcheck/ratelimit.py), under a
    group of its own: a batch costs one upload here, and its rows are bounded by BATCH_MAX_ROWS
    and checked one after another by the worker, never all at once.
    """
    rate = settings.BATCH_RATE_LIMIT
    if not rate:
        return
    try:
        usage = get_usage(
            request,
            group="mailcheck.batch.upload",
            key=lambda _group, _request: _client_key(request),
            rate=rate,
            increment=True,
        )
    except (RedisError, OSError) as exc:
        logger.error("batch upload limit not applied: the cache did not answer: %s", exc)
        return
    if usage is not None and usage["should_limit"]:
        logger.warning("batch upload refused: rate limit per client reached")
        raise Refused(Limit.CLIENT, max(1, int(usage["time_left"])))


def create_batch(parsed: csvinput.ParsedFile, request: HttpRequest) -> Batch:
    """Store the rows (the malformed ones already finished, with their problem) and enqueue the
    check. The rows are committed before the task is enqueued, so a worker on another machine
    finds them; a queue that cannot be reached leaves the batch marked failed."""
    errors = len(parsed.errors)
    with transaction.atomic():
        batch = Batch.objects.create(
            total=parsed.lines,
            done=errors,
            failed=errors,
            client_hash=client_hash(request),
            language=translation.get_language() or settings.LANGUAGE_CODE,
            encoding=parsed.encoding,
        )
        rows = [
            BatchRow(batch=batch, line=row.line, account=row.account, mail_from=row.mail_from)
            for row in parsed.rows
        ] + [
            BatchRow(
                batch=batch,
                line=error.line,
                account=error.account,
                mail_from=error.mail_from,
                checked=True,
                error_field=error.field.value,
                error_code=error.code.value,
                error_columns=error.columns,
            )
            for error in parsed.errors
        ]
        BatchRow.objects.bulk_create(rows, batch_size=1000)
    try:
        result = check_batch.enqueue(batch.pk)
    except (RedisError, OSError):
        logger.exception("batch %s could not be enqueued", batch.pk)
        Batch.objects.filter(pk=batch.pk).update(status=Batch.Status.FAILED)
    else:
        Batch.objects.filter(pk=batch.pk).update(task_id=str(result.id)[:64])
    batch.refresh_from_db()
    return batch
