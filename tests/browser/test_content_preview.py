"""Staff see the unsaved Markdown as the public will, while they type, with what the sanitiser
would remove; the admin page keeps its Content-Security-Policy while the preview works."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
"""


def test_the_live_preview_shows_unsaved_markdown_and_what_would_be_removed(page: Page) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    page.goto("/admin/login/")
    page.locator("#id_username").fill("demo-admin")
    page.locator("#id_password").fill("demo-admin-password")
    page.locator("#id_password").press("Enter")
    expect(page.locator("#user-tools")).to_contain_text("demo-admin")

    page.goto("/admin/portal/notice/add/")
    body = page.locator("#id_body_ja")
    body.fill("# 実施日\n\n**3月25日**に[セルフチェック](/check/)を公開します。")
    preview = page.locator("#id_body_ja + .markdown-preview .markdown-preview__body")
    # The heading is the page's second level; the link is a real link.
    expect(preview.locator("h2")).to_have_text("実施日")
    expect(preview.locator("strong")).to_have_text("3月25日")
    expect(preview.get_by_role("link", name="セルフチェック")).to_have_attribute("href", "/check/")
    removed = page.locator("#id_body_ja + .markdown-preview .markdown-preview__removed")
    expect(removed).to_be_hidden()

    body.fill("[ここ](javascript:alert(1))をクリック<script>alert(2)</script>")
    expect(preview).to_have_text("ここをクリック")
    expect(preview.locator("a")).not_to_have_attribute("href", "javascript:alert(1)")
    expect(removed).to_be_visible()
    expect(removed).to_contain_text("javascript:alert(1)")
    expect(removed).to_contain_text("<script>")
    assert page.evaluate("window.__cspViolations") == []

    # Nothing was saved by previewing.
    page.goto("/admin/portal/notice/")
    expect(page.locator("#result_list")).not_to_contain_text("ここをクリック")
