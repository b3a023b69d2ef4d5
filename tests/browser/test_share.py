"""Saving a result for support: run a check, press "save and share", read the code aloud."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mailcheck.results import codes
from tests.browser.pages import CASES, text, url

pytestmark = pytest.mark.browser

CODE = rf"[{codes.ALPHABET}]{{4}}-[{codes.ALPHABET}]{{4}}"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_customer_saves_a_result_and_reads_the_code(page: Page, lang: str) -> None:
    case = CASES[1]
    # The result page as the form (or an example link) leads to it.
    page.goto(url(lang, f"/check/?{case.query()}"))

    page.get_by_role("button", name=text(lang, "Save and share this result"), exact=True).click()

    expect(page).to_have_url(re.compile(rf"{url(lang, '/r/')}{CODE}/$"))
    assert "@" not in page.url
    shown = page.locator("#saved-code")
    expect(shown).to_be_visible()
    expect(shown).to_have_text(re.compile(rf"^{CODE}$"))
    assert shown.inner_text() in page.url
    # Large enough to read out on the phone.
    assert float(shown.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 20
    expect(page.locator(".outcome--after .route-diagram .badge")).to_have_text(f"spf={case.after}")
    expect(page.get_by_role("button", name=text(lang, "Save and share this result"))).to_have_count(
        0
    )
