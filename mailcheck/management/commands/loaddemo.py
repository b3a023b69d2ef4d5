from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser

from mailcheck import models
from mailcheck.dns import ZoneResolver
from mailcheck.services import import_service

DEMO_SERVICE = Path(__file__).resolve().parents[2] / "demo" / "service.json"
# The demo service's addresses are documentation addresses, published in the demo zone's SPF
# records only: the import's SPF rules are checked against that zone, whatever DNS the
# installation asks (a test may point MAILCHECK_DNS at a name server that never answers).
DEMO_ZONE = DEMO_SERVICE.with_name("demo.zone")
DEMO_ADMIN = ("demo-admin", "demo-admin-password")


class Command(BaseCommand):
    help = (
        "Load the demo service, the demo site content and a demo admin account, "
        "unless they are already there. For a fresh checkout, not for production."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-admin", action="store_true", help="do not create demo-admin")

    def handle(self, *args: Any, **options: Any) -> None:
        if not models.Service.objects.exists():
            row = import_service(
                json.loads(DEMO_SERVICE.read_text(encoding="utf-8")),
                source=DEMO_SERVICE.name,
                resolver=ZoneResolver.from_file(DEMO_ZONE),
            )
            self.stdout.write(f"Loaded the demo service {row.name}")
        if not options["no_admin"]:
            user_model = get_user_model()
            if not user_model.objects.filter(username=DEMO_ADMIN[0]).exists():
                user_model.objects.create_superuser(DEMO_ADMIN[0], "", DEMO_ADMIN[1])
                self.stdout.write(f"Created the admin account {DEMO_ADMIN[0]} / {DEMO_ADMIN[1]}")
        # The site's own content (notices, FAQ) is loaded by the portal app's command.
        if "loaddemocontent" in get_commands():
            call_command("loaddemocontent", stdout=self.stdout)
