"""Delete expired saved results and move the day's check counts into the database (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mailcheck.results.tasks import purge, purge_results


class Command(BaseCommand):
    help = (
        "Delete saved results past their expiry and move the cached check counts into the "
        "database. Run it from cron, daily or more often."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="hand the work to the task worker (TASKS) instead of doing it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            result = purge_results.enqueue()
            self.stdout.write(f"enqueued purge_results as task {result.id}")
            return
        done = purge()
        self.stdout.write(
            f"deleted {done['deleted']} expired saved results; "
            f"moved {done['counted']} check counts into the database"
        )
