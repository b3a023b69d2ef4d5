"""A check result a customer saved to hand to support, and the daily counts of checks."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mailcheck.results import codes


class SavedResultQuerySet(models.QuerySet["SavedResult"]):
    def kept(self, now: datetime.datetime | None = None) -> SavedResultQuerySet:
        """Results not yet expired: the only ones ever shown."""
        return self.filter(expires__gt=now or timezone.now())

    def expired(self, now: datetime.datetime | None = None) -> SavedResultQuerySet:
        return self.filter(expires__lte=now or timezone.now())

    def by_code(self, text: str) -> SavedResultQuerySet:
        """The result with the code as typed (leniently, see codes.canonical), or none."""
        code = codes.canonical(text)
        return self.filter(code=code) if code else self.none()


class SavedResult(models.Model):
    code = models.CharField(_("code"), max_length=codes.LENGTH, unique=True, editable=False)
    account = models.CharField(_("account name"), max_length=320)
    mail_from = models.CharField(_("mail address"), max_length=320)
    # Empty when the visible From is the envelope From.
    header_from = models.CharField(_("From address shown"), max_length=320, blank=True)
    checked_at = models.DateTimeField(_("checked at"))
    expires = models.DateTimeField(_("kept until"), db_index=True)
    # What the API answers for this check (mailcheck.presenters.report_json).
    report = models.JSONField(_("result (JSON)"))
    # The result fragment as the customer saw it, in each language, rendered when saved.
    html_ja = models.TextField(_("result page (Japanese)"))
    html_en = models.TextField(_("result page (English)"))
    source = models.CharField(_("saved from"), max_length=8, default="web")

    objects = SavedResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("saved result")
        verbose_name_plural = _("saved results")
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return self.display_code

    def get_absolute_url(self) -> str:
        return reverse("results:saved", args=[self.display_code])

    @property
    def display_code(self) -> str:
        return codes.display(self.code)

    def html(self, language: str) -> str:
        return self.html_en if language == "en" else self.html_ja


class Source(models.TextChoices):
    WEB = "web", _("check page")
    API = "api", _("API")
    BATCH = "batch", _("batch")


class Outcome(models.TextChoices):
    """mailcheck.check.Delivery, with the words staff read in the admin."""

    DELIVERED = "delivered", _("delivered")
    AT_RISK = "at_risk", _("may go to junk")
    QUARANTINE = "quarantine", _("quarantined")
    REJECT = "reject", _("refused")
    UNKNOWN = "unknown", _("unknown (DNS error)")


class CheckCount(models.Model):
    """Completed checks of one day (in the site's time zone) by outcome and source. Holds no
    address and no domain: only the outcome codes (mailcheck.check.Delivery)."""

    day = models.DateField(_("day"))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    outcome_before = models.CharField(
        _("outcome before the change"), max_length=16, choices=Outcome.choices
    )
    outcome_after = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    count = models.PositiveIntegerField(_("checks"), default=0)

    class Meta:
        verbose_name = _("check count")
        verbose_name_plural = _("check counts")
        ordering = ["-day", "source", "outcome_after", "outcome_before"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "source", "outcome_before", "outcome_after"],
                name="results_checkcount_one_row_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.source} {self.outcome_before}/{self.outcome_after}: {self.count}"

    @classmethod
    def add(cls, counts: dict[tuple[datetime.date, str, str, str], int]) -> None:
        """Add to the stored counts, creating rows as needed (one upsert per kind)."""
        for (day, source, before, after), n in counts.items():
            if n <= 0:
                continue
            key: dict[str, Any] = {
                "day": day,
                "source": source,
                "outcome_before": before,
                "outcome_after": after,
            }
            updated = cls.objects.filter(**key).update(count=models.F("count") + n)
            if not updated:
                _row, created = cls.objects.get_or_create(**key, defaults={"count": n})
                if not created:
                    cls.objects.filter(**key).update(count=models.F("count") + n)
