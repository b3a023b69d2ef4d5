"""A notice is public only between its publish-from and publish-until times, unless a draft.

The whole path a staff member takes: a notice dated in the future stays out of the list, the
feed and sitemap.xml, in both languages, until its time comes; then it is in all of them.
"""

from collections.abc import Callable
from xml.etree import ElementTree

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from portal.models import Notice
from tests.portal.conftest import jst

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_locations(client: Client) -> list[str]:
    root = ElementTree.fromstring(client.get("/sitemap.xml").content)
    return [loc.text or "" for loc in root.findall("sm:url/sm:loc", SITEMAP_NS)]


def feed_titles(client: Client, url: str) -> list[str]:
    root = ElementTree.fromstring(client.get(url).content)
    return [t.text or "" for t in root.findall("channel/item/title")]


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (jst(2014, 3, 1, 8, 59), Notice.Status.SCHEDULED),
        (jst(2014, 3, 1, 9, 0), Notice.Status.PUBLISHED),
        (jst(2014, 3, 31, 23, 59), Notice.Status.PUBLISHED),
        (jst(2014, 4, 1, 0, 0), Notice.Status.EXPIRED),
    ],
)
def test_status_follows_the_publish_window(
    make_notice: Callable[..., Notice], moment: object, status: str
) -> None:
    notice = make_notice(publish_from=jst(2014, 3, 1, 9, 0), publish_until=jst(2014, 4, 1))
    with time_machine.travel(moment, tick=False):
        assert notice.status() == status
        assert Notice.objects.published().filter(pk=notice.pk).exists() is (
            status == Notice.Status.PUBLISHED
        )


def test_a_draft_is_never_published_even_inside_its_window(
    make_notice: Callable[..., Notice],
) -> None:
    notice = make_notice(is_draft=True, publish_from=jst(2014, 1, 1))
    with time_machine.travel(jst(2014, 6, 1), tick=False):
        assert notice.status() == Notice.Status.DRAFT
        assert not Notice.objects.published().exists()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_a_scheduled_notice_appears_everywhere_only_once_its_time_has_come(
    client: Client, make_notice: Callable[..., Notice], prefix: str
) -> None:
    make_notice(
        slug="maintenance-0401",
        title_ja="4月1日のメンテナンス",
        title_en="Maintenance on 1 April",
        publish_from=jst(2014, 3, 28, 12, 0),
    )
    title = "Maintenance on 1 April" if prefix else "4月1日のメンテナンス"
    detail = f"{prefix}/notices/maintenance-0401/"

    with time_machine.travel(jst(2014, 3, 28, 11, 59), tick=False):
        assert title not in client.get(f"{prefix}/notices/").content.decode()
        assert client.get(detail).status_code == 404
        assert title not in feed_titles(client, f"{prefix}/notices/feed/")
        assert settings.SITE_URL + detail not in sitemap_locations(client)

    with time_machine.travel(jst(2014, 3, 28, 12, 0), tick=False):
        assert title in client.get(f"{prefix}/notices/").content.decode()
        assert client.get(detail).status_code == 200
        assert title in feed_titles(client, f"{prefix}/notices/feed/")
        assert settings.SITE_URL + detail in sitemap_locations(client)


def test_an_expired_notice_is_gone_from_the_list_and_its_page(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(slug="old", title_ja="古いお知らせ", publish_until=jst(2014, 3, 1))
    with time_machine.travel(jst(2014, 3, 2), tick=False):
        assert "古いお知らせ" not in client.get("/notices/").content.decode()
        assert client.get("/notices/old/").status_code == 404
        assert client.get("/en/notices/old/").status_code == 404
