from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext

from mailcheck.services import (
    ImportRefused,
    apply_import,
    import_reason,
    plan_import,
    read_document,
)


class Command(BaseCommand):
    help = (
        "Load a service configuration written by exportservice into the service of the same "
        "name, updating its rows in place, after checking it with the admin's rules."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON file exportservice wrote")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and print what would change, without changing anything",
        )
        parser.add_argument(
            "--accept-unverified",
            action="store_true",
            help="import even when DNS could not answer whether the routes' addresses pass SPF",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                gettext("Cannot read %(file)s: %(reason)s") % {"file": path, "reason": exc.strerror}
            ) from exc
        try:
            with transaction.atomic():
                plan = plan_import(read_document(raw))
                unverified = [str(p) for p in plan.validation.unverified]
                if unverified and not options["accept_unverified"] and not options["dry_run"]:
                    raise ImportRefused(unverified, unverified=True)
                for line in plan.notes:
                    self.stdout.write(line)
                for line in plan.warnings:
                    self.stdout.write(gettext("Warning: %(problem)s") % {"problem": line})
                for line in unverified:
                    self.stdout.write(gettext("Not verified: %(problem)s") % {"problem": line})
                if options["dry_run"]:
                    self._print_differences(plan.differences)
                    self.stdout.write(gettext("Dry run: nothing was changed."))
                    return
                row = apply_import(plan, reason=import_reason(path.name))
        except ImportRefused as exc:
            lines = [gettext("Nothing was imported from %(file)s:") % {"file": path}]
            lines += [f"  {problem}" for problem in exc.problems]
            if exc.unverified:
                lines.append(
                    gettext(
                        "DNS did not answer, so these addresses could not be checked. Try again "
                        "later, or import anyway with --accept-unverified."
                    )
                )
            raise CommandError("\n".join(lines)) from None
        if plan.differences:
            self._print_differences(plan.differences)
            self.stdout.write(gettext("Imported %(service)s.") % {"service": row.name})
        else:
            self.stdout.write(
                gettext("%(service)s is already as in the file: nothing was changed.")
                % {"service": row.name}
            )

    def _print_differences(self, differences: Any) -> None:
        if not differences:
            self.stdout.write(gettext("No differences."))
            return
        for difference in differences:
            self.stdout.write(f"  {difference}")
