"""The RSS feed and sitemap.xml are well-formed XML with the published content only, and every
address in them is absolute on SITE_URL, whatever Host the request came with."""

from collections.abc import Callable
from typing import Any
from xml.etree import ElementTree

import pytest
from django.test import Client

from portal.models import FaqEntry, Notice
from tests.portal.conftest import jst

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
SITE = "https://mail-support.example.jp"


@pytest.fixture(autouse=True)
def site_url(settings: Any) -> None:
    settings.SITE_URL = SITE
    # Requests below come in under another name, as they do behind a proxy.
    settings.ALLOWED_HOSTS = ["testserver", "app-7.internal"]


@pytest.mark.parametrize(("prefix", "language"), [("", "ja"), ("/en", "en")])
def test_the_feed_is_rss_2_in_the_page_language(
    client: Client, make_notice: Callable[..., Notice], prefix: str, language: str
) -> None:
    make_notice(
        slug="change",
        title_ja="送信経路の変更",
        title_en="Sending route change",
        body_ja="**重要**<script>x()</script>",
        body_en="**Important**",
        publish_from=jst(2014, 2, 24, 10),
    )
    make_notice(slug="draft", title_ja="下書き", title_en="Draft", is_draft=True)
    response = client.get(f"{prefix}/notices/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(response.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("language") == language
    assert channel.findtext("link") == f"{SITE}{prefix}/notices/"
    items = channel.findall("item")
    assert len(items) == 1
    item = items[0]
    assert item.findtext("title") == (
        "送信経路の変更" if language == "ja" else "Sending route change"
    )
    assert item.findtext("link") == f"{SITE}{prefix}/notices/change/"
    assert item.findtext("guid") == f"{SITE}{prefix}/notices/change/"
    assert item.findtext("pubDate") == "Mon, 24 Feb 2014 01:00:00 +0000"
    description = item.findtext("description") or ""
    assert "<strong>" in description
    assert "<script" not in description


def test_sitemap_xml_lists_published_notices_and_answers_in_both_languages(
    client: Client, make_notice: Callable[..., Notice], make_faq: Callable[..., FaqEntry]
) -> None:
    make_notice(slug="change")
    make_notice(slug="draft", is_draft=True)
    make_notice(slug="later", publish_from=jst(2099, 1, 1))
    make_faq(slug="junk")
    make_faq(slug="hidden", is_published=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)
    assert root.tag == f"{SM}urlset"
    urls = {u.findtext(f"{SM}loc"): u for u in root.findall(f"{SM}url")}
    base = SITE
    for path in ["/notices/change/", "/en/notices/change/", "/faq/junk/", "/en/faq/junk/"]:
        assert base + path in urls
    for path in ["/", "/en/", "/notices/", "/faq/", "/en/faq/", "/sitemap/", "/check/"]:
        assert base + path in urls
    for path in ["/check/guides/", "/en/check/guides/thunderbird/", "/check/domain/"]:
        assert base + path in urls
    assert not any("draft" in u or "later" in u or "hidden" in u for u in urls if u)
    alternates = {
        link.get("hreflang"): link.get("href")
        for link in urls[base + "/notices/change/"].findall(f"{XHTML}link")
    }
    assert alternates == {
        "ja": base + "/notices/change/",
        "en": base + "/en/notices/change/",
        "x-default": base + "/notices/change/",
    }
    assert urls[base + "/faq/junk/"].findtext(f"{SM}lastmod")


@pytest.mark.django_db
def test_sitemap_xml_is_not_under_the_language_prefix(client: Client) -> None:
    assert client.get("/sitemap.xml").status_code == 200
    assert client.get("/en/sitemap.xml").status_code == 404


def test_pages_advertise_the_feed(client: Client, make_notice: Callable[..., Notice]) -> None:
    page = client.get("/en/notices/").content.decode()
    assert 'type="application/rss+xml"' in page
    assert 'href="/en/notices/feed/"' in page


def test_links_inside_feed_descriptions_are_absolute_on_site_url(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(
        slug="opened",
        body_ja="[セルフチェック](/check/) と [次の節](#details) と [外部](https://example.org/a)",
        body_en="Try the [settings check](/en/check/).",
    )
    ja = ElementTree.fromstring(client.get("/notices/feed/", HTTP_HOST="app-7.internal").content)
    description = ja.findtext("channel/item/description") or ""
    assert f'href="{SITE}/check/"' in description
    assert f'href="{SITE}/notices/opened/#details"' in description
    assert 'href="https://example.org/a"' in description
    assert 'href="/' not in description and "app-7.internal" not in description
    en = ElementTree.fromstring(client.get("/en/notices/feed/").content)
    assert f'href="{SITE}/en/check/"' in (en.findtext("channel/item/description") or "")


def test_the_feed_links_do_not_follow_the_request_host(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(slug="change")
    body = client.get("/notices/feed/", HTTP_HOST="app-7.internal").content.decode()
    assert "app-7.internal" not in body
    assert f"<link>{SITE}/notices/change/</link>" in body
    assert f'href="{SITE}/notices/feed/"' in body  # <atom:link rel="self">


def test_sitemap_xml_takes_its_domain_from_site_url_not_the_host(
    client: Client, make_notice: Callable[..., Notice], settings: Any
) -> None:
    make_notice(slug="change")
    settings.SITE_URL = "http://staging.example.jp:8080"
    body = client.get("/sitemap.xml", HTTP_HOST="app-7.internal").content.decode()
    root = ElementTree.fromstring(body)
    locations = [u.findtext(f"{SM}loc") or "" for u in root.findall(f"{SM}url")]
    assert "http://staging.example.jp:8080/notices/change/" in locations
    assert all(loc.startswith("http://staging.example.jp:8080/") for loc in locations)
    assert "app-7.internal" not in body
