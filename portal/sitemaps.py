"""sitemap.xml: the site's pages, published notices and FAQ answers, in both languages."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.urls import reverse

from portal.models import FaqEntry, Notice


class I18nSitemap(Sitemap[Any]):
    # One <url> per language, each with <xhtml:link rel="alternate" hreflang> to the others.
    i18n = True
    alternates = True
    x_default = True


class PageSitemap(I18nSitemap):
    changefreq = "weekly"

    def items(self) -> list[str]:
        return ["home", "mailcheck:check", "notice_list", "faq", "site_map"]

    def location(self, item: str) -> str:
        return reverse(item)


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


SITEMAPS = {"pages": PageSitemap, "notices": NoticeSitemap, "faq": FaqEntrySitemap}
