"""Template tags that put site content on other apps' pages (the home page)."""

from __future__ import annotations

from django import template

from portal.models import Notice

register = template.Library()

HOME_NOTICES = 5


@register.simple_tag
def latest_notices(limit: int = HOME_NOTICES) -> list[Notice]:
    return list(Notice.objects.published()[:limit])
