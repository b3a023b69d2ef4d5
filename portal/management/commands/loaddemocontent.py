"""Load the demo notices and FAQ (portal/demo/content.py), leaving existing rows untouched."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from portal.demo.content import load_demo_content


class Command(BaseCommand):
    help = (
        "Load the demo notices and FAQ entries, unless rows with their slugs already exist. "
        "Safe to run again: staff edits are kept."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = load_demo_content()
        if created:
            self.stdout.write(f"Loaded the demo site content: {', '.join(created)}")
