"""The web's limits on checks: per client, per target domain, and checks at once per process."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from mailcheck import ratelimit
from tests.dnsserver import FakeDnsServer

pytestmark = pytest.mark.django_db

ACCOUNT = "iij-taro.iijmio-mail.jp"


@pytest.fixture
def demo(settings: Any) -> None:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"
    settings.TRUSTED_PROXIES = []
    settings.CHECK_RATE_LIMIT = ""
    settings.CHECK_DOMAIN_RATE_LIMIT = ""
    call_command("loaddemo", "--no-admin")


def check(client: Client, mail_from: str, *, prefix: str = "", **extra: str) -> Any:
    return client.get(f"{prefix}/check/", {"account": ACCOUNT, "mail_from": mail_from}, **extra)


def html_lang(response: Any) -> str:
    found = re.search(r'<html\b[^>]*\blang="([^"]+)"', response.content.decode())
    assert found
    return found.group(1)


def test_a_client_past_its_limit_gets_429_with_retry_after(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_RATE_LIMIT = "2/m"

    answers = [check(client, f"user{n}@example.com") for n in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert 1 <= int(answers[2]["Retry-After"]) <= 60
    assert "no-store" in answers[2]["Cache-Control"]


@pytest.mark.parametrize(("prefix", "lang"), [("", "ja"), ("/en", "en")])
def test_the_429_page_is_in_the_language_of_the_url(
    client: Client, demo: None, settings: Any, prefix: str, lang: str
) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    check(client, "user@example.com", prefix=prefix)

    refused = check(client, "user@example.com", prefix=prefix)

    assert refused.status_code == 429
    assert html_lang(refused) == lang
    assert 'class="site-header"' in refused.content.decode()


def test_the_empty_form_and_refused_input_do_not_count(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    settings.CHECK_DOMAIN_RATE_LIMIT = "1/m"
    for _ in range(3):
        assert client.get("/check/").status_code == 200
        assert check(client, "no-at-sign.example.com").status_code == 400
        assert (
            client.get("/check/", {"account": "", "mail_from": "user@example.com"}).status_code
            == 400
        )

    assert check(client, "user@example.com").status_code == 200


def test_another_client_has_its_own_count(client: Client, demo: None, settings: Any) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    check(client, "user@example.com", REMOTE_ADDR="192.0.2.1")

    assert check(client, "user@example.com", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert check(client, "user@example.com", REMOTE_ADDR="192.0.2.2").status_code == 200


def test_forwarded_for_from_an_untrusted_peer_does_not_give_a_new_count(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    check(client, "user@example.com", HTTP_X_FORWARDED_FOR="198.51.100.1")

    again = check(client, "user@example.com", HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert again.status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_client_counts_apart(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    check(client, "user@example.com", HTTP_X_FORWARDED_FOR="198.51.100.1")

    assert check(client, "user@example.com", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    assert check(client, "user@example.com", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_ipv6_clients_are_counted_per_64(client: Client, demo: None, settings: Any) -> None:
    settings.CHECK_RATE_LIMIT = "1/m"
    check(client, "user@example.com", REMOTE_ADDR="2001:db8:1:2::1")

    assert check(client, "user@example.com", REMOTE_ADDR="2001:db8:1:2::99").status_code == 429
    assert check(client, "user@example.com", REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_a_domain_past_its_limit_is_refused_whoever_asks(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_DOMAIN_RATE_LIMIT = "2/m"
    for n in range(2):
        assert check(client, f"u{n}@example.com", REMOTE_ADDR=f"192.0.2.{n + 1}").status_code == 200

    refused = check(client, "u9@example.com", REMOTE_ADDR="192.0.2.9")

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert check(client, "u9@example.net", REMOTE_ADDR="192.0.2.9").status_code == 200


def test_made_up_sub_domains_count_against_their_registered_domain(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_DOMAIN_RATE_LIMIT = "2/m"
    for n in range(2):
        status = check(client, f"u@x{n}.example.co.jp", REMOTE_ADDR=f"192.0.2.{n + 1}").status_code
        assert status == 200

    assert check(client, "u@y.z.example.co.jp", REMOTE_ADDR="192.0.2.9").status_code == 429
    # Another owner under the same public suffix is counted apart.
    assert check(client, "u@other.co.jp", REMOTE_ADDR="192.0.2.9").status_code == 200


@pytest.mark.parametrize(
    ("domain", "registrable"),
    [
        ("example.com", "example.com"),
        ("a.b.example.com", "example.com"),
        ("mail.example.co.jp", "example.co.jp"),
        ("co.jp", "co.jp"),
        ("xn--wgv71a119e.jp", "xn--wgv71a119e.jp"),
    ],
)
def test_registrable_domain_follows_the_public_suffix_list(domain: str, registrable: str) -> None:
    assert ratelimit.registrable_domain(domain) == registrable


def test_the_services_own_domains_have_no_limit_per_domain(
    client: Client, demo: None, settings: Any
) -> None:
    settings.CHECK_DOMAIN_RATE_LIMIT = "1/m"

    answers = [
        check(client, "iij-taro@iijmio-mail.jp", REMOTE_ADDR=f"192.0.2.{n}") for n in range(1, 4)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]


def test_empty_settings_turn_the_limits_off(client: Client, demo: None) -> None:
    answers = [check(client, "user@example.com").status_code for _ in range(35)]

    assert set(answers) == {200}


def test_a_live_check_finding_every_slot_taken_is_told_busy_at_once(
    client: Client, demo: None, settings: Any, demo_zone_dns_server: FakeDnsServer
) -> None:
    settings.MAILCHECK_DNS = f"live:{demo_zone_dns_server.address}"
    settings.MAILCHECK_MAX_CONCURRENT_CHECKS = 1
    settings.MAILCHECK_DNS_BUDGET = 3.0
    slots = ratelimit._slots(1)
    assert slots.acquire()
    try:
        busy_ja = check(client, "user@example.com")
        busy_en = check(client, "user@example.com", prefix="/en")
        form = client.get("/check/")
    finally:
        slots.release()

    assert busy_ja.status_code == busy_en.status_code == 503
    assert busy_ja["Retry-After"] == "3"
    assert "no-store" in busy_ja["Cache-Control"]
    assert (html_lang(busy_ja), html_lang(busy_en)) == ("ja", "en")
    assert "The settings check is busy right now" in busy_en.content.decode()
    assert demo_zone_dns_server.query_count == 0
    assert form.status_code == 200
    assert check(client, "user@example.com").status_code == 200


def test_a_check_answered_from_a_zone_file_needs_no_slot(
    client: Client, demo: None, settings: Any
) -> None:
    settings.MAILCHECK_MAX_CONCURRENT_CHECKS = 1
    slots = ratelimit._slots(1)
    assert slots.acquire()
    try:
        answer = check(client, "user@example.com")
    finally:
        slots.release()

    assert answer.status_code == 200


def test_a_bad_rate_setting_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from portal.settings import envrate

    monkeypatch.setenv("CHECK_RATE_LIMIT", "thirty a minute")
    with pytest.raises(ImproperlyConfigured, match="CHECK_RATE_LIMIT"):
        envrate("CHECK_RATE_LIMIT", "30/m")
    monkeypatch.setenv("CHECK_RATE_LIMIT", "")
    assert envrate("CHECK_RATE_LIMIT", "30/m") == ""


def test_the_visible_from_domain_counts_against_its_own_limit(
    client: Client, demo: None, settings: Any
) -> None:
    # The check asks the visible From's domain for its DMARC policy: that domain is protected
    # too, even when the envelope From is one of the service's own (exempt) addresses.
    settings.CHECK_DOMAIN_RATE_LIMIT = "2/m"

    def with_visible_from(n: int) -> int:
        return client.get(
            "/check/",
            {
                "account": ACCOUNT,
                "mail_from": "iij-taro@iijmio-mail.jp",
                "header_from": f"u{n}@example.com",
            },
            REMOTE_ADDR=f"192.0.2.{n + 1}",
        ).status_code

    assert [with_visible_from(n) for n in range(3)] == [200, 200, 429]
