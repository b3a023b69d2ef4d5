"""The service's configuration, edited by support staff in the admin.

``mailcheck.services.current_service`` turns these rows into the core's frozen ``Service``.
"""

from __future__ import annotations

import datetime
import ipaddress
import re

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from mailcheck.identity import parse_domain
from mailcheck.policy import (
    DEFAULT_INCOMING_PORT,
    DEFAULT_INCOMING_PROTOCOL,
    DEFAULT_RECEIVED_AUTH_PATTERN,
    DEFAULT_SECURITY,
    IncomingProtocol,
    RouteKind,
    Security,
)


def normalise_domain_name(value: str, field: str) -> str:
    domain = parse_domain(value)
    if domain is None:
        raise ValidationError(
            {
                field: ValidationError(
                    _("%(value)s is not a valid domain name, such as example.jp."),
                    code="invalid_domain",
                    params={"value": value},
                )
            }
        )
    return domain


class RouteChoice(models.TextChoices):
    LISTED = RouteKind.LISTED.value, _("SPF-listed route")
    UNLISTED = RouteKind.UNLISTED.value, _("Unlisted route")


class SecurityChoice(models.TextChoices):
    # Protocol names, the same in every language.
    STARTTLS = Security.STARTTLS.value, "STARTTLS"
    SSL = Security.SSL.value, "SSL/TLS"
    NONE = Security.NONE.value, _("None (unencrypted)")


class IncomingProtocolChoice(models.TextChoices):
    POP3 = IncomingProtocol.POP3.value, "POP3"
    IMAP = IncomingProtocol.IMAP.value, "IMAP"


PORT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(65535)]


def validate_received_auth_pattern(value: str) -> None:
    """A regular expression with a group for the account (named ``account``, or the first)."""
    try:
        groups = re.compile(value).groups
    except re.error as exc:
        raise ValidationError(
            _("This is not a regular expression: %(error)s."),
            code="invalid_pattern",
            params={"error": exc},
        ) from None
    if value and not groups:
        raise ValidationError(
            _("Put the account in a group: (?P<account>…)."), code="pattern_without_group"
        )


class Service(models.Model):
    name = models.CharField(_("name"), max_length=100)
    submission_host = models.CharField(_("submission host"), max_length=253)
    submission_port = models.PositiveIntegerField(_("submission port"), default=587)
    submission_security = models.CharField(
        _("submission connection security"),
        max_length=10,
        choices=SecurityChoice.choices,
        default=DEFAULT_SECURITY.value,
    )
    # The server mail programs fetch mail from: only for setting them up (mailcheck/autoconfig/).
    incoming_protocol = models.CharField(
        _("incoming protocol"),
        max_length=10,
        choices=IncomingProtocolChoice.choices,
        default=DEFAULT_INCOMING_PROTOCOL.value,
    )
    incoming_host = models.CharField(
        _("incoming host"),
        max_length=253,
        blank=True,
        help_text=_("Where mail programs fetch mail. Left empty, the submission host."),
    )
    incoming_port = models.PositiveIntegerField(
        _("incoming port"), default=DEFAULT_INCOMING_PORT, validators=PORT_VALIDATORS
    )
    incoming_security = models.CharField(
        _("incoming connection security"),
        max_length=10,
        choices=SecurityChoice.choices,
        default=DEFAULT_SECURITY.value,
    )
    # Test mails (mailcheck/inbound/): where the submission server names the account that logged in.
    received_auth_pattern = models.CharField(
        _("account in the Received header"),
        max_length=300,
        blank=True,
        default=DEFAULT_RECEIVED_AUTH_PATTERN,
        validators=[validate_received_auth_pattern],
        help_text=_(
            "A regular expression that finds the account in the Received header the submission "
            "server adds, in a group named account. Empty: the server does not record it."
        ),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("The portal checks against the active service. Only one can be active."),
    )
    # Every edit, in the admin or by importservice (whose file name is the change reason).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="one_active_service",
                violation_error_message=_("Another service is already active."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.submission_host = normalise_domain_name(self.submission_host, "submission_host")
        # Stored explicitly, so the export and the admin show the host mail programs are given.
        self.incoming_host = (
            normalise_domain_name(self.incoming_host, "incoming_host")
            if self.incoming_host.strip()
            else self.submission_host
        )


class ServiceDomain(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="domains")
    name = models.CharField(_("domain"), max_length=253, unique=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service domain")
        verbose_name_plural = _("service domains")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = normalise_domain_name(self.name, "name")


class Route(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="routes")
    kind = models.CharField(_("kind"), max_length=10, choices=RouteChoice.choices)
    helo = models.CharField(
        _("HELO name"),
        max_length=253,
        help_text=_("The name the outbound servers of this route announce in HELO/EHLO."),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outbound route")
        verbose_name_plural = _("outbound routes")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "kind"],
                name="one_route_per_kind",
                violation_error_message=_("This service already has a route of this kind."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.helo})"

    def clean(self) -> None:
        self.helo = normalise_domain_name(self.helo, "helo")


class RouteAddress(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="addresses")
    address = models.GenericIPAddressField(_("IP address"), unpack_ipv4=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outbound address")
        verbose_name_plural = _("outbound addresses")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["route", "address"], name="unique_route_address")
        ]

    def __str__(self) -> str:
        return self.address

    @property
    def family(self) -> str:
        return f"IPv{ipaddress.ip_address(self.address).version}"


class PolicyChange(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="changes")
    title = models.CharField(_("title"), max_length=200)
    announced = models.DateField(_("announced on"), null=True, blank=True)
    effective = models.DateField(_("effective from"))
    matched_route = models.CharField(
        _("route when account and sender match"),
        max_length=10,
        choices=RouteChoice.choices,
        default=RouteChoice.LISTED,
    )
    mismatched_route = models.CharField(
        _("route when they differ"),
        max_length=10,
        choices=RouteChoice.choices,
        default=RouteChoice.UNLISTED,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("policy change")
        verbose_name_plural = _("policy changes")
        ordering = ["-effective"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "effective"],
                name="one_change_per_day",
                violation_error_message=_("This service already has a change on that day."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.effective:%Y-%m-%d} {self.title}"

    def clean(self) -> None:
        # Either may still be the raw text of an invalid date; clean_fields reports that.
        announced, effective = self.announced, self.effective
        if (
            isinstance(announced, datetime.date)
            and isinstance(effective, datetime.date)
            and announced > effective
        ):
            raise ValidationError(
                {"announced": _("A change cannot be announced after it takes effect.")},
                code="announced_after_effective",
            )


# Connected here rather than in AppConfig.ready so that the receivers exist whenever the models
# do; the import sits at the end because the receivers' module imports these models.
from mailcheck import signals  # noqa: E402

signals.connect()
