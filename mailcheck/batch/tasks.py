"""The task that checks a batch's rows, on whatever queue TASKS_BACKEND names."""

from __future__ import annotations

import logging
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django_tasks import task

from mailcheck.batch.models import Batch, BatchRow
from mailcheck.check import Rejected, Report
from mailcheck.services import (
    ServiceNotConfigured,
    check_as_configured,
    current_resolver,
    current_service,
)

logger = logging.getLogger(__name__)

# Rows checked between two progress updates: small enough that a page polling every second or
# two sees the bar move, large enough that the writes cost little beside the checks.
CHUNK = 100

RESULT_FIELDS = (
    "checked",
    "match",
    "route_before",
    "route_after",
    "spf_before",
    "spf_after",
    "outcome_before",
    "outcome_after",
    "fix_kind",
    "fix_account",
    "fix_mail_from",
    "fix_domain",
    "error_field",
    "error_code",
    "error_suggestion",
)


@task()
def check_batch(batch_id: int) -> None:
    """Check every row of the batch not checked yet, CHUNK rows at a time, counting as it goes.

    Rows already checked are skipped, so a batch whose worker was stopped half-way can be
    enqueued again and carries on where it stopped.
    """
    claimed = Batch.objects.filter(
        pk=batch_id, status__in=[Batch.Status.QUEUED, Batch.Status.RUNNING]
    ).update(status=Batch.Status.RUNNING)
    if not claimed:
        logger.info("batch %s: gone or finished before its task ran", batch_id)
        return
    batch = Batch.objects.get(pk=batch_id)
    try:
        service = current_service()
    except ServiceNotConfigured as exc:
        logger.error("batch %s stopped: no usable service configuration (%s)", batch_id, exc)
        _finish(batch_id, Batch.Status.FAILED)
        return
    resolver = current_resolver()
    started = time.perf_counter()
    checked = 0
    try:
        # The language the batch was uploaded in, for anything the check words itself.
        with translation.override(batch.language):
            while True:
                rows = list(
                    BatchRow.objects.filter(batch_id=batch_id, checked=False).order_by("line")[
                        :CHUNK
                    ]
                )
                if not rows:
                    break
                failed = 0
                for row in rows:
                    outcome = check_as_configured(row.account, row.mail_from, service, resolver)
                    failed += _record(row, outcome)
                with transaction.atomic():
                    BatchRow.objects.bulk_update(rows, RESULT_FIELDS)
                    Batch.objects.filter(pk=batch_id).update(
                        done=F("done") + len(rows), failed=F("failed") + failed
                    )
                checked += len(rows)
    except (SystemExit, KeyboardInterrupt):
        # The worker is being stopped (db_worker's second SIGTERM): queue the batch again, so
        # that the next worker carries on from the first row not yet checked.
        logger.warning("batch %s interrupted after %d rows: queued again", batch_id, checked)
        Batch.objects.filter(pk=batch_id).update(status=Batch.Status.QUEUED)
        check_batch.enqueue(batch_id)
        raise
    except Exception:
        logger.exception("batch %s stopped after %d rows", batch_id, checked)
        _finish(batch_id, Batch.Status.FAILED)
        raise
    _finish(batch_id, Batch.Status.DONE)
    elapsed = time.perf_counter() - started
    logger.info(
        "batch %s: %d rows checked in %.1f s",
        batch_id,
        checked,
        elapsed,
        extra={"batch_rows": checked, "batch_seconds": round(elapsed, 2)},
    )


def _finish(batch_id: int, status: Batch.Status) -> None:
    Batch.objects.filter(pk=batch_id).update(status=status, finished=timezone.now())


def _record(row: BatchRow, outcome: Report | Rejected) -> int:
    """Write the check's codes into ``row``; 1 when the check refused the input, else 0."""
    row.checked = True
    if isinstance(outcome, Rejected):
        problem = outcome.problems[0]
        row.error_field = problem.field.value
        row.error_code = problem.code.value
        row.error_suggestion = problem.suggestion[:320]
        return 1
    row.match = outcome.match.value
    row.route_before = outcome.before.route.kind.value
    row.route_after = outcome.after.route.kind.value
    row.spf_before = outcome.before.result.value
    row.spf_after = outcome.after.result.value
    row.outcome_before = outcome.before.delivery.value
    row.outcome_after = outcome.after.delivery.value
    if outcome.fixes:
        fix = outcome.fixes[0]
        row.fix_kind = fix.kind.value
        row.fix_account = fix.account
        row.fix_mail_from = fix.mail_from
        row.fix_domain = fix.domain
    return 0
