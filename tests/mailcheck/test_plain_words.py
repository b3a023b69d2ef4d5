"""The result speaks plain words until the customer opens its details.

SPF, DMARC, DKIM, HELO, SMTP, the envelope From and the raw verdicts (spf=softfail) are the
words of the "Full diagnosis" disclosure and of the form's advanced field. What a customer sees
without opening anything (the check form, the headline, what to change, why) says the same
without them, in both languages. Staff-written notices and FAQ answers linked to the result are
the support desk's own words and are not checked here.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from tests.dnsserver import DEMO_ZONE

JARGON = re.compile(
    r"SPF|DMARC|DKIM|HELO|EHLO|SMTP|DNS|envelope|エンベロープ|softfail|permerror|temperror|spf=",
    re.IGNORECASE,
)

EXTRA_ZONE = """
broken.example.         TXT "v=spf1 foo:bar ~all"
strict.example.         TXT "v=spf1 -all"
_dmarc.strict.example.  TXT "v=DMARC1; p=reject"
"""

ACCOUNT = "iij-taro.iijmio-mail.jp"
CASES = {
    "matching": {"mail_from": "iij-taro@iijmio-mail.jp"},
    "another mailbox": {"mail_from": "iij-jiro@iijmio-mail.jp"},
    "another of our domains": {"mail_from": "iij-taro@e23.jp"},
    "another provider (quarantine)": {"mail_from": "example@example.jp"},
    "no record, reject policy": {"mail_from": "someone@example.com"},
    "broken record": {"mail_from": "taro@broken.example"},
    "visible From not aligned": {
        "mail_from": "iij-taro@iijmio-mail.jp",
        "header_from": "taro@strict.example",
    },
    "a mailbox in capitals": {"mail_from": "IIJ-Jiro@iijmio-mail.jp"},
}


class VisibleText(HTMLParser):
    """The text of the page's main content outside any <details> (their summaries included:
    they are what a closed disclosure shows) and outside the site's linked content."""

    SKIPPED = ("check-related", "notice--demo")

    def __init__(self) -> None:
        super().__init__()
        self.in_main = False
        self.details = 0
        self.summary = False
        self.skipped = 0
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag == "main":
            self.in_main = True
        if tag == "details":
            self.details += 1
        if tag == "summary" and self.details == 1:
            self.summary = True
        if self.skipped or any(name in classes for name in self.SKIPPED):
            self.skipped += 1
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.in_main = False
        if tag == "details":
            self.details -= 1
        if tag == "summary":
            self.summary = False
        if self.skipped and self.stack and self.stack[-1] == tag:
            self.stack.pop()
            self.skipped -= 1

    def handle_data(self, data: str) -> None:
        if self.in_main and not self.skipped and (self.details == 0 or self.summary):
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


@pytest.fixture
def zone(settings: object, tmp_path: Path, db: None) -> None:
    path = tmp_path / "plain.zone"
    path.write_text(DEMO_ZONE.read_text(encoding="utf-8") + EXTRA_ZONE, encoding="utf-8")
    settings.MAILCHECK_DNS = f"zone:{path}"  # type: ignore[attr-defined]
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())


@pytest.mark.parametrize("prefix", ["", "/en"])
@pytest.mark.parametrize("case", CASES)
def test_what_shows_before_the_details_has_no_jargon(
    client: Client, zone: None, prefix: str, case: str
) -> None:
    response = client.get(f"{prefix}/check/", {"account": ACCOUNT, **CASES[case]})
    html = response.content.decode("utf-8")
    assert 'id="report-title"' in html
    text = visible_text(html)

    assert not JARGON.findall(text), f"{JARGON.findall(text)} in: {text}"
    # The same words are there in the details, for those who want them.
    assert "spf=" in html


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_empty_form_has_no_jargon(client: Client, zone: None, prefix: str) -> None:
    text = visible_text(client.get(f"{prefix}/check/").content.decode("utf-8"))

    assert text
    assert not JARGON.findall(text), f"{JARGON.findall(text)} in: {text}"


def test_the_parser_sees_what_is_outside_the_details() -> None:
    html = (
        "<main><p>Your mail arrives.</p><details><summary>Full diagnosis</summary>"
        "<p>spf=pass</p><details><summary>Headers</summary>Received-SPF</details></details>"
        '<section class="check-related"><p>What is SPF?</p></section><p>End.</p></main>'
    )
    assert visible_text(html) == "Your mail arrives. Full diagnosis End."
