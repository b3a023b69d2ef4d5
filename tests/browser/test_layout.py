"""Phones and desktops: every page fits a 360 px phone and a 1280 px desktop without sideways
scrolling, with touch targets a finger can hit, and a screenshot of each for people to look at
(test-artifacts/screenshots/, not kept in git; a current set lives in docs/screenshots/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.pages import ALL_PAGES, url

pytestmark = pytest.mark.browser

WIDTHS = {"phone": PHONE, "desktop": DESKTOP}
# WCAG 2.2 SC 2.5.8 (AA): at least 24 by 24 CSS pixels, except a link inside a sentence.
MIN_TARGET = 24

SMALL_TARGETS = """
min => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width === 0 || box.height === 0 || style.visibility === 'hidden') continue;
    if (el.classList.contains('skip-link')) continue;  // Off screen until focused.
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.parentElement.closest('p, li, dd, td, th, blockquote, small');
      const own = el.textContent.trim().length;
      if (block && block.textContent.trim().length > own) continue;  // Inline in a sentence.
    }
    if (box.width < min || box.height < min) {
      const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
      small.push(`${el.outerHTML.slice(0, 80)} is ${size}`);
    }
  }
  return small;
}
"""


@pytest.fixture(params=list(WIDTHS), scope="module")
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sized_page(browser: Browser, browser_context_args: dict[str, Any], width: str) -> Any:
    phone = width == "phone"
    context = browser.new_context(
        **{**browser_context_args, "viewport": WIDTHS[width]}, is_mobile=phone, has_touch=phone
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("name", list(ALL_PAGES))
def test_the_page_fits_the_screen_and_its_targets_are_large_enough(
    sized_page: Page, screenshot_dir: Path, width: str, name: str, lang: str
) -> None:
    page = sized_page
    page.goto(url(lang, ALL_PAGES[name]))
    page.evaluate("document.fonts.ready")

    page.screenshot(path=screenshot_dir / f"{name}-{lang}-{width}.png", full_page=True)
    overflow = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert overflow[0] <= overflow[1], f"scrolls sideways: {overflow[0]} px in {overflow[1]} px"
    assert page.evaluate(SMALL_TARGETS, MIN_TARGET) == []
