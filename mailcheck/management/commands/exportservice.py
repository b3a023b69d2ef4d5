from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from mailcheck import models
from mailcheck.services import dumps, export_service


class Command(BaseCommand):
    help = "Write the service configuration (domains, routes, policy changes) as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", help="the service to export (default: the active one)")
        parser.add_argument("-o", "--output", help="file to write (default: standard output)")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = models.Service.objects.all()
        row = (
            rows.filter(name=options["name"]).first()
            if options["name"]
            else rows.filter(is_active=True).first()
        )
        if row is None:
            raise CommandError("No such service. List them in the admin under Services.")
        text = dumps(export_service(row))
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as f:
                f.write(text)
            self.stdout.write(
                gettext("Wrote %(service)s to %(file)s.")
                % {"service": row.name, "file": options["output"]}
            )
        else:
            self.stdout.write(text, ending="")
