"""Delete expired test addresses and the mails they received."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from mailcheck.inbound.services import purge_expired


class Command(BaseCommand):
    help = "Delete expired test mail addresses and their received mails."

    def handle(self, *args: Any, **options: Any) -> None:
        count = purge_expired()
        self.stdout.write(f"{count} expired test addresses deleted")
