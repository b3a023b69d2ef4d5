"""Template tags that put site content on other apps' pages (home page, check result)."""

from __future__ import annotations

from typing import Any

from django import template

from portal.models import FaqEntry, Notice

register = template.Library()

HOME_NOTICES = 5
RELATED_LIMIT = 6


@register.simple_tag
def latest_notices(limit: int = HOME_NOTICES) -> list[Notice]:
    return list(Notice.objects.published()[:limit])


def finding_codes(report: Any) -> list[str]:
    try:
        return [str(f["code"]) for f in report["findings"]]
    except (KeyError, TypeError):
        return []


@register.inclusion_tag("portal/includes/related_content.html")
def related_content(report: Any) -> dict[str, object]:
    """Published notices and FAQ entries that staff linked to any of the report's findings."""
    codes = finding_codes(report)
    if not codes:
        return {"notices": [], "faq_entries": []}
    notices = (
        Notice.objects.published().filter(check_topics__code__in=codes).distinct()[:RELATED_LIMIT]
    )
    entries = (
        FaqEntry.objects.published()
        .filter(check_topics__code__in=codes)
        .select_related("category")
        .distinct()[:RELATED_LIMIT]
    )
    return {"notices": list(notices), "faq_entries": list(entries)}
