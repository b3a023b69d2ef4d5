from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mailcheck.batch.models import Batch


class Command(BaseCommand):
    help = "Delete batch checks past their expiry (BATCH_KEEP_DAYS) with their rows. Run daily."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted, _ = Batch.objects.expired().delete()
        self.stdout.write(f"deleted {deleted} rows of expired batches")
