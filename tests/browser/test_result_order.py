"""The customer's answer first: on a 360×740 phone, once the result heading is at the top of the
screen, the outcome and the first fix (or the line saying there is nothing to change) are on that
first screen, above the reasons and the full diagnosis. A screenshot of each first screen is kept
for people to look at (test-artifacts/screenshots/; a current set lives in docs/screenshots/)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE
from tests.browser.pages import CASES, NO_SPF, Case, text, url

pytestmark = pytest.mark.browser

# A softfail (another mailbox on the same domain) and a reject (a domain whose DMARC p=reject
# applies and that lists none of our servers).
RESULTS = {"softfail": CASES[1], "reject": NO_SPF}

# The first fix's box, or the line saying there is nothing to change.
FIRST_FIX = ".fixes > .fix:first-child, .fixes--none"

# Where each part of the result starts and ends, relative to the result heading's top edge.
LAYOUT = """
() => {
  const top = document.getElementById('report-title').getBoundingClientRect().top;
  const box = selector => {
    const el = document.querySelector(selector);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return {top: Math.round(r.top - top), bottom: Math.round(r.bottom - top)};
  };
  return {
    headline: box('.delivery-headline'),
    fix: box('.fixes > .fix:first-child, .fixes--none'),
    why: box('#why-title'),
    details: box('.diagnosis'),
  };
}
"""


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("outcome", list(RESULTS))
def test_the_outcome_and_the_first_fix_fit_the_first_screen_after_the_result_heading(
    phone: Page, screenshot_dir: Path, outcome: str, lang: str
) -> None:
    case: Case = RESULTS[outcome]
    page = phone
    page.goto(url(lang, f"/check/?{case.query()}#report-title"))
    page.evaluate("document.fonts.ready")
    heading = page.get_by_role("heading", name=text(lang, "Result"), exact=True)
    expect(heading).to_be_visible()
    heading.evaluate("el => el.scrollIntoView({block: 'start'})")

    page.screenshot(path=screenshot_dir / f"result-first-screen-{outcome}-{lang}-phone.png")
    layout = page.evaluate(LAYOUT)
    print(f"{outcome} {lang}: {layout}")

    expect(page.locator(".delivery-headline")).to_be_in_viewport(ratio=1)
    expect(page.locator(FIRST_FIX).first).to_be_in_viewport(ratio=1)
    assert layout["fix"]["bottom"] <= PHONE["height"], layout
    # The answer comes first: the outcome, then what to change, then why, then the details.
    assert layout["headline"]["bottom"] <= layout["fix"]["top"], layout
    assert layout["fix"]["bottom"] <= layout["why"]["top"], layout
    assert layout["why"]["top"] < layout["details"]["top"], layout
