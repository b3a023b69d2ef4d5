"""The domain owner's page, /check/domain/ and /en/check/domain/, and the way to it from a
check result for an address outside the service."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

BROKEN = """
$TTL 300
iijmio-mail.jp.     TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"
broken.example.jp.  TXT "v=spf1 ptr include:nospf.example.jp +all"
"""


@pytest.fixture
def demo(settings: object) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"  # type: ignore[attr-defined]
    settings.TRUSTED_PROXIES = []  # type: ignore[attr-defined]
    settings.CHECK_RATE_LIMIT = ""  # type: ignore[attr-defined]
    settings.CHECK_DOMAIN_RATE_LIMIT = ""  # type: ignore[attr-defined]
    call_command("loaddemo", "--no-admin")


@pytest.fixture
def broken_zone(demo: None, settings: object, tmp_path: object) -> None:
    path = tmp_path / "broken.zone"  # type: ignore[operator]
    path.write_text(BROKEN, encoding="utf-8")
    settings.MAILCHECK_DNS = f"zone:{path}"  # type: ignore[attr-defined]


def html_of(response: object) -> str:
    return response.content.decode("utf-8")  # type: ignore[attr-defined]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize(
    ("url", "lang", "heading"),
    [
        ("/check/domain/", "ja", "SPF"),
        ("/en/check/domain/", "en", "Check your domain's SPF record"),
    ],
)
def test_the_page_shows_an_empty_form_in_its_language(
    client: Client, demo: None, url: str, lang: str, heading: str
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    html = html_of(response)
    assert f'<html lang="{lang}"' in html
    assert heading in html
    assert 'name="domain"' in html
    assert "noindex" not in html


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("/check/domain/?domain=broken.example.jp", ("ptr", "+all")),
        ("/en/check/domain/?domain=broken.example.jp", ("3 problems", "ptr", "+all", "Fix:")),
    ],
)
def test_a_broken_record_lists_its_problems_and_fixes(
    client: Client, broken_zone: None, url: str, words: tuple[str, ...]
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    html = html_of(response)
    problems = re.findall(r'class="lint-problem lint-problem--(\w+)"', html)
    assert sorted(problems) == ["include_without_record", "pass_all", "ptr"]
    text = text_of(html)
    for word in words:
        assert word in text
    assert 'id="suggested-record"' not in html  # fix the record first


@pytest.mark.parametrize(
    ("url", "lookups"),
    [
        ("/check/domain/?domain=example.jp", "10"),
        ("/en/check/domain/?domain=example.jp", "1 of 10"),
    ],
)
def test_a_clean_record_gets_the_record_to_publish_with_a_copy_button(
    client: Client, demo: None, url: str, lookups: str
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    html = html_of(response)
    assert "lint-problem--" not in html
    record = re.search(r'<code class="copy-value" id="suggested-record">([^<]*)</code>', html)
    assert record
    assert record.group(1) == "v=spf1 ip4:203.0.113.0/24 include:iijmio-mail.jp ~all"
    assert 'data-copy="suggested-record"' in html
    assert lookups in text_of(html)
    assert "js/check.js" in html


def test_the_typed_domain_is_escaped(client: Client, demo: None) -> None:
    response = client.get("/en/check/domain/", {"domain": '<script>alert("x")</script>.jp'})

    assert response.status_code == 400
    html = html_of(response)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.jp" in html
    assert 'aria-invalid="true"' in html


def test_a_domain_from_the_dns_is_escaped(
    client: Client, demo: None, settings: object, tmp_path: object
) -> None:
    path = tmp_path / "evil.zone"  # type: ignore[operator]
    path.write_text(
        'iijmio-mail.jp. TXT "v=spf1 ip4:192.0.2.25 ip6:2001:db8:25::25 ~all"\n'
        'evil.example.jp. TXT "v=spf1 <b>bold</b> -all"\n',
        encoding="utf-8",
    )
    settings.MAILCHECK_DNS = f"zone:{path}"  # type: ignore[attr-defined]

    html = html_of(client.get("/en/check/domain/?domain=evil.example.jp"))

    assert "<b>bold</b>" not in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_page_is_rate_limited_like_the_check(
    client: Client, demo: None, settings: object
) -> None:
    settings.CHECK_RATE_LIMIT = "2/m"  # type: ignore[attr-defined]
    for _ in range(2):
        assert client.get("/en/check/domain/?domain=example.jp").status_code == 200

    refused = client.get("/en/check/domain/?domain=example.jp")

    assert refused.status_code == 429
    assert refused["Retry-After"]


@pytest.mark.parametrize(
    ("url", "link"),
    [
        (
            "/check/?account=iiij-taro.iijmio-mail.jp&mail_from=example@example.jp",
            "/check/domain/?domain=example.jp",
        ),
        (
            "/en/check/?account=iiij-taro.iijmio-mail.jp&mail_from=example@example.jp",
            "/en/check/domain/?domain=example.jp",
        ),
    ],
)
def test_a_result_for_an_outside_domain_links_to_the_domain_page(
    client: Client, demo: None, url: str, link: str
) -> None:
    html = html_of(client.get(url))

    assert f'href="{link}"' in html


def test_a_result_for_our_own_domain_has_no_domain_link(client: Client, demo: None) -> None:
    html = html_of(
        client.get("/en/check/?account=iij-taro.iijmio-mail.jp&mail_from=iij-jiro@iijmio-mail.jp")
    )
    report = html.split('id="report-title"')[1]

    assert "fix__domain-link" not in report
    assert "/check/domain/" not in report.split("more-tools")[0]
