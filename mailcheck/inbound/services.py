"""The thin Django shell around the grading: addresses, the service and resolver, storage."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from mailcheck.inbound.grading import Envelope, Grades, Typed, grade, grades_to_json, split_message
from mailcheck.inbound.models import ADDRESS_PREFIX, ReceivedMail, TestAddress
from mailcheck.ratelimit import count_per_client
from mailcheck.services import current_resolver, current_service

logger = logging.getLogger(__name__)


def create_address(account: str = "", mail_from: str = "", header_from: str = "") -> TestAddress:
    """A new one-time address, remembering what the customer typed in a check (if anything)."""
    return TestAddress.objects.create(
        account=account.strip()[:320],
        mail_from=mail_from.strip()[:320],
        header_from=header_from.strip()[:320],
    )


def count_new_address(request: HttpRequest) -> None:
    """Count one new test address for the client against TEST_MAIL_RATE_LIMIT, the page and
    the API on one count; Refused past it."""
    count_per_client(request, "mailcheck.inbound.address", settings.TEST_MAIL_RATE_LIMIT)


def token_of(rcpt: str) -> str | None:
    """The token of ``check-<token>@TEST_MAIL_DOMAIN``, or None for any other recipient."""
    local, _at, domain = rcpt.strip().strip("<>").rpartition("@")
    if domain.lower().rstrip(".") != settings.TEST_MAIL_DOMAIN.lower():
        return None
    local = local.lower()
    if not local.startswith(ADDRESS_PREFIX):
        return None
    return local[len(ADDRESS_PREFIX) :] or None


def waiting_address(rcpt: str) -> TestAddress | None:
    """The live address that has received nothing yet, for a recipient; else None."""
    token = token_of(rcpt)
    if token is None:
        return None
    return TestAddress.objects.live().filter(token=token, received__isnull=True).first()


def receive(envelope: Envelope, message: bytes, *, truncated: bool) -> ReceivedMail | None:
    """Grade and store one received message for its recipient, or None when the address is no
    longer waiting (expired, or another receiver stored a mail for it first)."""
    address = waiting_address(envelope.rcpt)
    if address is None:
        return None
    service = current_service()
    grades = grade(
        envelope,
        message,
        service,
        current_resolver(),
        received_auth_pattern=service.received_auth_pattern,
        typed=Typed(address.account, address.mail_from, address.header_from),
        truncated=truncated,
        receiver=settings.MAILCHECK_RECEIVER,
        budget=settings.MAILCHECK_DNS_BUDGET,
        today=timezone.localdate(),
    )
    head, _body = split_message(message)
    try:
        # One mail per address: the one-to-one column refuses a second, even from another
        # receiver process writing to the same database.
        with transaction.atomic():
            return ReceivedMail.objects.create(
                test_address=address,
                client_ip=envelope.client_ip,
                helo=envelope.helo[:255],
                mail_from=envelope.mail_from[:320],
                rcpt=envelope.rcpt[:320],
                header_from=grades.header_from[:320],
                headers=head.decode("utf-8", "replace"),
                grades=grades_to_json(grades),
            )
    except IntegrityError:
        logger.info("test mail for an address that already has one: dropped")
        return None


def purge_expired() -> int:
    """Delete expired addresses and, with them, their mails. Returns how many addresses."""
    _deleted, per_model = TestAddress.objects.expired().delete()
    return per_model.get(TestAddress._meta.label, 0)


__all__ = [
    "Grades",
    "count_new_address",
    "create_address",
    "purge_expired",
    "receive",
    "token_of",
    "waiting_address",
]
