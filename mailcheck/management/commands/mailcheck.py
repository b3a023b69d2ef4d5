"""Support staff's command line: the same check as the page, on the same core."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any, NoReturn

import dns.exception
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailcheck.check import Rejected
from mailcheck.dns import LiveResolver, Resolver, ZoneResolver
from mailcheck.dnscache import configured_cache
from mailcheck.domain_report import domain_view
from mailcheck.identity import parse_domain
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

_REQUIRED = re.compile(
    r"^the following arguments are required: (?P<names>.+?)(?: \(or --[\w-]+\))?$"
)
_ARGUMENT = re.compile(r"^argument (?P<name>--[\w-]+)(?:/\S+)?: (?P<reason>.+)$")


def argument_errors(message: str) -> list[dict[str, str]]:
    """argparse's message as the errors list of ``--json``: one entry per option it names.

    argparse gives a sentence, not a structure; its two shapes that name options (missing
    required options, and "argument --x: ...") are read here, anything else is a usage error.
    """
    required = _REQUIRED.match(message)
    if required:
        names = [name.strip() for name in required.group("names").split(",")]
        return [
            {"field": _field(name), "code": "required", "message": f"{name} is required"}
            for name in names
        ]
    argument = _ARGUMENT.match(message)
    if argument:
        return [{"field": _field(argument.group("name")), "code": "invalid", "message": message}]
    return [{"field": "arguments", "code": "usage", "message": message}]


def _field(option: str) -> str:
    return option.removeprefix("--").replace("-", "_")


class Command(BaseCommand):
    help = "Check an account name and envelope From the way the portal does."

    # Set by run_from_argv before the arguments are parsed, so that even an argument error can
    # be answered in JSON when --json was asked for.
    json_requested = False

    def add_arguments(self, parser: CommandParser) -> None:
        # Required unless --domain is given; handle() says so in argparse's own words.
        parser.add_argument("--account", help="the SMTP AUTH account name")
        parser.add_argument("--mail-from", help="the envelope From address")
        parser.add_argument(
            "--domain",
            help=(
                "instead of a check: what is wrong with this domain's SPF record, and the "
                "record to publish for mail through the service's listed servers"
            ),
        )
        parser.add_argument(
            "--header-from",
            default="",
            help=(
                "the From address recipients see, whose domain's DMARC policy and alignment "
                "decide the outcome (default: the envelope From)"
            ),
        )
        source = parser.add_mutually_exclusive_group()
        source.add_argument("--zone", help="answer DNS from this RFC 1035 zone file")
        source.add_argument(
            "--dns",
            metavar="HOST[:PORT]",
            help=(
                "ask this name server: an IP address, with :PORT for another port than 53; "
                "an IPv6 address with a port goes in brackets, [2001:db8::53]:5353. An "
                "unbracketed IPv6 address that could also be read as address:port (::1:53) "
                "is refused: write [::1]:53 or [::1:53]"
            ),
        )
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def run_from_argv(self, argv: list[str]) -> None:
        self.json_requested = "--json" in argv[2:]
        super().run_from_argv(argv)

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        usage_error = parser.error

        def error(message: str) -> NoReturn:
            if self.json_requested and parser.called_from_command_line:
                self._write_errors(argument_errors(message))
            usage_error(message)  # usage and message on stderr, exit status 2
            sys.exit(EXIT_INVALID)  # not reached: argparse has exited already

        # CommandParser is built inside BaseCommand.create_parser; wrapping its error method
        # keeps Django's options and behaviour and adds the JSON answer.
        parser.error = error  # type: ignore[method-assign]
        self._parser = parser
        return parser

    def handle(self, *args: Any, **options: Any) -> None:
        self._check_identity_options(options)
        # The DNS options are arguments: they are checked before anything else is read.
        resolver = self._resolver(options)
        if options["domain"] is not None:
            self._domain(options, resolver)
            return
        try:
            service = current_service()
        except ServiceNotConfigured as exc:
            raise CommandError(
                f"No usable service configuration ({exc}). Run `manage.py loaddemo` or "
                "`manage.py importservice FILE`."
            ) from exc
        outcome = check_as_configured(
            options["account"], options["mail_from"], service, resolver, options["header_from"]
        )
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
                self._write_errors(errors)
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
        if data["header_from"] != data["mail_from"]:
            aligned = "yes" if data["spf_aligned"] else "no"
            write(f"header from: {data['header_from']} (aligned: {aligned})")
        write(f"matches:   {'yes' if data['matches'] else 'no'} ({data['match']})")
        for n in outcome.normalisations:
            write(f"  normalised {normalisation_text(n)}")
        for key, title in (("before", "before"), ("after", "from")):
            o = data[key]
            write(
                f"{title} {o['date']}: route={o['route']} (helo {o['helo']}) spf={o['spf']} "
                f"outcome={o['outcome']}"
            )
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

    def _check_identity_options(self, options: dict[str, Any]) -> None:
        """--domain, or both --account and --mail-from: said as argparse says it, so the
        errors of --json name the options."""
        names = ("account", "mail_from")
        given = [f"--{n.replace('_', '-')}" for n in names if options[n] is not None]
        if options["domain"] is not None:
            if given:
                self._parser.error(f"argument --domain: not allowed with {', '.join(given)}")
            return
        missing = [f"--{n.replace('_', '-')}" for n in names if options[n] is None]
        if missing:
            listed = ", ".join(missing)
            self._parser.error(f"the following arguments are required: {listed} (or --domain)")

    def _domain(self, options: dict[str, Any], resolver: Resolver) -> None:
        """The domain owner's view: the record's problems and the record to publish."""
        domain = parse_domain(options["domain"])
        if domain is None:
            message = f"--domain: {options['domain']!r} is not a domain name (example.jp)"
            self._usage_error("domain", "invalid", message, options)
        try:
            service = current_service()
        except ServiceNotConfigured as exc:
            raise CommandError(f"No usable service configuration ({exc}).") from exc
        view = domain_view(domain, service, resolver)
        data = view.as_json()
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        write = self.stdout.write
        write(f"domain:  {data['domain']}")
        write(f"record:  {data['record'] or '(none)'}")
        write(
            f"lookups: {data['lookups']} of {data['lookup_limit']}, void lookups: "
            f"{data['void_lookups']} of {data['void_lookup_limit']}"
        )
        for problem in data["problems"]:
            write(f"problem {problem['code']}: {problem['message']}")
            write(f"  fix: {problem['fix']}")
        if not data["problems"]:
            write("no problems found")
        suggestion = data["suggestion"]
        write(f"for our listed servers: {suggestion['message']}")
        if data["suggested_record"]:
            write(f"  {data['suggested_record']}")
            write(f"  lookups: {suggestion['lookups']} of {data['lookup_limit']}")
        for note in suggestion["notes"]:
            write(f"  note: {note}")

    def _resolver(self, options: dict[str, Any]) -> Resolver:
        # "is not None": an empty value is a mistake to report, not a wish for the default.
        if options["zone"] is not None:
            path = Path(options["zone"])
            if not options["zone"].strip() or not path.is_file():
                self._usage_error("zone", "no_such_file", f"--zone: no such file {path}", options)
            try:
                return ZoneResolver.from_file(path)
            except (OSError, UnicodeError, dns.exception.DNSException) as exc:
                message = f"--zone: {path} is not a zone file: {exc}"
                self._usage_error("zone", "not_a_zone", message, options)
        if options["dns"] is not None:
            try:
                return LiveResolver(
                    [options["dns"]],
                    timeout=settings.MAILCHECK_DNS_TIMEOUT,
                    cache=configured_cache(),
                )
            except ValueError as exc:
                self._usage_error("dns", "bad_nameserver", f"--dns: {exc}", options)
        return current_resolver()

    def _usage_error(
        self, field: str, code: str, message: str, options: dict[str, Any]
    ) -> NoReturn:
        if options["json"]:
            self._write_errors([{"field": field, "code": code, "message": message}])
        self.stderr.write(message)
        sys.exit(EXIT_INVALID)

    def _write_errors(self, errors: list[dict[str, str]]) -> None:
        self.stdout.write(json.dumps({"errors": errors}, ensure_ascii=False))
