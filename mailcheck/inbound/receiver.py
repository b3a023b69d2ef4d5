"""The SMTP receiver for test mails (aiosmtpd), run by ``manage.py receivemail``.

It accepts mail only for live one-time addresses (anything else gets 550 at RCPT, so it never
relays), one mail per address, keeps at most TEST_MAIL_MAX_BYTES of a message (the rest is read
and thrown away: only the headers are stored), limits connections per client address and the
recipients it may get refused in an hour (TEST_MAIL_MAX_REFUSED: guessing stops there), offers
STARTTLS when a certificate is configured, and reads the real client address from a HAProxy
PROXY header sent by a trusted load balancer. A PROXY header from anyone else closes the
connection. Database work runs in threads (``sync_to_async``): Django refuses it in the loop.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import ssl
import time
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session
from asgiref.sync import sync_to_async
from django.db import close_old_connections

from mailcheck.inbound import grading, services

logger = logging.getLogger(__name__)

# Seconds a trusted load balancer has to send its PROXY header.
PROXY_TIMEOUT = 5.0
REFUSED_RCPT = "550 5.1.1 No such test address, or it has expired or already received its mail"
TOO_MANY_REFUSED = "421 4.7.1 Too many unknown recipients from your address: try again later"
# The window over which a client's refused recipients are counted (TEST_MAIL_MAX_REFUSED).
REFUSAL_WINDOW = 3600.0


def _in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


class Handler:
    """The receiver's decisions, shared by every connection of one process."""

    def __init__(
        self,
        *,
        trusted: Sequence[str],
        max_connections: int,
        max_bytes: int,
        max_refused: int = 20,
    ) -> None:
        self.trusted = [ipaddress.ip_network(t, strict=False) for t in trusted]
        self.max_connections = max_connections
        self.max_bytes = max_bytes
        self.active: Counter[str] = Counter()
        # Recipients refused per client in the last REFUSAL_WINDOW seconds: one who guesses at
        # addresses is stopped after max_refused (counted in this process).
        self.max_refused = max_refused
        self.refused: defaultdict[str, deque[float]] = defaultdict(deque)

    def refusals(self, client: str, *, add: bool = False) -> int:
        """How many recipients of ``client`` were refused in the window (counting one more)."""
        now = time.monotonic()
        seen = self.refused[client]
        while seen and seen[0] < now - REFUSAL_WINDOW:
            seen.popleft()
        if add:
            seen.append(now)
        if not seen:
            del self.refused[client]
            return 0
        return len(seen)

    def is_trusted(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)

    def claim(self, client: str) -> bool:
        """Count a connection of ``client``; False when it has too many already."""
        if self.active[client] >= self.max_connections:
            logger.warning("test mail: too many connections from %s", client)
            return False
        self.active[client] += 1
        return True

    def release(self, client: str) -> None:
        self.active[client] -= 1
        if self.active[client] <= 0:
            del self.active[client]

    async def handle_PROXY(
        self, server: Receiver, session: Session, envelope: Envelope, proxy_data: Any
    ) -> bool:
        if not server.peer_trusted or not proxy_data.valid or proxy_data.src_addr is None:
            return False
        client = str(proxy_data.src_addr)
        if not self.claim(client):
            return False
        server.client_ip = client
        return True

    async def handle_RCPT(
        self,
        server: Receiver,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        client = server.client_ip
        if self.refusals(client) >= self.max_refused:
            logger.warning("test mail: too many refused recipients from %s", client)
            if server.transport is not None:
                # After this answer is written (close flushes it): 421 ends the session.
                asyncio.get_running_loop().call_soon(server.transport.close)
            return TOO_MANY_REFUSED
        found = await sync_to_async(_in_thread, thread_sensitive=False)(
            services.waiting_address, address
        )
        if found is None:
            self.refusals(client, add=True)
            return REFUSED_RCPT
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Receiver, session: Session, envelope: Envelope) -> str:
        message = envelope.original_content or b""
        stored = 0
        for rcpt in envelope.rcpt_tos:
            graded = grading.Envelope(
                client_ip=server.client_ip,
                helo=session.host_name or "",
                mail_from=str(envelope.mail_from or ""),
                rcpt=rcpt,
            )
            received = await sync_to_async(_in_thread, thread_sensitive=False)(
                services.receive, graded, message, truncated=server.truncated
            )
            stored += received is not None
        if not stored:
            return REFUSED_RCPT
        return "250 2.0.0 Received: the result is on the test mail page"


class Receiver(SMTP):
    """aiosmtpd's SMTP with the PROXY header expected from trusted peers only, a connection
    limit per client, and DATA that keeps the first TEST_MAIL_MAX_BYTES instead of refusing."""

    event_handler: Handler

    def __init__(self, handler: Handler, **kwargs: Any) -> None:
        super().__init__(
            handler,
            proxy_protocol_timeout=PROXY_TIMEOUT if handler.trusted else None,
            data_size_limit=None,
            **kwargs,
        )
        self.client_ip = ""
        self.peer_trusted = False
        self.truncated = False
        self._counted = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self.transport is None
        super().connection_made(transport)
        if not first:
            return  # STARTTLS: the same client on the same connection
        peer = transport.get_extra_info("peername")
        ip = str(peer[0]) if peer else ""
        self.peer_trusted = self.event_handler.is_trusted(ip)
        if self.peer_trusted:
            return  # the PROXY header names the client (handle_PROXY)
        # Only a trusted load balancer speaks the PROXY protocol first.
        self._proxy_timeout = None
        self.client_ip = ip
        if self.event_handler.claim(ip):
            self._counted = ip
        else:
            assert isinstance(transport, asyncio.WriteTransport)
            transport.write(b"421 4.7.0 Too many connections from your address\r\n")
            transport.close()

    def connection_lost(self, error: Exception | None) -> None:
        if self._counted:
            self.event_handler.release(self._counted)
            self._counted = ""
        elif self.client_ip and self.peer_trusted:
            self.event_handler.release(self.client_ip)
            self.client_ip = ""
        super().connection_lost(error)

    async def smtp_PROXY(self, arg: str) -> None:
        """A PROXY header from a peer that is not a trusted load balancer: it would let anyone
        claim any address, so the connection ends."""
        logger.warning("test mail: PROXY header from an untrusted peer %s refused", self.client_ip)
        await self.push("554 5.7.1 PROXY header not accepted from this address")
        if self.transport is not None:
            self.transport.close()

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed():
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        kept = bytearray()
        truncated = False
        limit = self.event_handler.max_bytes
        while self.transport is not None:
            try:
                line = await self._reader.readuntil(b"\r\n")
            except asyncio.LimitOverrunError as exc:
                # A line longer than the stream's limit: read and drop it.
                await self._reader.read(exc.consumed)
                truncated = True
                continue
            if line == b".\r\n":
                break
            if line.startswith(b"."):
                line = line[1:]  # RFC 5321 §4.5.2: dot-stuffing
            if len(kept) + len(line) > limit:
                truncated = True  # the rest is read and discarded
                continue
            kept += line
        self.truncated = truncated
        self.envelope.original_content = bytes(kept)
        self.envelope.content = bytes(kept)
        status = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push(status)


def tls_context(cert: str, key: str) -> ssl.SSLContext | None:
    if not (cert and key):
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


async def serve(
    host: str,
    port: int,
    handler: Handler,
    *,
    hostname: str,
    tls: ssl.SSLContext | None = None,
) -> asyncio.Server:
    loop = asyncio.get_running_loop()

    def factory() -> Receiver:
        return Receiver(
            handler,
            hostname=hostname,
            tls_context=tls,
            require_starttls=False,
            enable_SMTPUTF8=True,
            decode_data=False,
        )

    return await loop.create_server(factory, host=host, port=port)
