from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailcheck.services import import_service


class Command(BaseCommand):
    help = "Load a service configuration written by exportservice, replacing one of the same name."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the JSON file exportservice wrote")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with open(options["file"], encoding="utf-8") as f:
                data = json.load(f)
        except OSError as exc:
            raise CommandError(f"Cannot read {options['file']}: {exc.strerror}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"{options['file']} is not JSON: {exc}") from exc
        try:
            row = import_service(data)
        except ValidationError as exc:
            raise CommandError(f"Nothing was imported: {'; '.join(exc.messages)}") from exc
        except (AttributeError, LookupError, TypeError, ValueError) as exc:
            raise CommandError(f"Nothing was imported: missing or bad value {exc}") from exc
        self.stdout.write(f"Imported {row.name}")
