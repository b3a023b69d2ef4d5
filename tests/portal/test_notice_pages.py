"""/notices/: newest first, by category, paginated, dated in the page's language."""

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from portal.models import Notice
from tests.portal.conftest import jst


def test_the_list_shows_newest_first_with_a_japanese_date(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(title_ja="古い", publish_from=jst(2014, 2, 24, 10))
    make_notice(title_ja="新しい", publish_from=jst(2014, 3, 25, 9))
    page = client.get("/notices/").content.decode()
    assert page.index("新しい") < page.index("古い")
    assert "2014年3月25日" in page
    assert "2014年2月24日" in page


def test_the_english_list_shows_english_titles_and_dates(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(title_en="Sending route change", publish_from=jst(2014, 3, 25, 9))
    page = client.get("/en/notices/").content.decode()
    assert "Sending route change" in page
    assert "2014年" not in page
    assert "2014" in page


def test_a_notice_without_english_is_shown_in_japanese_on_the_english_page(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(slug="ja-only", title_ja="日本語だけ", title_en="", body_en="")
    page = client.get("/en/notices/ja-only/").content.decode()
    assert '<article class="content-article" lang="ja">' in page
    assert "日本語だけ" in page


def test_the_category_filter_lists_only_that_category(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(title_ja="メンテナンスです", category=Notice.Category.MAINTENANCE)
    make_notice(title_ja="仕様変更です", category=Notice.Category.SPEC_CHANGE)
    page = client.get("/notices/?category=maintenance").content.decode()
    assert "メンテナンスです" in page
    assert "仕様変更です" not in page


@pytest.mark.parametrize(
    "query",
    [
        "?category=nonsense",
        "?page=abc",
        "?page=999",
        "?page=-1",
        "?page=1.5",
        "?category=%00&page=%FF",
        "?category=maintenance&category=incident",
    ],
)
def test_odd_list_parameters_still_give_a_page(
    client: Client, make_notice: Callable[..., Notice], query: str
) -> None:
    make_notice(title_ja="お知らせです")
    assert client.get(f"/notices/{query}").status_code == 200


def test_the_list_is_paginated_by_ten(client: Client, make_notice: Callable[..., Notice]) -> None:
    for day in range(1, 13):
        make_notice(title_ja=f"第{day:02d}号", publish_from=jst(2014, 3, day, 10))
    first = client.get("/notices/").content.decode()
    second = client.get("/notices/?page=2").content.decode()
    assert "第12号" in first and "第03号" in first and "第02号" not in first
    assert "第02号" in second and "第01号" in second and "第12号" not in second
    assert 'rel="next"' in first


def test_a_notice_page_renders_its_markdown_body(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(slug="md", body_ja="# 実施日\n\n**2014年3月25日**<script>alert(1)</script>")
    page = client.get("/notices/md/").content.decode()
    assert "<h2>実施日</h2>" in page
    assert "<strong>2014年3月25日</strong>" in page
    assert "alert(1)" not in page


@pytest.mark.django_db
def test_an_unknown_notice_is_a_404(client: Client) -> None:
    assert client.get("/notices/no-such-notice/").status_code == 404


def test_a_draft_is_a_404_for_the_public(
    client: Client, make_notice: Callable[..., Notice]
) -> None:
    make_notice(slug="draft", title_ja="下書きです", is_draft=True)
    assert client.get("/notices/draft/").status_code == 404
    assert client.get("/en/notices/draft/").status_code == 404
    assert "下書きです" not in client.get("/notices/").content.decode()


def test_a_draft_is_a_404_for_a_logged_in_customer_without_staff_rights(
    client: Client, make_notice: Callable[..., Notice], django_user_model: type
) -> None:
    make_notice(slug="draft", is_draft=True)
    client.force_login(django_user_model.objects.create_user("customer"))
    assert client.get("/notices/draft/").status_code == 404


def test_staff_who_may_view_notices_preview_a_draft(
    client: Client, make_notice: Callable[..., Notice], django_user_model: type
) -> None:
    make_notice(slug="draft", title_ja="下書きです", is_draft=True)
    editor = django_user_model.objects.create_user("editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_notice"))
    client.force_login(editor)
    response = client.get("/notices/draft/")
    assert response.status_code == 200
    assert "下書きです" in response.content.decode()
    assert "notice--preview" in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_a_published_notice_links_its_faq_entries(
    client: Client, make_notice: Callable[..., Notice], make_faq: Callable[..., object]
) -> None:
    notice = make_notice(slug="change")
    entry = make_faq(slug="junk", question_ja="迷惑メールになります")
    entry.related_notices.add(notice)  # type: ignore[attr-defined]
    page = client.get("/notices/change/").content.decode()
    assert 'href="/faq/junk/"' in page


@pytest.mark.django_db
def test_the_header_navigation_links_the_content_pages(client: Client) -> None:
    page = client.get("/notices/").content.decode()
    assert 'href="/notices/" aria-current="page"' in page
    assert 'href="/faq/"' in page
    assert 'href="/sitemap/"' in page
    english = client.get("/en/faq/").content.decode()
    assert 'href="/en/faq/" aria-current="page"' in english
    assert 'href="/en/notices/"' in english
