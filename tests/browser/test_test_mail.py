"""A customer asks for a test address, sends the mail, and the waiting page shows the result by
itself (its script polls the status; the test plays the receiver's part)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mailcheck.inbound import services
from mailcheck.inbound.grading import Envelope
from mailcheck.inbound.models import TestAddress
from tests.browser.pages import text, url

pytestmark = pytest.mark.browser

RAW = (
    b"Received: from pc (authenticated as iij-taro.iijmio-mail.jp) by mbox.iijmio-mail.jp\r\n"
    b"From: iij-jiro@iijmio-mail.jp\r\nTo: x\r\nSubject: t\r\nX-Mailer: Outlook 16.0\r\n\r\nHi\r\n"
)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_waiting_page_shows_the_result_when_the_mail_arrives(page: Page, lang: str) -> None:
    page.goto(url(lang, "/check/test-mail/"))
    page.get_by_role("button", name=text(lang, "Get a test address"), exact=True).click()
    expect(page).to_have_url(re.compile(rf"{url(lang, '/check/test-mail/')}[a-z0-9]{{8}}/$"))
    address = TestAddress.objects.get()
    expect(page.locator("#test-address")).to_have_text(address.address)
    expect(page.locator("#test-mail-state")).to_contain_text(text(lang, "Waiting for your mail…"))

    envelope = Envelope("198.51.100.25", "mo", "iij-jiro@iijmio-mail.jp", address.address)
    assert services.receive(envelope, RAW, truncated=False) is not None

    # No reload here: the page notices by itself.
    expect(page.locator("#test-mail-state")).to_have_text(
        text(lang, "Your mail has arrived"), timeout=20_000
    )
    expect(page.locator(".delivery-headline__now")).to_have_text(
        text(lang, "Your mail may end up in the recipient's junk folder.")
    )
