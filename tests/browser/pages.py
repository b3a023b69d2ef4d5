"""What the browser tests share: the pages a customer sees, the four cases, and small helpers."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.utils import translation
from playwright.sync_api import Page

LANGUAGES = {"ja": "", "en": "/en"}


@dataclass(frozen=True)
class Case:
    """One row of DOMAIN.md §1's table (and the spf=none case), as a customer would type it."""

    name: str
    account: str
    mail_from: str
    before: str
    after: str
    finding: str | None
    fix_accounts: tuple[str, ...]

    def query(self) -> str:
        return urlencode({"account": self.account, "mail_from": self.mail_from})


CASES = [
    Case("ok", "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", "pass", "pass", None, ()),
    Case(
        "other_mailbox",
        "iij-taro.iijmio-mail.jp",
        "iij-jiro@iijmio-mail.jp",
        "pass",
        "softfail",
        "newly_failing",
        ("iij-jiro.iijmio-mail.jp", "iij-taro.iijmio-mail.jp"),
    ),
    Case(
        "other_domain",
        "iij-taro.iijmio-mail.jp",
        "iij-taro@e23.jp",
        "pass",
        "softfail",
        "newly_failing",
        ("iij-taro.e23.jp", "iij-taro.iijmio-mail.jp"),
    ),
    Case(
        "other_provider",
        "iiij-taro.iijmio-mail.jp",
        "example@example.jp",
        "softfail",
        "softfail",
        "always_failing",
        (),
    ),
]
NO_SPF = Case(
    "no_spf", "iij-taro.iijmio-mail.jp", "someone@example.com", "none", "none", "no_spf", ()
)


def url(lang: str, path: str) -> str:
    """A public path in one language: `url("en", "/check/")` is "/en/check/"."""
    return f"{LANGUAGES[lang]}{path}"


def text(lang: str, msgid: str) -> str:
    """What the catalogue says for `msgid` in `lang`: the pages are tested in the words the
    customer reads, and a Japanese page that still shows the English text fails."""
    with translation.override(lang):
        translated = translation.gettext(msgid)
    if lang == "ja":
        assert translated != msgid, f"no Japanese translation for {msgid!r}"
    return translated


def submit_check(page: Page, lang: str, account: str, mail_from: str) -> None:
    """Fill in the form the way a customer does and press the button."""
    page.goto(url(lang, "/check/"))
    page.get_by_label(text(lang, "Account name"), exact=True).fill(account)
    page.get_by_label(text(lang, "Mail address"), exact=True).fill(mail_from)
    page.get_by_role("button", name=text(lang, "Check"), exact=True).click()
    page.wait_for_load_state()


# Every public page, by a short name used in test ids and screenshot files.
PUBLIC_PAGES = {
    "home": "/",
    "notices": "/notices/",
    "notice": "/notices/2014-03-25-sender-address-and-spf/",
    "faq": "/faq/",
    "faq-search": "/faq/?q=SPF",
    "faq-entry": "/faq/mail-goes-to-junk/",
    "sitemap": "/sitemap/",
    "guides": "/check/guides/",
    "guide": "/check/guides/thunderbird/",
    "domain": "/check/domain/?domain=example.jp",
    "setup": "/check/setup/?emailaddress=iij-taro%40iijmio-mail.jp",
    "batch": "/check/batch/",
    "test-mail": "/check/test-mail/",
}
# The check page in each of its states.
CHECK_STATES = {
    "check-empty": "/check/",
    "check-errors": "/check/?account=iij-taro%40iijmio-mail.jp&mail_from=iij-taro%40",
    "check-pass": f"/check/?{CASES[0].query()}",
    "check-softfail-new": f"/check/?{CASES[1].query()}",
    "check-softfail-always": f"/check/?{CASES[3].query()}",
    "check-none": f"/check/?{NO_SPF.query()}",
    "check-not-aligned": (
        "/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro%40iijmio-mail.jp"
        "&header_from=someone%40example.com"
    ),
}
ALL_PAGES = {**PUBLIC_PAGES, **CHECK_STATES}


def open_all_details(page: Page) -> None:
    """Show what sits behind every disclosure, so checks see the whole page."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
