"""A member of staff switches the admin to English and back from its header, without a policy
violation, while the public pages keep the language of their address."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from portal.models import Notice
from tests.browser.pages import text

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


def test_staff_switch_the_admin_to_english_and_back(page: Page) -> None:
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    def collect() -> None:
        page.wait_for_timeout(100)
        violations.extend(page.evaluate("window.__cspViolations || []"))

    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)

    page.goto("/admin/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#site-name")).to_have_text(text("ja", "Mail support admin"))
    page.locator("#id_username").fill("demo-admin")
    page.locator("#id_password").fill("demo-admin-password")
    page.locator("#id_password").press("Enter")
    expect(page.locator("#user-tools")).to_contain_text("demo-admin")
    collect()

    notice = Notice.objects.order_by("pk").first()
    assert notice is not None
    history = f"/admin/portal/notice/{notice.pk}/history/"
    page.goto(history)
    expect(page.locator("#change-history th").first).to_have_text(text("ja", "Version"))
    collect()

    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(f"{page.url.split('/admin/')[0]}{history}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#site-name")).to_have_text("Mail support admin")
    expect(page).to_have_title(f"Change history: {notice} | Mail support admin")
    expect(page.locator("#change-history th").first).to_have_text("Version")
    expect(page.get_by_role("button", name="English")).to_be_disabled()
    collect()

    # The customers' pages keep the language of their address.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.goto("/admin/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="日本語").click()
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#site-name")).to_have_text(text("ja", "Mail support admin"))
    collect()

    assert violations == []
