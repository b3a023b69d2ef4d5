"""Support staff's command line: the same check as the page, on the same core."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailcheck.check import Rejected
from mailcheck.dns import LiveResolver, Resolver, ZoneResolver
from mailcheck.presenters import (
    finding_text,
    fix_text,
    normalisation_text,
    problem_text,
    report_json,
)
from mailcheck.services import (
    ServiceNotConfigured,
    check_as_configured,
    current_resolver,
    current_service,
)

EXIT_INVALID = 2


class Command(BaseCommand):
    help = "Check an account name and envelope From the way the portal does."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, help="the SMTP AUTH account name")
        parser.add_argument("--mail-from", required=True, help="the envelope From address")
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--zone", help="answer DNS from this RFC 1035 zone file")
        source.add_argument("--dns", metavar="HOST[:PORT]", help="ask this nameserver")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            service = current_service()
        except ServiceNotConfigured as exc:
            raise CommandError(
                f"No usable service configuration ({exc}). Run `manage.py loaddemo` or "
                "`manage.py importservice FILE`."
            ) from exc
        resolver = self._resolver(options)
        outcome = check_as_configured(options["account"], options["mail_from"], service, resolver)
        if isinstance(outcome, Rejected):
            errors = [
                {
                    "field": p.field.value,
                    "code": p.code.value,
                    "message": problem_text(p, service.domains),
                    **({"suggestion": p.suggestion} if p.suggestion else {}),
                }
                for p in outcome.problems
            ]
            if options["json"]:
                self.stdout.write(json.dumps({"errors": errors}, ensure_ascii=False))
            for error in errors:
                self.stderr.write(f"--{error['field'].replace('_', '-')}: {error['message']}")
            sys.exit(EXIT_INVALID)
        if options["json"]:
            self.stdout.write(json.dumps(report_json(outcome), ensure_ascii=False, indent=2))
            return
        data = report_json(outcome)
        write = self.stdout.write
        write(f"account:   {data['account']}")
        write(f"mail from: {data['mail_from']}")
        write(f"matches:   {'yes' if data['matches'] else 'no'} ({data['match']})")
        for n in outcome.normalisations:
            write(f"  normalised {normalisation_text(n)}")
        for key, title in (("before", "before"), ("after", "from")):
            o = data[key]
            write(f"{title} {o['date']}: route={o['route']} (helo {o['helo']}) spf={o['spf']}")
            for detail in o["details"]:
                write(f"  {detail['ip']:<20} {detail['spf']:<10} {detail['mechanism']}")
                write(f"    Received-SPF: {detail['received_spf']}")
        for finding in outcome.findings:
            write(f"why: {finding_text(finding, outcome)}")
        for fix in outcome.fixes:
            extra = f" [account {fix.account}, mail from {fix.mail_from}]" if fix.account else ""
            write(f"fix: {fix_text(fix)}{extra}")
        if outcome.dns_source == "zone":
            write("(answered from zone data, not the live DNS)")

    def _resolver(self, options: dict[str, Any]) -> Resolver:
        if options["zone"]:
            path = Path(options["zone"])
            if not path.is_file():
                self._usage_error(f"--zone: no such file {path}")
            try:
                return ZoneResolver.from_file(path)
            except Exception as exc:
                self._usage_error(f"--zone: {path} is not a zone file: {exc}")
        if options["dns"]:
            try:
                return LiveResolver([options["dns"]], timeout=settings.MAILCHECK_DNS_TIMEOUT)
            except ValueError as exc:
                self._usage_error(f"--dns: {exc}")
        return current_resolver()

    def _usage_error(self, message: str) -> None:
        self.stderr.write(message)
        sys.exit(EXIT_INVALID)
