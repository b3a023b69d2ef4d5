"""A batch of checks and its rows, kept for BATCH_KEEP_DAYS and seen by whoever has its URL."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_public_id() -> str:
    """128 random bits in 22 URL-safe characters: the batch's only key, so unguessable."""
    return secrets.token_urlsafe(16)


def default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.BATCH_KEEP_DAYS)


class BatchQuerySet(models.QuerySet["Batch"]):
    def live(self) -> BatchQuerySet:
        """Batches not yet past their expiry: the only ones any page or API shows."""
        return self.filter(expires__gt=timezone.now())

    def expired(self) -> BatchQuerySet:
        return self.filter(expires__lte=timezone.now())


class Batch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Checking")
        DONE = "done", _("Done")
        FAILED = "failed", _("Stopped by an error")

    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)
    expires = models.DateTimeField(default=default_expiry, db_index=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # Rows in the file (checkable or not), rows finished (checked, or refused at upload or by
    # the check), and of those the rows that could not be checked.
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    # The uploader's address, hashed with the site's key: enough to count and to find one
    # client's batches, not to read the address back.
    client_hash = models.CharField(max_length=64, db_index=True, blank=True)
    language = models.CharField(max_length=8, default="ja")
    encoding = models.CharField(max_length=16, blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    objects = BatchQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name = _("batch check")
        verbose_name_plural = _("batch checks")

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status}, {self.done}/{self.total})"

    def get_absolute_url(self) -> str:
        return reverse("mailcheck:batch", args=[self.public_id])

    @property
    def finished_running(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        return 100 if not self.total else self.done * 100 // self.total


class BatchRow(models.Model):
    """One line of the file: its input, and either the check's codes or why it was not checked.

    Codes, not words: pages, the CSV and the API put them into words in their own language.
    """

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    account = models.CharField(max_length=320)
    mail_from = models.CharField(max_length=320)
    checked = models.BooleanField(default=False)
    # mailcheck.identity.Match, RouteKind, SpfResult and Delivery values, before and after the
    # policy change.
    match = models.CharField(max_length=20, blank=True)
    route_before = models.CharField(max_length=16, blank=True)
    route_after = models.CharField(max_length=16, blank=True)
    spf_before = models.CharField(max_length=16, blank=True)
    spf_after = models.CharField(max_length=16, blank=True)
    outcome_before = models.CharField(max_length=16, blank=True)
    outcome_after = models.CharField(max_length=16, blank=True)
    # The first fix the check proposes (mailcheck.check.FixKind and its values).
    fix_kind = models.CharField(max_length=32, blank=True)
    fix_account = models.CharField(max_length=320, blank=True)
    fix_mail_from = models.CharField(max_length=320, blank=True)
    fix_domain = models.CharField(max_length=255, blank=True)
    # Why the row was not checked: the field ("account", "mail_from", "row"), the code (a
    # csvinput.RowProblem or an identity.ProblemCode), a corrected value the check suggests,
    # and the number of columns the row had.
    error_field = models.CharField(max_length=16, blank=True)
    error_code = models.CharField(max_length=40, blank=True)
    error_suggestion = models.CharField(max_length=320, blank=True)
    error_columns = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["line"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line"], name="unique_batch_line"),
        ]
        indexes = [models.Index(fields=["batch", "checked", "line"], name="batch_row_pending")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line}"

    @property
    def matches(self) -> bool | None:
        return None if not self.match else self.match == "same"

    @property
    def is_error(self) -> bool:
        return bool(self.error_code)
