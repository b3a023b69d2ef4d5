"""sitemap.xml: the site's pages, published notices and FAQ answers, in both languages.

The addresses' scheme and host come from SITE_URL, the site's public address, never from the
request's Host or the Sites framework: behind a proxy or under an internal name those are not the
address search engines should index."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from mailcheck.guides import GUIDES
from portal.models import FaqEntry, Notice


class I18nSitemap(Sitemap[Any]):
    # One <url> per language, each with <xhtml:link rel="alternate" hreflang> to the others.
    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme or "https"

    def get_domain(self, site: Any = None) -> str:
        return urlsplit(settings.SITE_URL).netloc


class PageSitemap(I18nSitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return [
            "home",
            "mailcheck:check",
            "mailcheck:guides",
            "mailcheck:domain",
            "notice_list",
            "faq",
            "site_map",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class GuideSitemap(I18nSitemap):
    """The mail programs' guides, without a customer's values."""

    changefreq = "monthly"

    def items(self) -> list[str]:
        return [guide.slug for guide in GUIDES]

    def location(self, item: str) -> str:
        return reverse("mailcheck:guide", args=[item])


class NoticeSitemap(I18nSitemap):
    changefreq = "monthly"

    def items(self) -> QuerySet[Notice]:
        return Notice.objects.published().order_by("id")

    def lastmod(self, item: Notice) -> datetime.datetime:
        return item.updated_at


class FaqEntrySitemap(I18nSitemap):
    changefreq = "monthly"

    def items(self) -> QuerySet[FaqEntry]:
        return FaqEntry.objects.published().order_by("id")

    def lastmod(self, item: FaqEntry) -> datetime.datetime:
        return item.updated_at


SITEMAPS = {
    "pages": PageSitemap,
    "guides": GuideSitemap,
    "notices": NoticeSitemap,
    "faq": FaqEntrySitemap,
}
