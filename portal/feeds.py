"""The notices as RSS 2.0, in the language of the address it is read from (Django's Feed sets
<language> from the active language)."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from portal.models import Notice

FEED_LENGTH = 20


class NoticeFeed(Feed[Notice, None]):
    feed_type = Rss201rev2Feed
    title = _("Mail support: notices")
    description = _("Announcements about the mail service: changes, maintenance and incidents.")

    def link(self) -> str:
        return reverse("notice_list")

    def feed_url(self) -> str:
        return reverse("notice_feed")

    def items(self) -> QuerySet[Notice]:
        return Notice.objects.published()[:FEED_LENGTH]

    def item_title(self, item: Notice) -> str:
        return item.title

    def item_description(self, item: Notice) -> SafeString:
        return item.body_html

    def item_pubdate(self, item: Notice) -> datetime.datetime:
        return item.publish_from

    def item_updateddate(self, item: Notice) -> datetime.datetime:
        return item.updated_at

    def item_categories(self, item: Notice) -> list[str]:
        return [str(item.get_category_display())]
