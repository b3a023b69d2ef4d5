"""Facts from the service configuration that staff-written content may quote.

A notice or FAQ answer writes ``{change_date}`` where it means the date of the service's policy
change. The page shows that date, from the configuration and in the page's language, so a text
never contradicts the check after staff move the date. The stored HTML keeps the placeholder;
it is filled in each time the text is shown (from the cached configuration: no query).
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from mailcheck.services import ServiceNotConfigured, current_service

CHANGE_DATE = "{change_date}"


def change_date_text() -> str:
    """The date of the change customers are told about: the newest one in force, else the next
    one due (the check compares the same one)."""
    try:
        service = current_service()
    except ServiceNotConfigured:
        change = None
    else:
        change = service.latest_change(timezone.localdate())
    if change is None:
        return gettext("the date of the change")
    return formats.date_format(change.effective)


def with_facts(text: str) -> str:
    """Plain text with its placeholders filled in."""
    if CHANGE_DATE not in text:
        return text
    return text.replace(CHANGE_DATE, change_date_text())


def html_with_facts(html: str) -> SafeString:
    """Sanitised HTML with its placeholders filled in (the values escaped)."""
    if CHANGE_DATE in html:
        html = html.replace(CHANGE_DATE, escape(change_date_text()))
    return mark_safe(html)  # noqa: S308 (sanitised by render_markdown on save; values escaped)
