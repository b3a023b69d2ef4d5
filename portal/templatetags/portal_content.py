"""Template tags that put site content on other apps' pages (home page, check result)."""

from __future__ import annotations

from typing import Any

from django import template

from portal.models import Notice, related_to_findings

register = template.Library()

HOME_NOTICES = 5


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
    """Published notices and FAQ entries that staff linked to any of the report's findings,
    read from the cached snapshot (portal.models.RELATED_SNAPSHOT): no database query."""
    notices, entries = related_to_findings(finding_codes(report))
    return {"notices": notices, "faq_entries": entries}
