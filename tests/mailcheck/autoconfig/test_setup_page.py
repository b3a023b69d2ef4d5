"""The customer's set-up page (/check/setup/, /en/check/setup/) and the offer on a result."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from mailcheck import models

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def demo(settings: object) -> models.Service:
    settings.MAILCHECK_DNS = "zone:mailcheck/demo/demo.zone"  # type: ignore[attr-defined]
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


def html_of(response: object) -> str:
    return response.content.decode("utf-8")  # type: ignore[attr-defined]


def qr_of(html: str) -> ET.Element:
    found = re.search(r'<svg class="qr-code".*?</svg>', html, flags=re.S)
    assert found, "no QR code on the page"
    return ET.fromstring(found.group(0))


@pytest.mark.parametrize(
    ("url", "lang", "title"),
    [
        ("/check/setup/", "ja", "メールソフトを自動で設定する"),
        ("/en/check/setup/", "en", "Set up your mail program automatically"),
    ],
)
def test_the_page_asks_for_the_address_in_its_language(
    client: Client, demo: models.Service, url: str, lang: str, title: str
) -> None:
    response = client.get(url)

    assert response.status_code == 200
    html = html_of(response)
    assert f'<html lang="{lang}">' in html
    assert f"<h1>{title}</h1>" in html
    assert 'name="emailaddress"' in html
    assert "qr-code" not in html


@pytest.mark.parametrize(("url", "lang"), [("/check/setup/", "ja"), ("/en/check/setup/", "en")])
def test_a_service_address_gets_its_login_the_profile_and_its_qr_code(
    client: Client, demo: models.Service, settings: object, url: str, lang: str
) -> None:
    settings.SITE_URL = "https://support.example.jp"  # type: ignore[attr-defined]

    response = client.get(url, {"emailaddress": "Taro.Yamada@miomio.jp"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = html_of(response)
    assert '<code class="copy-value" id="setup-login">taro.yamada.miomio.jp</code>' in html
    link = re.search(r'href="(/autoconfig/mail\.mobileconfig\?[^"]+)"', html)
    assert link, "no link to the profile"
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query == {"emailaddress": ["taro.yamada@miomio.jp"], "lang": [lang]}
    svg = qr_of(html)
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title") is not None
    # Thunderbird, Outlook, Apple and Android each explained; the Gmail guide linked with the
    # values.
    assert "Thunderbird" in html and "Outlook" in html and "Gmail" in html
    assert "/check/guides/gmail-android/?account=taro.yamada.miomio.jp" in html
    assert "mbox.iijmio-mail.jp" in html


def test_the_profile_link_downloads_what_the_page_promises(
    client: Client, demo: models.Service
) -> None:
    html = html_of(client.get("/en/check/setup/", {"emailaddress": "iij-taro@iijmio-mail.jp"}))
    link = re.search(r'href="(/autoconfig/mail\.mobileconfig\?[^"]+)"', html)
    assert link

    response = client.get(link.group(1).replace("&amp;", "&"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-apple-aspen-config"
    assert b"iij-taro.iijmio-mail.jp" in response.content


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("someone@example.com", "not at one of our mail domains"),
        ("iij-taro.iijmio-mail.jp", "needs an @"),
        ("", "Enter the mail address"),
    ],
)
def test_a_bad_address_shows_the_form_with_the_error_on_the_field(
    client: Client, demo: models.Service, value: str, words: str
) -> None:
    response = client.get("/en/check/setup/", {"emailaddress": value})

    assert response.status_code == 200
    html = html_of(response)
    assert 'id="error-summary"' in html
    assert re.search(r'<a href="#id_emailaddress">Mail address: [^<]*' + words, html)
    assert re.search(r'<input[^>]*name="emailaddress"[^>]*aria-invalid="true"', html, re.S)
    assert "qr-code" not in html
    assert "mail.mobileconfig" not in html


def test_without_a_service_the_page_says_so(client: Client) -> None:
    response = client.get("/en/check/setup/", {"emailaddress": "a@miomio.jp"})

    assert response.status_code == 503


# --- the offer on a result ----------------------------------------------------------------------


def offer(client: Client, account: str, mail_from: str) -> str:
    """The set-up offer of a result page (empty when it has none)."""
    page = client.get("/en/check/", {"account": account, "mail_from": mail_from})
    html = page.content.decode()
    found = re.search(r'<aside class="autoconfig-offer".*?</aside>', html, flags=re.S)
    return found.group(0) if found else ""


def test_a_service_address_is_offered_the_set_up(client: Client, demo: models.Service) -> None:
    html = offer(client, "iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp")

    assert "Set up your mail program automatically" in html
    assert 'href="/en/check/setup/?emailaddress=iij-taro%40iijmio-mail.jp"' in html


def test_each_fix_address_is_offered_rather_than_the_checked_one(
    client: Client, demo: models.Service
) -> None:
    html = offer(client, "iij-taro.iijmio-mail.jp", "iij-jiro@iijmio-mail.jp")

    assert html.count("/en/check/setup/?emailaddress=") == 2
    assert "emailaddress=iij-jiro%40iijmio-mail.jp" in html
    assert "emailaddress=iij-taro%40iijmio-mail.jp" in html


@pytest.mark.parametrize(
    ("account", "mail_from"),
    [
        ("iiij-taro.iijmio-mail.jp", "example@example.jp"),
        ("iij-taro.iijmio-mail.jp", "someone@example.com"),
    ],
)
def test_an_address_outside_the_service_is_offered_nothing(
    client: Client, demo: models.Service, account: str, mail_from: str
) -> None:
    assert offer(client, account, mail_from) == ""


def test_the_result_page_offers_the_set_up_for_a_service_address(
    client: Client, demo: models.Service
) -> None:
    response = client.get(
        "/en/check/",
        {"account": "iij-taro.iijmio-mail.jp", "mail_from": "iij-taro@iijmio-mail.jp"},
    )

    assert response.status_code == 200
    assert "/en/check/setup/?emailaddress=iij-taro%40iijmio-mail.jp" in html_of(response)


@pytest.mark.parametrize(
    "url",
    [
        "/check/setup/?emailaddress=iij-taro@iijmio-mail.jp",
        "/mail/config-v1.1.xml?emailaddress=iij-taro@iijmio-mail.jp",
        "/autoconfig/mail.mobileconfig?emailaddress=iij-taro@iijmio-mail.jp",
    ],
)
def test_a_warm_page_or_document_reads_no_row(
    client: Client, demo: models.Service, django_assert_num_queries: Any, url: str
) -> None:
    assert client.get(url).status_code == 200

    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
