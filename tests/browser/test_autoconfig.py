"""The set-up page on a phone: the address typed into the form, the QR code shown whole, and
the profile link downloading the profile as Apple devices expect it."""

from __future__ import annotations

import plistlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PHONE
from tests.browser.pages import text, url

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser: Browser, browser_context_args: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(
        **{**browser_context_args, "viewport": PHONE}, is_mobile=True, has_touch=True
    )
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_setup_page_shows_the_qr_code_and_downloads_the_profile_on_a_phone(
    phone: Page, tmp_path: Path, lang: str
) -> None:
    page = phone
    page.goto(url(lang, "/check/setup/"))
    page.get_by_label(text(lang, "Mail address"), exact=True).fill("taro.yamada@miomio.jp")
    page.get_by_role("button", name=text(lang, "Show my settings")).click()

    expect(page.locator("#setup-login")).to_have_text("taro.yamada.miomio.jp")
    qr = page.get_by_role("img", name=text(lang, "QR code of the set-up profile's address"))
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    link = page.get_by_role("link", name=text(lang, "Download the settings profile"))
    href = link.get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.headers["content-type"] == "application/x-apple-aspen-config"
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "mail-miomio.jp.mobileconfig"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    payload = plistlib.loads(saved.read_bytes())["PayloadContent"][0]
    assert payload["OutgoingMailServerUsername"] == "taro.yamada.miomio.jp"
    assert payload["IncomingMailServerUsername"] == "taro.yamada.miomio.jp"
