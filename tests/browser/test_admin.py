"""A member of staff publishes a notice in the admin and a customer sees it on the site."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.pages import text, url

pytestmark = pytest.mark.browser

TITLE = "メンテナンスのお知らせ（ブラウザーテスト）"
BODY = "送信サーバーのメンテナンスを行います。"


def test_staff_publish_a_notice_and_customers_see_it(
    page: Page, browser: Browser, base_url: str
) -> None:
    page.goto("/admin/")
    page.locator("#id_username").fill("demo-admin")
    page.locator("#id_password").fill("demo-admin-password")
    page.locator("#id_password").press("Enter")
    expect(page.locator("#user-tools")).to_contain_text("demo-admin")

    # A new notice starts as a draft.
    page.goto("/admin/portal/notice/add/")
    page.locator("#id_title_ja").fill(TITLE)
    page.locator("#id_body_ja").fill(BODY)
    page.locator("#id_slug").fill("browser-test-maintenance")
    page.locator("#id_category").select_option("maintenance")
    expect(page.locator("#id_is_draft")).to_be_checked()
    page.locator("input[name=_save]").last.click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    customer = browser.new_context(base_url=base_url, locale="ja-JP").new_page()
    customer.goto(url("ja", "/notices/"))
    expect(customer.locator(".notice-list")).not_to_contain_text(TITLE)
    assert customer.goto(url("ja", "/notices/browser-test-maintenance/")).status == 404

    # Published from the list with the admin action.
    row = page.locator("#result_list tr", has_text=TITLE)
    row.locator("input[name=_selected_action]").check()
    page.locator("select[name=action]").select_option("publish_now")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist .success")).to_be_visible()

    customer.goto(url("ja", "/notices/"))
    customer.get_by_role("link", name=TITLE).click()
    expect(customer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(customer.locator(".prose")).to_contain_text(BODY)

    # Without an English text the English page shows the Japanese one and says so.
    customer.goto(url("en", "/notices/browser-test-maintenance/"))
    expect(customer.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(customer.locator(".content-article__fallback")).to_have_text(
        text("en", "This notice is available in Japanese only.")
    )
    customer.context.close()
