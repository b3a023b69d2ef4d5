"""The site's own content as a customer finds it: notices, the FAQ search and the RSS feed."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import text, url

pytestmark = pytest.mark.browser

CHANGE_NOTICE = {
    "ja": "メールアドレスとアカウント名が異なるメールの送信経路を変更します",
    "en": "From 25 March: new sending route when the sender differs from your account",
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_customer_finds_the_change_notice_from_the_menu(page: Page, lang: str) -> None:
    page.goto(url(lang, "/"))
    page.get_by_role("navigation", name=text(lang, "Main")).get_by_role(
        "link", name=text(lang, "Notices"), exact=True
    ).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(text(lang, "Notices"))
    page.get_by_role("link", name=re.compile(re.escape(CHANGE_NOTICE[lang]))).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(CHANGE_NOTICE[lang])
    date = {"ja": "2014年2月24日", "en": "24 February 2014"}[lang]
    expect(page.locator(".content-article__meta time")).to_have_text(date)
    expect(page.locator("html")).to_have_attribute("lang", lang)


def test_the_category_filter_shows_only_that_category(page: Page) -> None:
    page.goto(url("ja", "/notices/"))
    filters = page.get_by_role("navigation", name=text("ja", "Notice categories"))
    filters.get_by_role("link", name=text("ja", "Service changes")).click()

    expect(page).to_have_url(re.compile(r"\?category="))
    expect(page.locator(".notice-list .notice-item")).to_have_count(1)
    expect(page.locator(".notice-list")).to_contain_text(CHANGE_NOTICE["ja"])


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_feed_link_serves_the_notices_as_rss(page: Page, lang: str) -> None:
    page.goto(url(lang, "/notices/"))
    feed = page.get_by_role("link", name=text(lang, "Follow the notices by RSS"))
    href = feed.get_attribute("href")
    assert href == url(lang, "/notices/feed/")
    alternate = page.locator('head link[rel=alternate][type="application/rss+xml"]')
    expect(alternate).to_have_attribute("href", href)

    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"].startswith("application/rss+xml")
    body = response.text()
    assert "<rss" in body
    assert CHANGE_NOTICE[lang] in body


def test_the_faq_search_finds_answers_typed_in_full_width(page: Page) -> None:
    page.goto(url("ja", "/faq/"))
    box = page.get_by_label(text("ja", "Search the questions and answers"))
    box.fill("ｓｏｆｔｆａｉｌ")
    box.press("Enter")

    expect(page).to_have_url(re.compile(r"/faq/\?q="))
    results = page.locator(".faq-results")
    expect(results.get_by_role("heading", level=2)).to_contain_text("softfail")
    first = results.get_by_role("listitem").get_by_role("link").first
    question = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(question)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_search_without_answers_says_what_to_try(page: Page, lang: str) -> None:
    page.goto(url(lang, "/faq/?q=zzzz-nothing"))

    expect(page.locator(".faq-results")).to_contain_text(
        text(
            lang,
            "Try a shorter word, such as “SPF” or “アカウント”, or browse the categories below.",
        )
    )


def test_a_shared_faq_link_opens_its_answer(page: Page) -> None:
    page.goto(url("en", "/faq/#what-is-softfail"))

    expect(page.locator("details#what-is-softfail")).to_have_attribute("open", "")
    expect(page.locator("details#what-is-softfail .prose")).to_be_visible()


def test_the_check_result_links_to_the_notice_that_explains_it(page: Page) -> None:
    page.goto(
        url("ja", "/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro%40iijmio-mail.jp")
    )
    page.get_by_role("link", name=re.compile(re.escape(CHANGE_NOTICE["ja"]))).first.click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(CHANGE_NOTICE["ja"])
