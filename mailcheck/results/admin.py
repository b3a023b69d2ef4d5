"""The admin: saved results found by their code (read-only), and the daily counts of checks."""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from typing import Any

import nh3
from django.contrib import admin
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from mailcheck.check import Delivery
from mailcheck.results.counting import move_counts_to_database
from mailcheck.results.models import CheckCount, Outcome, SavedResult

# The stored fragment is our own template's output, escaped when it was rendered; it is
# sanitised again before it enters the admin page (defence in depth), keeping its structure and
# classes but no script, style, form or event handler.
_REPORT_TAGS = set(nh3.ALLOWED_TAGS) | {"section", "article", "details", "summary"}
_REPORT_ATTRIBUTES = {"*": {"class", "id", "lang"}, "a": {"href"}}


@admin.register(SavedResult)
class SavedResultAdmin(admin.ModelAdmin[SavedResult]):
    list_display = ["code_display", "checked_at", "expires", "outcome", "source"]
    list_filter = ["source", "checked_at"]
    search_fields = ["code"]
    search_help_text = _(
        "The code as the customer reads it out: case, dashes and spaces do not matter."
    )
    date_hierarchy = "checked_at"
    fieldsets = [
        (None, {"fields": ["code_display", "checked_at", "expires", "source"]}),
        (_("What the customer entered"), {"fields": ["account", "mail_from", "header_from"]}),
        (_("What the customer saw"), {"fields": ["report_ja", "report_en"]}),
        (_("Result (JSON)"), {"fields": ["report_pretty"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[SavedResult]:
        # Expired results are never shown, here either; the periodic task deletes them.
        return super().get_queryset(request).filter(expires__gt=timezone.now())

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SavedResult], search_term: str
    ) -> tuple[QuerySet[SavedResult], bool]:
        if not search_term.strip():
            return queryset, False
        return queryset & SavedResult.objects.by_code(search_term), False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SavedResult | None = None) -> bool:
        return False

    @admin.display(description=_("code"), ordering="code")
    def code_display(self, obj: SavedResult) -> str:
        return obj.display_code

    @admin.display(description=_("outcome"))
    def outcome(self, obj: SavedResult) -> str:
        after = obj.report.get("after", {})
        return f"{after.get('spf', '')} / {after.get('outcome', '')}"

    def _report(self, html: str) -> SafeString:
        clean = nh3.clean(html, tags=_REPORT_TAGS, attributes=_REPORT_ATTRIBUTES)
        return format_html('<div class="saved-report">{}</div>', mark_safe(clean))  # noqa: S308

    @admin.display(description=_("result page (Japanese)"))
    def report_ja(self, obj: SavedResult) -> SafeString:
        return self._report(obj.html_ja)

    @admin.display(description=_("result page (English)"))
    def report_en(self, obj: SavedResult) -> SafeString:
        return self._report(obj.html_en)

    @admin.display(description=_("result (JSON)"))
    def report_pretty(self, obj: SavedResult) -> SafeString:
        text = json.dumps(obj.report, ensure_ascii=False, indent=2)
        return format_html('<pre class="saved-report__json">{}</pre>', text)


@admin.register(CheckCount)
class CheckCountAdmin(admin.ModelAdmin[CheckCount]):
    """Checks per day by outcome. Opening the page first moves the counters from the cache."""

    list_display = ["day", "source", "outcome_before", "outcome_after", "count"]
    list_filter = ["source", "outcome_after", "day"]
    date_hierarchy = "day"
    change_list_template = "mailcheck/results/admin/check_counts.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: CheckCount | None = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        move_counts_to_database()
        return super().changelist_view(
            request, {**(extra_context or {}), "summary": count_summary()}
        )


def count_summary(days: int = 14) -> dict[str, Any]:
    """The last ``days`` days, one row each, with the checks per outcome (after the change)
    and a bar for each as a share of the largest day."""
    since = timezone.localdate() - datetime.timedelta(days=days - 1)
    per_day: dict[datetime.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (
        CheckCount.objects.filter(day__gte=since)
        .values("day", "outcome_after")
        .annotate(n=Sum("count"))
    ):
        per_day[row["day"]][row["outcome_after"]] += row["n"]
    outcomes = [d.value for d in Delivery]
    labels = [Outcome(o).label for o in outcomes]
    largest = max((sum(c.values()) for c in per_day.values()), default=0)
    rows = [
        {
            "day": day,
            "total": sum(counts.values()),
            "cells": [counts.get(o, 0) for o in outcomes],
            # One stacked bar per day, drawn as SVG with presentation attributes (x, width,
            # fill): the CSP allows no inline style.
            "bars": _stack(counts, outcomes, largest),
        }
        for day, counts in sorted(per_day.items(), reverse=True)
    ]
    return {"outcomes": labels, "rows": rows, "largest": largest}


BAR_COLOURS = {
    "delivered": "#2e7d32",
    "at_risk": "#f9a825",
    "quarantine": "#ef6c00",
    "reject": "#c62828",
    "unknown": "#757575",
}


def _stack(counts: dict[str, int], outcomes: list[str], largest: int) -> list[dict[str, Any]]:
    bars, x = [], 0.0
    for outcome in outcomes:
        width = 100 * counts.get(outcome, 0) / largest if largest else 0.0
        if width:
            bars.append(
                {
                    "outcome": Outcome(outcome).label,
                    "x": f"{x:.2f}%",
                    "width": f"{width:.2f}%",
                    "fill": BAR_COLOURS.get(outcome, "#757575"),
                }
            )
        x += width
    return bars
