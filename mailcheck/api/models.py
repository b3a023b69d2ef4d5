"""Tokens for the service's own systems: higher limits on the API."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PREFIX = "mcp_"
# A token's last use is written at most this often, not on every request.
LAST_USED_STEP = datetime.timedelta(minutes=1)


def digest(token: str) -> str:
    """SHA-256 of the token. A token holds 256 random bits, so a fast hash is enough: there is
    nothing to guess from the digest (a password hasher is for low-entropy secrets)."""
    return hashlib.sha256(token.encode()).hexdigest()


def validate_rate(value: str) -> None:
    if value and not re.fullmatch(r"[1-9][0-9]*/[0-9]*[smhd]", value):
        raise ValidationError(
            _("Write the limit like 600/m or 20000/h (checks per period), or leave it empty."),
            code="invalid_rate",
        )


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def authenticate(self, token: str) -> ApiToken | None:
        """The active token with this value, its last use noted; None for any other value."""
        if not token.startswith(PREFIX):
            return None
        found = self.filter(digest=digest(token), is_active=True).first()
        if found is not None:
            now = timezone.now()
            if found.last_used is None or now - found.last_used > LAST_USED_STEP:
                type(found).objects.filter(pk=found.pk).update(last_used=now)
                found.last_used = now
        return found


class ApiToken(models.Model):
    name = models.CharField(
        _("name"), max_length=100, help_text=_("The system that uses it, such as the help desk.")
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters, so staff can tell tokens apart without keeping the token.
    prefix = models.CharField(_("begins with"), max_length=12, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    rate_limit = models.CharField(
        _("limit"),
        max_length=20,
        default="600/m",
        blank=True,
        validators=[validate_rate],
        help_text=_(
            "Checks this token may start, such as 600/m (per minute) or 20000/h; empty: no "
            "limit of its own. The limit per checked domain still applies."
        ),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def issue(self) -> str:
        """Give the token a new secret value and return it: the only time it is seen."""
        token = PREFIX + secrets.token_urlsafe(32)
        self.digest = digest(token)
        self.prefix = token[: len(PREFIX) + 4]
        return token
