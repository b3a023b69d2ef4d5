"""The site's notices and FAQ entries that explain a check result, as the result page shows
them: chosen from the cached snapshot (portal.models.RELATED_SNAPSHOT, no database query) and
rendered once per set of objects."""

from __future__ import annotations

from collections.abc import Iterable

from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language

from portal.facts import change_date_text
from portal.models import related_to_findings

# The section as rendered, by language, time zone and the very notice and FAQ objects it shows.
# Those objects come from the cached snapshot, which is replaced by new objects whenever staff
# edit the content, so an edit makes a new key; each entry holds its objects, so their ids
# cannot be reused while it lives. A few finding combinations in two languages make a handful
# of entries; the limit only matters after many edits in one process's life.
_RENDERED: dict[tuple[object, ...], tuple[tuple[object, ...], SafeString]] = {}
_RENDERED_LIMIT = 256


def related_html(codes: Iterable[str]) -> SafeString:
    """The published notices and FAQ entries staff linked to any of these finding codes, as
    the result page's section (empty when there are none). Which ones are shown is worked out
    every time (a publish window may open or close at any moment); the HTML for the same
    objects is rendered once."""
    notices, entries = related_to_findings(codes)
    if not notices and not entries:
        return SafeString("")
    shown = (*notices, None, *entries)
    # Texts may quote the change date (portal.facts): a moved date makes a new key.
    key = (get_language(), get_current_timezone_name(), change_date_text(), *map(id, shown))
    memo = _RENDERED.get(key)
    if memo is not None:
        return memo[1]
    html = SafeString(
        render_to_string(
            "portal/includes/related_content.html", {"notices": notices, "faq_entries": entries}
        )
    )
    if len(_RENDERED) >= _RENDERED_LIMIT:
        _RENDERED.clear()
    _RENDERED[key] = (shown, html)
    return html
