"""The check page, by its public URLs."""

from __future__ import annotations

import datetime
import html
import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from mailcheck import messages, models
from mailcheck.check import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings: object) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"  # type: ignore[attr-defined]
    call_command("loaddemo", "--no-admin")


def html_of(response: object) -> str:
    return response.content.decode("utf-8")  # type: ignore[attr-defined]


def input_tag(html: str, name: str) -> str:
    """The check form's field (a saved-result form may carry the same name, hidden)."""
    found = re.findall(rf'<input\b[^>]*\bname="{name}" id="id_{name}"[^>]*>', html, flags=re.S)
    assert len(found) == 1, f"expected one field named {name}, found {len(found)}"
    return found[0]


def outcome_section(html: str, kind: str) -> str:
    found = re.search(rf'<article class="outcome outcome--{kind}".*?</article>', html, flags=re.S)
    assert found, f"no {kind} outcome on the page"
    return found.group(0)


def html_lang(html: str) -> str:
    found = re.search(r'<html\b[^>]*\blang="([^"]+)"', html)
    assert found
    return found.group(1)


@pytest.mark.parametrize(("url", "lang"), [("/check/", "ja"), ("/en/check/", "en")])
def test_the_check_page_shows_the_form_in_its_language(
    client: Client, demo: None, url: str, lang: str
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    html = html_of(response)
    assert html_lang(html) == lang
    assert 'aria-invalid="true"' not in input_tag(html, "account")
    assert 'aria-invalid="true"' not in input_tag(html, "mail_from")
    assert "outcome--after" not in html


FOUR_CASES = [
    # (account, mail_from, before, after, route after, helo after, an address of the route after)
    (
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        "pass",
        "pass",
        "SPF-listed server",
        "mo-listed.iijmio-mail.jp",
        "192.0.2.25",
    ),
    (
        "iij-taro.iijmio-mail.jp",
        "iij-jiro@iijmio-mail.jp",
        "pass",
        "softfail",
        "Server not in SPF",
        "mo-unlisted.iijmio-mail.jp",
        "198.51.100.25",
    ),
    (
        "iij-taro.iijmio-mail.jp",
        "iij-taro@e23.jp",
        "pass",
        "softfail",
        "Server not in SPF",
        "mo-unlisted.iijmio-mail.jp",
        "198.51.100.25",
    ),
    (
        "iiij-taro.iijmio-mail.jp",
        "example@example.jp",
        "softfail",
        "softfail",
        "Server not in SPF",
        "mo-unlisted.iijmio-mail.jp",
        "2001:db8:ff::25",
    ),
]


@pytest.mark.parametrize(
    ("account", "mail_from", "before", "after", "route_after", "helo_after", "ip_after"),
    FOUR_CASES,
)
def test_it_shows_the_verdicts_and_routes_of_the_notice_table(
    client: Client,
    demo: None,
    account: str,
    mail_from: str,
    before: str,
    after: str,
    route_after: str,
    helo_after: str,
    ip_after: str,
) -> None:
    response = client.get(f"/en/check/?account={account}&mail_from={mail_from}")

    assert response.status_code == 200
    html = html_of(response)
    before_html = outcome_section(html, "before")
    after_html = outcome_section(html, "after")
    assert f"spf={before}" in before_html
    assert "SPF-listed server" in before_html
    assert "mo-listed.iijmio-mail.jp" in before_html
    assert "192.0.2.25" in before_html
    assert f"spf={after}" in after_html
    assert route_after in after_html
    assert helo_after in after_html
    assert ip_after in after_html
    other = {"pass", "softfail"} - {after}
    assert not any(f"spf={result}" in after_html for result in other)
    # The subject of the report is what was checked, normalised.
    assert f"<code>{account}</code>" in html
    assert f"<code>{mail_from}</code>" in html


def test_it_shows_the_fix_with_the_account_that_goes_with_the_address(
    client: Client, demo: None
) -> None:
    html = html_of(
        client.get("/en/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp")
    )

    assert "iij-jiro.iijmio-mail.jp" in html


def test_it_reads_full_width_input_and_says_what_it_changed(client: Client, demo: None) -> None:
    response = client.get(
        "/en/check/",
        {
            "account": "ｉｉｊ－ｔａｒｏ．ｉｉｊｍｉｏ－ｍａｉｌ．ｊｐ",
            "mail_from": " IIJ-Jiro@iijmio-mail.jp ",
        },
    )

    assert response.status_code == 200
    html = html_of(response)
    assert "<code>iij-taro.iijmio-mail.jp</code>" in html
    assert "<code>iij-jiro@iijmio-mail.jp</code>" in html
    assert "spf=softfail" in outcome_section(html, "after")
    assert "full-width characters turned into half-width ones" in html
    assert "capital letters written in lower case" in html


@pytest.mark.parametrize("url", ["/check/", "/en/check/"])
def test_it_labels_answers_from_demo_data(client: Client, demo: None, url: str) -> None:
    html = html_of(
        client.get(f"{url}?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp")
    )

    assert "notice--demo" in html


def test_the_demo_notice_says_demo_data_in_english(client: Client, demo: None) -> None:
    html = html_of(
        client.get("/en/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp")
    )

    assert "Demo data" in html


BAD_INPUT = [
    # (query string, fields with an error)
    ("account=&mail_from=", {"account", "mail_from"}),
    ("account=iij-taro.iijmio-mail.jp&mail_from=", {"mail_from"}),
    ("account=&mail_from=iij-taro@iijmio-mail.jp", {"account"}),
    ("account=iij-taro.iijmio-mail.jp", {"mail_from"}),
    ("account=iij-taro@iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp", {"account"}),
    ("account=iij-taro.iijmio-mail.jp&mail_from=!!!%23%23%23", {"mail_from"}),
    ("account=%3F%3F%3F&mail_from=iij-taro@iijmio-mail.jp", {"account"}),
    ("account=iij-taro.iijmio-mail.jp&mail_from=" + "a" * 10_000, {"mail_from"}),
    ("account=" + "a" * 10_000 + "&mail_from=iij-taro@iijmio-mail.jp", {"account"}),
    ("account=iij-taro%00.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp", {"account"}),
    ("account=iij-taro.iijmio-mail.jp&mail_from=iij-taro%00@iijmio-mail.jp", {"mail_from"}),
    # An unpaired surrogate in UTF-8 form, and bytes that are not UTF-8 at all.
    ("account=iij-taro.iijmio-mail.jp&mail_from=%ED%A0%80@iijmio-mail.jp", {"mail_from"}),
    ("account=%FF%FE.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp", {"account"}),
    # Right-to-left override, zero-width space, a combining mark.
    ("account=iij-taro.iijmio-mail.jp&mail_from=%E2%80%AEtaro@iijmio-mail.jp", {"mail_from"}),
    ("account=iij%E2%80%8Btaro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp", {"account"}),
    ("account=iij-taro.iijmio-mail.jp&mail_from=taro@exa%CC%81mple..jp", {"mail_from"}),
]


@pytest.mark.parametrize(("query", "fields"), BAD_INPUT)
@pytest.mark.parametrize("prefix", ["", "/en"])
def test_bad_input_reshows_the_form_with_a_message_on_the_field(
    client: Client, demo: None, prefix: str, query: str, fields: set[str]
) -> None:
    response = client.get(f"{prefix}/check/?{query}")

    assert response.status_code == 400
    html = html_of(response)
    for name in ("account", "mail_from"):
        tag = input_tag(html, name)
        if name in fields:
            assert 'aria-invalid="true"' in tag
            assert f"id_{name}_error" in tag  # aria-describedby points at the message
            assert re.search(rf'id="id_{name}_error"[^>]*>\s*\S', html), "empty message"
        else:
            assert 'aria-invalid="true"' not in tag
    assert "outcome--after" not in html


def test_an_empty_field_and_a_bad_one_are_both_named_in_one_round(
    client: Client, demo: None
) -> None:
    html = html_of(client.get("/en/check/?account=&mail_from=taro"))

    assert 'id="id_account_error"' in html
    assert re.search(r'id="id_mail_from_error"[^>]*>[^<]*@', html), (
        "the address message asks for an @"
    )


def test_the_account_message_suggests_the_account_for_an_address(
    client: Client, demo: None
) -> None:
    html = html_of(
        client.get("/en/check/?account=iij-taro@iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp")
    )

    message = re.search(r'id="id_account_error"[^>]*>(.*?)</', html, flags=re.S)
    assert message
    assert "iij-taro.iijmio-mail.jp" in message.group(1)


def test_the_form_keeps_what_was_typed(client: Client, demo: None) -> None:
    html = html_of(
        client.get("/en/check/?account=iij-taro@iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp")
    )

    assert 'value="iij-taro@iijmio-mail.jp"' in input_tag(html, "account")


@pytest.mark.parametrize(
    ("url", "switch"),
    [
        (
            "/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp",
            "/en/check/?account=iij-taro.iijmio-mail.jp&amp;mail_from=iij-jiro@iijmio-mail.jp",
        ),
        (
            "/en/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp",
            "/check/?account=iij-taro.iijmio-mail.jp&amp;mail_from=iij-jiro@iijmio-mail.jp",
        ),
    ],
)
def test_the_language_switch_keeps_the_query_string(
    client: Client, demo: None, url: str, switch: str
) -> None:
    html = html_of(client.get(url))

    assert re.search(rf'<a href="{re.escape(switch)}"[^>]*hreflang=', html)


@pytest.mark.parametrize(("home", "check"), [("/", "/check/"), ("/en/", "/en/check/")])
def test_the_home_page_links_to_the_check_page(
    client: Client, demo: None, home: str, check: str
) -> None:
    response = client.get(home)

    assert response.status_code == 200
    assert f'href="{check}"' in html_of(response)


@pytest.mark.parametrize(
    "url",
    [
        "/check/",
        "/en/check/",
        "/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp",
    ],
)
def test_without_an_active_service_the_check_answers_503_with_a_message(
    client: Client, url: str
) -> None:
    response = client.get(url)

    assert response.status_code == 503
    html = html_of(response)
    assert "<h1>" in html
    assert "<form" not in html
    if url.startswith("/en/"):
        assert "not available" in html


def test_an_inactive_service_counts_as_none(client: Client, demo: None) -> None:
    models.Service.objects.update(is_active=False)

    assert client.get("/en/check/").status_code == 503


def test_a_service_without_its_unlisted_route_answers_503(client: Client, demo: None) -> None:
    models.Route.objects.filter(kind="unlisted").delete()

    assert client.get("/en/check/").status_code == 503


@pytest.mark.parametrize(
    ("mail_from", "words"),
    [
        ("taro", "@"),
        ("u@192.0.2.1", "IP address"),
        ("u@xn--zz.jp", "xn--"),
    ],
)
def test_a_601_character_account_and_a_bad_address_are_both_named_in_one_round(
    client: Client, demo: None, mail_from: str, words: str
) -> None:
    response = client.get("/en/check/", {"account": "a" * 601, "mail_from": mail_from})

    assert response.status_code == 400
    html = html_of(response)
    account = re.search(r'id="id_account_error"[^>]*>(.*?)</', html, flags=re.S)
    address = re.search(r'id="id_mail_from_error"[^>]*>(.*?)</', html, flags=re.S)
    assert account and "longer than" in account.group(1)
    assert address and words in address.group(1)
    # The typed value is shown back whole, not cut to the browser's limit.
    assert 'value="' + "a" * 601 + '"' in input_tag(html, "account")
    assert 'maxlength="600"' in input_tag(html, "account")


def test_a_quoted_mailbox_that_needs_no_quotes_is_checked_and_the_change_is_said(
    client: Client, demo: None
) -> None:
    response = client.get(
        "/en/check/",
        {"account": "iij-taro.iijmio-mail.jp", "mail_from": '"iij-taro"@iijmio-mail.jp'},
    )

    assert response.status_code == 200
    html = html_of(response)
    assert "outcome--after" in html
    assert "quotation marks" in html


def test_a_listed_route_whose_servers_fail_is_not_drawn_as_listed(
    client: Client, demo: None
) -> None:
    # A mistaken edit: the listed route holds only an address that is not in the SPF record.
    route = models.Route.objects.get(kind="listed")
    route.addresses.all().delete()
    route.addresses.create(address="198.51.100.25")

    html = html_of(
        client.get("/en/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-taro@iijmio-mail.jp")
    )

    after_html = outcome_section(html, "after")
    assert "spf=softfail" in after_html
    assert "route-diagram__step--unlisted" in after_html
    assert "Server not in SPF" in after_html
    assert "SPF-listed server" not in after_html


# --- The outcome headline and the visible From ---------------------------------------------------

OUTCOME_CASES = [
    # (account, mail_from, header_from, outcome today, its English words)
    (
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        "",
        "delivered",
        "reaches the recipient",
    ),
    ("iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", "", "at_risk", "junk folder"),
    ("iiij-taro.iijmio-mail.jp", "example@example.jp", "", "quarantine", "quarantined"),
    ("iij-taro.iijmio-mail.jp", "someone@example.com", "", "reject", "refuses your mail"),
    (
        "iij-taro.iijmio-mail.jp",
        "iij-taro@iijmio-mail.jp",
        "someone@example.com",
        "reject",
        "refuses your mail",
    ),
]


def headline(html: str) -> re.Match[str]:
    found = re.search(
        r'<div class="delivery-headline delivery-headline--(\w+)">\s*'
        r'<p class="delivery-headline__now">(.*?)</p>(.*?)</div>',
        html,
        flags=re.S,
    )
    assert found, "no outcome headline on the page"
    return found


def check_url(prefix: str, account: str, mail_from: str, header_from: str) -> str:
    query = urlencode({"account": account, "mail_from": mail_from, "header_from": header_from})
    return f"{prefix}/check/?{query}"


@pytest.mark.parametrize(("account", "mail_from", "header_from", "outcome", "words"), OUTCOME_CASES)
def test_the_headline_says_what_happens_to_the_mail_in_english(
    client: Client,
    demo: None,
    account: str,
    mail_from: str,
    header_from: str,
    outcome: str,
    words: str,
) -> None:
    response = client.get(check_url("/en", account, mail_from, header_from))

    assert response.status_code == 200
    found = headline(html_of(response))
    assert found.group(1) == outcome
    assert words in html.unescape(found.group(2))


@pytest.mark.parametrize(("account", "mail_from", "header_from", "outcome", "words"), OUTCOME_CASES)
def test_the_headline_says_what_happens_to_the_mail_in_japanese(
    client: Client,
    demo: None,
    account: str,
    mail_from: str,
    header_from: str,
    outcome: str,
    words: str,
) -> None:
    response = client.get(check_url("", account, mail_from, header_from))

    assert response.status_code == 200
    found = headline(html_of(response))
    assert found.group(1) == outcome
    with translation.override("ja"):
        expected = str(messages.DELIVERY_TODAY[Delivery(outcome)])
    assert html.unescape(found.group(2)) == expected


def test_while_the_change_is_ahead_the_headline_says_what_happens_from_its_date(
    client: Client, demo: None
) -> None:
    models.PolicyChange.objects.update(effective=datetime.date(2099, 3, 25))
    html_text = html_of(
        client.get(check_url("/en", "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", ""))
    )

    found = headline(html_text)
    assert found.group(1) == "delivered"
    assert 'class="delivery-headline__later delivery-headline__later--at_risk"' in found.group(3)
    assert "From 25 March 2099" in html.unescape(found.group(3))


def test_the_result_notes_that_only_spf_is_checked_where_dmarc_decides(
    client: Client, demo: None
) -> None:
    html_text = html_of(
        client.get(check_url("/en", "iiij-taro.iijmio-mail.jp", "example@example.jp", ""))
    )

    # Under the reasons, so the headline and the first fix keep the first screen.
    assert "this check cannot see such a signature" not in headline(html_text).group(3)
    note = re.search(r'<p class="signature-note">(.*?)</p>', html_text, flags=re.S)
    assert note and "example.jp" in note.group(1)
    assert html_text.index('id="why-title"') < note.start()


def test_the_header_from_is_shown_with_the_result(client: Client, demo: None) -> None:
    html_text = html_of(
        client.get(
            check_url("/en", "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", "s@example.com")
        )
    )

    assert "From address (shown to recipients): <code>s@example.com</code>" in html_text
    assert 'value="s@example.com"' in input_tag(html_text, "header_from")
    # An advanced field: open when it holds a value, and never required.
    assert '<details class="field-advanced" open>' in html_text
    assert " required" not in input_tag(html_text, "header_from")


def test_an_empty_header_from_stays_folded_away(client: Client, demo: None) -> None:
    html_text = html_of(
        client.get(check_url("/en", "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", ""))
    )

    assert '<details class="field-advanced">' in html_text
    assert "From address (shown to recipients):" not in html_text


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_an_invalid_header_from_is_named_on_its_field(
    client: Client, demo: None, prefix: str
) -> None:
    response = client.get(
        check_url(prefix, "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", "someone")
    )

    assert response.status_code == 400
    html_text = html_of(response)
    tag = input_tag(html_text, "header_from")
    assert 'aria-invalid="true"' in tag
    assert "id_header_from_error" in tag
    assert re.search(r'id="id_header_from_error"[^>]*>[^<]*@', html_text)
    assert 'href="#id_header_from"' in html_text  # in the error summary, by its label
    assert 'aria-invalid="true"' not in input_tag(html_text, "mail_from")


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",  # refused: echoed in the field only
        '"<script>alert(1)</script>"@example.com',  # a quoted mailbox: checked and shown
    ],
)
def test_the_echoed_header_from_is_escaped(client: Client, demo: None, typed: str) -> None:
    html_text = html_of(
        client.get(check_url("/en", "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp", typed))
    )

    assert "<script>alert(1)" not in html_text
    assert "&lt;script&gt;alert(1)" in input_tag(html_text, "header_from")


# --- The order of the result: the answer first, the full diagnosis one tap away ----------------


def positions(html_text: str, *markers: str) -> list[int]:
    found = [html_text.find(marker) for marker in markers]
    assert -1 not in found, dict(zip(markers, found, strict=True))
    return found


def diagnosis_tag(html_text: str) -> str:
    found = re.findall(r'<details class="diagnosis"[^>]*>', html_text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("mail_from", "first_fix"),
    [
        ("iij-jiro@iijmio-mail.jp", '<li class="fix fix--use_address_account">'),
        ("someone@example.com", '<li class="fix fix--use_own_provider">'),
        ("iij-taro@iijmio-mail.jp", '<p class="fixes fixes--none">'),
    ],
)
def test_the_result_says_what_happens_then_what_to_change_then_why_then_the_details(
    client: Client, demo: None, mail_from: str, first_fix: str
) -> None:
    html_text = html_of(client.get(check_url("/en", "iij-taro.iijmio-mail.jp", mail_from, "")))

    headline, fix, details, end = positions(
        html_text,
        '<div class="delivery-headline',
        first_fix,
        '<details class="diagnosis"',
        "</main>",
    )
    # The notices and FAQ entries about this result, where there are any, come after the details.
    related = html_text.find('<section class="check-related"')
    end = related if related != -1 else end
    assert headline < fix < details < end
    if 'id="why-title"' in html_text:
        assert fix < html_text.find('id="why-title"') < details
    # The comparison, the per-address table, the recipient's headers, the SPF badge and the
    # link to the trace come after the details' summary, before the related notices.
    inside = html_text[details:end]
    for part in [
        '<article class="outcome outcome--',
        '<table class="addresses">',
        '<details class="headers">',
        '<p class="verdict-summary',
        '<p class="trace-link">',
    ]:
        assert part in inside, part


def test_the_diagnosis_is_folded_once_the_change_is_in_the_past(client: Client, demo: None) -> None:
    html_text = html_of(
        client.get(check_url("/en", "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", ""))
    )

    assert diagnosis_tag(html_text) == '<details class="diagnosis">'


def test_the_diagnosis_is_open_while_the_change_is_ahead(client: Client, demo: None) -> None:
    models.PolicyChange.objects.update(effective=datetime.date(2099, 3, 25))
    html_text = html_of(
        client.get(check_url("/en", "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", ""))
    )

    assert diagnosis_tag(html_text) == '<details class="diagnosis" open>'


def test_the_diagnosis_is_open_when_the_trace_is_asked_for(client: Client, demo: None) -> None:
    url = check_url("/en", "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp", "")
    html_text = html_of(client.get(f"{url}&trace=1"))

    assert diagnosis_tag(html_text) == '<details class="diagnosis" open>'
    assert html_text.index('<details class="diagnosis"') < html_text.index('id="trace-title"')


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_demo_examples_show_only_with_the_demo_data(
    client: Client, demo: None, settings: object, prefix: str
) -> None:
    assert 'id="examples-title"' in html_of(client.get(f"{prefix}/check/"))

    # Live DNS: the examples would check real people's names at the real domains.
    settings.MAILCHECK_DNS = "live:127.0.0.1:9"  # type: ignore[attr-defined]
    page = html_of(client.get(f"{prefix}/check/"))

    assert 'id="examples-title"' not in page
    assert "iij-jiro" not in page
