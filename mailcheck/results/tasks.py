"""The periodic housekeeping of saved results and check counts, as a django-tasks task.

Nothing in django-tasks runs a task on a schedule: cron runs ``manage.py purgeresults`` (which
runs the same function in its own process, or with ``--enqueue`` hands it to the task worker),
daily or more often; see docs/deployment.md.
"""

from __future__ import annotations

import logging

from django_tasks import task

from mailcheck.results.counting import move_counts_to_database
from mailcheck.results.models import SavedResult

logger = logging.getLogger(__name__)


def purge() -> dict[str, int]:
    """Delete expired saved results and move the cached check counts into the database."""
    deleted, _by_model = SavedResult.objects.expired().delete()
    moved = move_counts_to_database()
    logger.info("purged %d expired saved results; moved %d check counts", deleted, moved)
    return {"deleted": deleted, "counted": moved}


@task()
def purge_results() -> dict[str, int]:
    return purge()
