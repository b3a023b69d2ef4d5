"""The notices as RSS 2.0, in the language of the address it is read from (Django's Feed sets
<language> from the active language).

Every address in the feed is absolute and built from SITE_URL, the site's public address, rather
than from the request's Host (a proxy's or an internal name): the links, and the links inside
each description, which feed readers show away from the site, where /check/ would lead nowhere.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from portal.markdown import absolute_links
from portal.models import Notice

FEED_LENGTH = 20


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


class NoticeFeed(Feed[Notice, None]):
    feed_type = Rss201rev2Feed
    title = _("Mail support: notices")
    description = _("Announcements about the mail service: changes, maintenance and incidents.")

    def link(self) -> str:
        return site_url(reverse("notice_list"))

    def feed_url(self) -> str:
        return site_url(reverse("notice_feed"))

    def item_link(self, item: Notice) -> str:
        return site_url(item.get_absolute_url())

    def items(self) -> QuerySet[Notice]:
        return Notice.objects.published()[:FEED_LENGTH]

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> SafeString:
        html = absolute_links(item.body_html, self.item_link(item))
        return mark_safe(html)  # noqa: S308 (the stored, sanitised HTML, passed through nh3 again)

    def item_pubdate(self, item: Notice) -> datetime.datetime:
        return item.publish_from

    def item_updateddate(self, item: Notice) -> datetime.datetime:
        return item.updated_at

    def item_categories(self, item: Notice) -> list[str]:
        return [str(item.get_category_display())]
