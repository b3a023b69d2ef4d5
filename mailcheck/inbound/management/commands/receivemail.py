"""Run the SMTP receiver for test mails: ``manage.py receivemail --bind HOST:PORT``."""

from __future__ import annotations

import asyncio
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from mailcheck.inbound.receiver import Handler, serve, tls_context


def parse_bind(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"--bind must be HOST:PORT, such as 127.0.0.1:2525, not {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)  # noqa: S104 - the operator's choice


class Command(BaseCommand):
    help = "Receive test mails over SMTP and grade them (see mailcheck/inbound/)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--bind",
            default=settings.TEST_MAIL_BIND or "127.0.0.1:2525",
            help="HOST:PORT to listen on (default: TEST_MAIL_BIND).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = parse_bind(options["bind"])
        handler = Handler(
            trusted=settings.TEST_MAIL_TRUSTED_PROXIES,
            max_connections=settings.TEST_MAIL_MAX_CONNECTIONS,
            max_bytes=settings.TEST_MAIL_MAX_BYTES,
            max_refused=settings.TEST_MAIL_MAX_REFUSED,
        )
        tls = tls_context(settings.TEST_MAIL_TLS_CERT, settings.TEST_MAIL_TLS_KEY)
        asyncio.run(self._run(host, port, handler, tls))

    async def _run(self, host: str, port: int, handler: Handler, tls: Any) -> None:
        server = await serve(host, port, handler, hostname=settings.TEST_MAIL_DOMAIN, tls=tls)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        self.stdout.write(
            f"receivemail: listening on {host}:{port} for check-…@{settings.TEST_MAIL_DOMAIN}"
            + (" (STARTTLS)" if tls else ""),
        )
        self.stdout.flush()
        await stop.wait()
        server.close()
        await server.wait_closed()
