"""One-time test addresses and the one mail each receives (its envelope, headers and grades;
never its body)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailcheck.results import codes

ADDRESS_PREFIX = "check-"


def new_token() -> str:
    """A short, unguessable, lower-case token (40 bits, the saved results' alphabet)."""
    return codes.new_code().lower()


def expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=settings.TEST_MAIL_MINUTES)


class TestAddressQuerySet(models.QuerySet["TestAddress"]):
    def live(self) -> TestAddressQuerySet:
        return self.filter(expires__gt=timezone.now())

    def expired(self) -> TestAddressQuerySet:
        return self.filter(expires__lte=timezone.now())


class TestAddress(models.Model):
    token = models.CharField(_("token"), max_length=16, unique=True, default=new_token)
    created = models.DateTimeField(_("created"), default=timezone.now)
    expires = models.DateTimeField(_("expires"), default=expiry, db_index=True)
    # What the customer typed in the check the address was made from, if any.
    account = models.CharField(_("account name"), max_length=320, blank=True)
    mail_from = models.CharField(_("mail address"), max_length=320, blank=True)
    header_from = models.CharField(_("From address"), max_length=320, blank=True)

    objects = TestAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("test address")
        verbose_name_plural = _("test addresses")

    # pytest would otherwise try to collect this class as a test.
    __test__ = False

    def __str__(self) -> str:
        return self.address

    def get_absolute_url(self) -> str:
        return reverse("mailcheck:test_mail", args=[self.token])

    @property
    def address(self) -> str:
        return f"{ADDRESS_PREFIX}{self.token}@{settings.TEST_MAIL_DOMAIN}"

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def seconds_left(self) -> int:
        return max(0, int((self.expires - timezone.now()).total_seconds()))


class ReceivedMail(models.Model):
    test_address = models.OneToOneField(
        TestAddress, on_delete=models.CASCADE, related_name="received"
    )
    received = models.DateTimeField(_("received"), default=timezone.now)
    client_ip = models.GenericIPAddressField(_("client address"), unpack_ipv4=True)
    helo = models.CharField(_("HELO name"), max_length=255, blank=True)
    mail_from = models.CharField(_("envelope From"), max_length=320, blank=True)
    rcpt = models.CharField(_("recipient"), max_length=320)
    header_from = models.CharField(_("From address"), max_length=320, blank=True)
    headers = models.TextField(_("headers"))
    grades = models.JSONField(_("grades"), default=dict)

    class Meta:
        verbose_name = _("received test mail")
        verbose_name_plural = _("received test mails")

    def __str__(self) -> str:
        return f"{self.rcpt} from {self.client_ip}"

    def grades_data(self) -> dict[str, Any]:
        return dict(self.grades)
