"""The settings one mail address gets: its login and the service's servers.

Only an address at one of the service's domains gets any: for another address the service's
servers would be wrong, and a document naming them would mislead the mail program.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mailcheck.identity import Problem, account_for, parse_address
from mailcheck.policy import Security, Service


class Protocol(StrEnum):
    SMTP = "smtp"
    POP3 = "pop3"
    IMAP = "imap"


@dataclass(frozen=True)
class Server:
    protocol: Protocol
    host: str
    port: int
    security: Security


@dataclass(frozen=True)
class MailAccount:
    address: str  # normalised: lower-case mailbox, A-label domain
    domain: str
    login: str  # the address with its @ replaced by a dot
    provider: str  # the service's name
    domains: tuple[str, ...]  # every domain of the service
    incoming: Server
    outgoing: Server


class RefusalCode(StrEnum):
    INVALID = "invalid"  # not a mail address (the problem says why)
    OUTSIDE_SERVICE = "outside_service"  # an address, but not at one of the service's domains


@dataclass(frozen=True)
class Refusal:
    code: RefusalCode
    problem: Problem | None = None


def mail_account(service: Service, text: str) -> MailAccount | Refusal:
    """The settings for the address typed in ``text``, or why there are none."""
    parsed = parse_address(text, service.domains)
    address = parsed.value
    if address is None:
        return Refusal(RefusalCode.INVALID, parsed.problems[0] if parsed.problems else None)
    if not service.is_service_domain(address.domain):
        return Refusal(RefusalCode.OUTSIDE_SERVICE)
    return MailAccount(
        address=address.text,
        domain=address.domain,
        login=account_for(address).name,
        provider=service.name,
        domains=service.domains,
        incoming=Server(
            Protocol(service.incoming_protocol.value),
            service.incoming_server,
            service.incoming_port,
            service.incoming_security,
        ),
        outgoing=Server(
            Protocol.SMTP,
            service.submission_host,
            service.submission_port,
            service.submission_security,
        ),
    )
