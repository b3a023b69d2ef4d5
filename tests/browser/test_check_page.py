"""The settings check as a customer uses it: type, press Check, read the verdict and the fix."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import CASES, NO_SPF, Case, submit_check, text, url

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("case", [*CASES, NO_SPF], ids=lambda c: c.name)
def test_it_shows_the_verdict_before_and_after_the_change(
    page: Page, lang: str, case: Case
) -> None:
    submit_check(page, lang, case.account, case.mail_from)

    expect(page).to_have_url(re.compile(rf"{url(lang, '/check/')}\?.*#report-title$"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    report = page.locator("#result")
    expect(report.get_by_role("heading", name=text(lang, "Result"), exact=True)).to_be_visible()
    expect(page.locator(".outcome--before .route-diagram .badge")).to_have_text(
        f"spf={case.before}"
    )
    expect(page.locator(".outcome--after .route-diagram .badge")).to_have_text(f"spf={case.after}")
    expect(page.locator(".verdict-summary .badge")).to_have_text(f"spf={case.after}")
    if case.finding:
        expect(page.locator(f".finding--{case.finding}")).to_be_visible()
    if case.fix_accounts:
        expect(page.locator(".fix .copy-value[id$=-account]")).to_have_text(list(case.fix_accounts))
    elif case.name == "ok":
        expect(page.locator(".fixes--none")).to_have_text(
            text(lang, "Nothing: your account name and mail address belong together.")
        )
    else:
        expect(page.locator(".fix--use_own_provider")).to_be_visible()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_empty_form_is_answered_with_messages_tied_to_each_field(page: Page, lang: str) -> None:
    page.goto(url(lang, "/check/"))
    page.get_by_role("button", name=text(lang, "Check"), exact=True).click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(text(lang, "Please correct the following"))
    for field, message in [
        ("account", "Enter the account name from your mail program."),
        ("mail_from", "Enter the mail address from your mail program."),
    ]:
        box = page.locator(f"#id_{field}")
        expect(box).to_have_attribute("aria-invalid", "true")
        expect(box).to_have_accessible_description(re.compile(re.escape(text(lang, message))))
        expect(summary).to_contain_text(text(lang, message))
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_account")).to_be_focused()


def test_an_address_typed_into_the_account_field_names_the_field_and_the_fix(page: Page) -> None:
    submit_check(page, "ja", "iij-taro@iijmio-mail.jp", "iij-taro@iijmio-mail.jp")

    expect(page.get_by_role("alert")).to_contain_text(text("ja", "Account name"))
    error = page.locator("#id_account_error")
    expect(error).to_contain_text(
        text(
            "ja",
            "The account name uses a dot where the address has its @. Replace the @ "
            "with a dot (.).",
        )
    )
    expect(page.locator("#id_mail_from")).not_to_have_attribute("aria-invalid", "true")
    # What the customer typed stays in the form, so they can correct it rather than retype it.
    expect(page.locator("#id_account")).to_have_value("iij-taro@iijmio-mail.jp")


def test_full_width_input_is_read_and_the_change_is_shown(page: Page) -> None:
    submit_check(
        page, "ja", "ｉｉｊ－ｔａｒｏ．ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ", "IIJ-TARO@iijmio-mail.jp"
    )

    expect(page.locator(".verdict-summary .badge")).to_have_text("spf=pass")
    changes = page.locator(".report .notice[role=status]")
    expect(changes).to_contain_text(text("ja", "full-width characters turned into half-width ones"))
    expect(changes).to_contain_text(text("ja", "capital letters written in lower case"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_copy_buttons_put_the_corrected_settings_on_the_clipboard(
    page: Page, base_url: str, lang: str
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    case = CASES[1]
    submit_check(page, lang, case.account, case.mail_from)

    fix = page.locator(".fix--use_address_account")
    for value_id, expected in [
        ("fix-1-account", "iij-jiro.iijmio-mail.jp"),
        ("fix-1-mail", "iij-jiro@iijmio-mail.jp"),
    ]:
        fix.locator(f"button[data-copy={value_id}]").click()
        expect(page.locator(".copy-status")).to_contain_text(expected)
        assert page.evaluate("navigator.clipboard.readText()") == expected


def test_switching_language_keeps_what_the_customer_typed(page: Page) -> None:
    case = CASES[2]
    submit_check(page, "ja", case.account, case.mail_from)
    expect(page.locator(".outcome--after .route-diagram .badge")).to_have_text("spf=softfail")

    page.get_by_role("navigation", name=text("ja", "Language")).get_by_role(
        "link", name="English"
    ).click()

    expect(page).to_have_url(re.compile(r"/en/check/\?"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#id_account")).to_have_value(case.account)
    expect(page.locator("#id_mail_from")).to_have_value(case.mail_from)
    expect(page.locator(".outcome--after .route-diagram .badge")).to_have_text("spf=softfail")

    page.get_by_role("navigation", name="Language").get_by_role("link", name="日本語").click()
    expect(page).to_have_url(re.compile(r"/check/\?account="))
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#id_mail_from")).to_have_value(case.mail_from)


def test_the_examples_fill_in_a_case_with_one_tap(page: Page) -> None:
    page.goto(url("en", "/check/"))
    page.get_by_role("link", name=text("en", "An address of another provider")).click()

    expect(page.locator("#id_mail_from")).to_have_value("example@example.jp")
    expect(page.locator(".verdict-summary .badge")).to_have_text("spf=softfail")
