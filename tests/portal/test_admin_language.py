"""The admin in the desk's language: its name from a setting, Japanese unless a member of staff
switches to English (which the public pages ignore), history pages without English leftovers,
and times in Japan time."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from portal.models import Notice

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def text(language: str, msgid: str) -> str:
    with translation.override(language):
        return translation.gettext(msgid)


def html_lang(page: str) -> str:
    found = re.search(r'<html lang="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def switch(client: Client, language: str, next_url: str = "/admin/") -> Any:
    return client.post("/i18n/setlang/", {"language": language, "next": next_url})


# The name.


def test_the_header_and_the_browser_tab_carry_the_admins_name(admin_client: Client) -> None:
    page = admin_client.get("/admin/").content.decode()
    name = text("ja", "Mail support admin")
    assert f'<div id="site-name"><a href="/admin/">{name}</a></div>' in page
    assert re.search(rf"<title>[^<]*\| {re.escape(name)}</title>", page)
    assert "Django" not in page.split("<body", 1)[1].split('id="content"', 1)[0]


def test_the_name_comes_from_the_setting(admin_client: Client, settings: Any) -> None:
    settings.ADMIN_SITE_HEADER = "IIJmio メールサポート"
    page = admin_client.get("/admin/").content.decode()
    assert '<a href="/admin/">IIJmio メールサポート</a>' in page
    assert re.search(r"<title>[^<]*\| IIJmio メールサポート</title>", page)
    login = Client().get("/admin/login/").content.decode()
    assert "IIJmio メールサポート" in login


# The language switch.


def test_the_admin_is_japanese_by_default_whatever_the_browser_asks(admin_client: Client) -> None:
    page = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert html_lang(page) == "ja"
    assert text("ja", "Site administration") in page


def test_the_switch_turns_the_admin_english_and_back(admin_client: Client) -> None:
    page = admin_client.get("/admin/portal/notice/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    assert 'name="next" value="/admin/portal/notice/"' in page
    assert 'value="en" lang="en" aria-pressed="false">English</button>' in page

    response = switch(admin_client, "en", "/admin/portal/notice/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/portal/notice/"
    english = admin_client.get("/admin/portal/notice/").content.decode()
    assert html_lang(english) == "en"
    assert "Mail support admin" in english
    assert "Log out" in english
    assert 'value="ja" lang="ja" aria-pressed="false">日本語</button>' in english

    switch(admin_client, "ja")
    japanese = admin_client.get("/admin/portal/notice/").content.decode()
    assert html_lang(japanese) == "ja"
    assert text("ja", "Log out") in japanese


def test_the_login_page_follows_the_switch(client: Client) -> None:
    switch(client, "en", "/admin/login/")
    page = client.get("/admin/login/").content.decode()
    assert html_lang(page) == "en"
    assert "Log in" in page


def test_the_choice_is_remembered_beyond_the_browser_session(admin_client: Client) -> None:
    cookie = switch(admin_client, "en").cookies["django_language"]
    assert int(cookie["max-age"]) >= 30 * 24 * 60 * 60


def test_the_public_pages_keep_the_language_of_their_address(admin_client: Client) -> None:
    switch(admin_client, "en")
    home = admin_client.get("/")
    assert home.status_code == 200
    assert html_lang(home.content.decode()) == "ja"
    assert html_lang(admin_client.get("/faq/").content.decode()) == "ja"

    switch(admin_client, "ja")
    english = admin_client.get("/en/")
    assert english.status_code == 200
    assert html_lang(english.content.decode()) == "en"


def test_an_unknown_language_in_the_cookie_leaves_the_admin_japanese(
    admin_client: Client,
) -> None:
    admin_client.cookies["django_language"] = "xx"
    assert html_lang(admin_client.get("/admin/").content.decode()) == "ja"


# The history pages.


@pytest.fixture
def changed_notice(make_notice: Callable[..., Notice], admin_user: Any) -> Notice:
    notice = make_notice(title_ja="メンテナンスのお知らせ")
    notice.title_ja = "メンテナンス終了のお知らせ"
    notice.save()
    # One change at a known moment: midnight UTC is nine in the morning in Tokyo.
    notice.history.filter(history_type="~").update(
        history_date=datetime.datetime(2024, 1, 1, 0, 0, tzinfo=UTC), history_user=admin_user
    )
    return notice


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_history_page_has_no_english_leftovers(
    admin_client: Client, changed_notice: Notice, language: str
) -> None:
    switch(admin_client, language)
    page = admin_client.get(f"/admin/portal/notice/{changed_notice.pk}/history/").content.decode()
    table = page.split('id="change-history"', 1)[1].split("</table>", 1)[0]

    headings = re.findall(r'<th scope="col">\s*(.*?)\s*</th>', table)
    assert headings[0] == text(language, "Version")
    assert "status_badge" not in table
    for msgid in ("Date/time", "Action", "Changed by", "Change reason", "Changes"):
        assert text(language, msgid) in headings
    assert "None" not in table
    assert text(language, "None") not in table
    assert 'style="' not in page.split('id="content"', 1)[1]
    # simple_history's own heading, which the admin's style shows as "OBJECT".
    assert "Object" not in table


def test_the_history_page_shows_japan_time(admin_client: Client, changed_notice: Notice) -> None:
    page = admin_client.get(f"/admin/portal/notice/{changed_notice.pk}/history/").content.decode()
    assert "2024年1月1日 9:00 JST" in page
    assert 'datetime="2024-01-01T09:00:00+09:00"' in page

    switch(admin_client, "en")
    page = admin_client.get(f"/admin/portal/notice/{changed_notice.pk}/history/").content.decode()
    assert "1 January 2024, 09:00 JST" in page


def test_a_change_without_a_signed_in_member_of_staff_says_so(
    admin_client: Client, make_notice: Callable[..., Notice]
) -> None:
    notice = make_notice()
    page = admin_client.get(f"/admin/portal/notice/{notice.pk}/history/").content.decode()
    assert text("ja", "Not recorded") in page


# Times.


def test_the_change_list_shows_japan_time_and_says_so(
    admin_client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(publish_from=datetime.datetime(2024, 1, 1, 0, 0, tzinfo=UTC))
    page = admin_client.get("/admin/portal/notice/").content.decode()
    assert "2024年1月1日 9:00" in page
    footer = page.split('id="footer"', 1)[1]
    assert "Asia/Tokyo" in footer
    assert "JST" in footer
