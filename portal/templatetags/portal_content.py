"""Template tags that put site content on other apps' pages (home page, check result)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from portal.facts import change_date_text
from portal.models import Notice, related_to_findings

register = template.Library()

HOME_NOTICES = 5

# The related-content section as rendered, by language, time zone and the very notice and FAQ
# objects it shows. Those objects come from the cached snapshot (portal.models.RELATED_SNAPSHOT),
# which is replaced by new objects whenever staff edit the content, so an edit makes a new key;
# each entry holds its objects, so their ids cannot be reused while it lives. A few finding
# combinations in two languages make a handful of entries; the limit only matters after many
# edits in one process's life.
_RENDERED: dict[tuple[object, ...], tuple[tuple[object, ...], SafeString]] = {}
_RENDERED_LIMIT = 256


@register.simple_tag
def latest_notices(limit: int = HOME_NOTICES) -> list[Notice]:
    return list(Notice.objects.published()[:limit])


def finding_codes(report: Any) -> list[str]:
    try:
        return [str(f["code"]) for f in report["findings"]]
    except (KeyError, TypeError):
        return []


@register.simple_tag
def related_content(report: Any) -> SafeString:
    """Published notices and FAQ entries that staff linked to any of the report's findings,
    read from the cached snapshot (portal.models.RELATED_SNAPSHOT): no database query. Which
    ones are shown is worked out on every page (a publish window may open or close at any
    time); the HTML for the same objects is rendered once."""
    notices, entries = related_to_findings(finding_codes(report))
    if not notices and not entries:
        return SafeString("")
    shown = (*notices, None, *entries)
    # Texts may quote the change date (portal.facts): a moved date makes a new key.
    key = (get_language(), get_current_timezone_name(), change_date_text(), *map(id, shown))
    memo = _RENDERED.get(key)
    if memo is not None:
        return memo[1]
    html = render_to_string(
        "portal/includes/related_content.html", {"notices": notices, "faq_entries": entries}
    )
    if len(_RENDERED) >= _RENDERED_LIMIT:
        _RENDERED.clear()
    _RENDERED[key] = (shown, SafeString(html))
    return SafeString(html)
