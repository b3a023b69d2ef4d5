"""Saving a check result: the JSON document, the inputs, and the page as the customer saw it."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from mailcheck.check import Report
from mailcheck.presenters import report_context, report_json
from mailcheck.results import codes
from mailcheck.results.models import SavedResult

logger = logging.getLogger(__name__)

# A fresh code collides with a kept one with a chance of (kept results) / 2⁴⁰: a few tries are
# more than enough, and running out of them means something else is wrong.
CODE_TRIES = 5


def render_report(report: Report, language: str) -> str:
    """The result fragment (mailcheck/includes/report.html) in ``language``, as the check page
    shows it, for keeping. The one place a saved result's HTML is made.

    ``saved`` hides the offer to save it again; ``show_trace`` keeps the step-by-step trace,
    which the page shows on request only: support staff reading a saved result cannot ask
    for it afterwards.
    """
    with translation.override(language):
        return render_to_string(
            "mailcheck/includes/report.html",
            {"report": report_context(report), "saved": True, "show_trace": True},
        )


def save_result(
    report: Report,
    *,
    account: str,
    mail_from: str,
    header_from: str = "",
    source: str = "web",
    now: datetime.datetime | None = None,
) -> SavedResult:
    """Store the result under a new code, kept for SAVED_RESULT_DAYS days."""
    checked_at = now or timezone.now()
    fields = {
        "account": account,
        "mail_from": mail_from,
        "header_from": header_from,
        "checked_at": checked_at,
        "expires": checked_at + datetime.timedelta(days=settings.SAVED_RESULT_DAYS),
        "report": report_json(report),
        "html_ja": render_report(report, "ja"),
        "html_en": render_report(report, "en"),
        "source": source,
    }
    for _try in range(CODE_TRIES):
        try:
            with transaction.atomic():
                return SavedResult.objects.create(code=codes.new_code(), **fields)
        except IntegrityError:
            logger.warning("saved result code collided; drawing another")
    raise RuntimeError(f"no free saved-result code after {CODE_TRIES} tries")
