"""WCAG 2.2 A and AA: axe-core on every public page and every state of the check, in both
languages, and the check completed from the keyboard alone."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from tests.browser.pages import ALL_PAGES, CASES, open_all_details, text, url

pytestmark = pytest.mark.browser

# The guides to where each setting goes: the list, and every guide (one with a result's values).
# Beyond ALL_PAGES (which has the guides' index, Thunderbird's guide, the set-up page, the
# batch upload and a domain review).
GUIDE_PAGES = {
    "guide-outlook": "/check/guides/outlook/",
    "guide-outlook-classic": "/check/guides/outlook-classic/",
    "guide-thunderbird": f"/check/guides/thunderbird/?{CASES[1].query()}",
    "guide-apple-mail": "/check/guides/apple-mail/",
    "guide-iphone": "/check/guides/iphone/",
    "guide-gmail-android": "/check/guides/gmail-android/",
}
# The domain owner's view: a record with problems and its suggested record, and the empty form.
DOMAIN_PAGES = {
    "domain-form": "/check/domain/",
    "domain-example-com": "/check/domain/?domain=example.com",
}
# A result with its step-by-step SPF trace shown.
TRACE_PAGES = {"check-trace": f"/check/?{CASES[1].query()}&trace=1"}
SCANNED_PAGES = {**ALL_PAGES, **GUIDE_PAGES, **DOMAIN_PAGES, **TRACE_PAGES}
AXE = Axe()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Page) -> list[str]:
    results = AXE.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", list(SCANNED_PAGES))
def test_axe_finds_no_wcag_violation(page: Page, name: str, lang: str) -> None:
    page.goto(url(lang, SCANNED_PAGES[name]))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    open_all_details(page)

    assert axe_violations(page) == []


def has_visible_focus(element: Locator) -> bool:
    return bool(
        element.evaluate(
            """el => {
                const s = getComputedStyle(el);
                return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
                    || s.boxShadow !== 'none';
            }"""
        )
    )


def focused(page: Page) -> Locator:
    return page.locator("*:focus")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_check_can_be_done_from_the_keyboard_alone(page: Page, lang: str) -> None:
    page.goto(url(lang, "/check/"))

    # The first Tab reaches the skip link, which shows itself and jumps over the navigation.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name=text(lang, "Skip to main content"))
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    assert has_visible_focus(skip)
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()

    # From the main content, Tab goes to the account field first, then the address.
    page.keyboard.press("Tab")
    expect(page.locator("#id_account")).to_be_focused()
    assert has_visible_focus(page.locator("#id_account"))
    page.keyboard.type(CASES[1].account)
    page.keyboard.press("Tab")
    expect(page.locator("#id_mail_from")).to_be_focused()
    page.keyboard.type(CASES[1].mail_from)
    page.keyboard.press("Enter")

    # The result heading takes the focus, so a screen reader starts reading at the answer.
    expect(page.locator("#report-title")).to_be_focused()
    expect(page.locator(".verdict-summary .badge")).to_have_text("spf=softfail")

    # Every control after it is reachable and shows where the focus is.
    seen = 0
    for _ in range(40):
        page.keyboard.press("Tab")
        current = focused(page)
        if current.count() == 0:
            break
        assert has_visible_focus(current), current.evaluate("el => el.outerHTML.slice(0, 120)")
        seen += 1
    assert seen > 5


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_language_switch_names_each_language_in_that_language(page: Page, lang: str) -> None:
    page.goto(url(lang, "/"))
    other = "en" if lang == "ja" else "ja"
    link = page.get_by_role("navigation", name=text(lang, "Language")).get_by_role("link")
    expect(link).to_have_attribute("lang", other)
    expect(link).to_have_attribute("hreflang", other)
