"""The Content-Security-Policy in a real browser: every public page and the admin pages staff
use load without a single violation, and without complaints about the Permissions-Policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import ConsoleMessage, Page

from portal.models import FaqEntry, Notice
from tests.browser.pages import ALL_PAGES, url

pytestmark = pytest.mark.browser

# Collected in the page itself as well as from the console: the event names the directive.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""
POLICY_WORDS = ("Content Security Policy", "Content-Security-Policy", "Permissions-Policy")


@pytest.fixture
def violations(page: Page) -> Iterator[list[str]]:
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if any(word in message.text for word in POLICY_WORDS):
            found.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.add_init_script(RECORD_VIOLATIONS)
    yield found


def visit(page: Page, path: str, found: list[str]) -> None:
    page.goto(path)
    page.wait_for_load_state("load")
    # Let deferred scripts run and report.
    page.wait_for_timeout(100)
    found += [f"{path}: {v}" for v in page.evaluate("window.__cspViolations || []")]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_public_pages_load_without_a_policy_violation(
    page: Page, violations: list[str], lang: str
) -> None:
    for path in [*ALL_PAGES.values(), "/faq/#mail-goes-to-junk", "/no-such-page/"]:
        visit(page, url(lang, path), violations)
    assert violations == []


def test_the_admin_pages_load_without_a_policy_violation(
    page: Page, violations: list[str], settings: Any
) -> None:
    visit(page, "/admin/login/", violations)
    page.locator("#id_username").fill("demo-admin")
    page.locator("#id_password").fill("demo-admin-password")
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()

    notice = Notice.objects.order_by("pk").first()
    entry = FaqEntry.objects.order_by("pk").first()
    assert notice and entry
    staff = User.objects.get(username="demo-admin")
    device = TOTPDevice.objects.create(user=staff, name="phone")
    paths = [
        "/admin/",
        "/admin/portal/notice/",
        "/admin/portal/notice/add/",
        f"/admin/portal/notice/{notice.pk}/change/",
        f"/admin/portal/notice/{notice.pk}/history/",
        f"/admin/portal/notice/{notice.pk}/preview/",
        "/admin/portal/faqentry/add/",
        f"/admin/portal/faqentry/{entry.pk}/change/",
        f"/admin/portal/faqentry/{entry.pk}/history/",
        "/admin/portal/faqcategory/",
        "/admin/mailcheck/service/",
        "/admin/mailcheck/route/add/",
        "/admin/auth/user/",
        "/admin/auth/group/",
        "/admin/axes/accessattempt/",
        "/admin/otp_totp/totpdevice/",
        "/admin/otp_totp/totpdevice/add/",
        f"/admin/otp_totp/totpdevice/{device.pk}/config/",
    ]
    for path in paths:
        visit(page, path, violations)
    # The related-object and calendar widgets open their pop-ups through script.
    visit(page, "/admin/portal/faqentry/add/", violations)
    page.locator(".select2-selection").first.click()
    page.wait_for_timeout(300)
    visit(page, "/admin/portal/notice/add/", violations)
    page.locator(".datetimeshortcuts a").first.click()
    page.wait_for_timeout(100)
    violations += page.evaluate("window.__cspViolations || []")
    # The login page that asks for the authenticator's code.
    settings.ADMIN_REQUIRE_2FA = True
    visit(page, "/admin/login/", violations)
    assert page.locator("#id_otp_token").is_visible()
    assert violations == []
