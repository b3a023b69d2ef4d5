"""Creating a batch from an upload, shared by the page and the API; its limits; its words."""

from __future__ import annotations

import hashlib
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation
from redis.exceptions import RedisError

from mailcheck.batch import csvinput
from mailcheck.batch.models import Batch, BatchRow
from mailcheck.batch.tasks import check_batch
from mailcheck.ratelimit import client_key, count_per_client

logger = logging.getLogger(__name__)


def read_upload(raw: bytes) -> csvinput.ParsedFile:
    """The upload's rows within BATCH_MAX_ROWS; FileRefused as :func:`csvinput.parse` says."""
    return csvinput.parse(raw, max_rows=settings.BATCH_MAX_ROWS)


def client_hash(request: HttpRequest) -> str:
    """The client's address (its /64 for IPv6), keyed with SECRET_KEY: countable, not readable."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, client_key(request).encode(), hashlib.sha256).hexdigest()


def count_upload(request: HttpRequest) -> None:
    """Count one upload against BATCH_RATE_LIMIT for the client; Refused when over it.

    A batch costs one upload here, and its rows are bounded by BATCH_MAX_ROWS and checked one
    after another by the worker, never all at once.
    """
    count_per_client(request, "mailcheck.batch.upload", settings.BATCH_RATE_LIMIT)


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
