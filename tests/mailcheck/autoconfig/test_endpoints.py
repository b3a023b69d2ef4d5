"""The documents at the addresses mail programs ask, by their public URLs, from the stored
configuration: edit it and the documents follow."""

from __future__ import annotations

import io
import plistlib
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from mailcheck import models

pytestmark = pytest.mark.django_db

OUTLOOK = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"
RESPONSE = "{http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006}"
HOST = "mbox.iijmio-mail.jp"
THUNDERBIRD_URLS = ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"]
AUTODISCOVER_URLS = ["/autodiscover/autodiscover.xml", "/Autodiscover/Autodiscover.xml"]
PROFILE_URL = "/autoconfig/mail.mobileconfig"
GET_URLS = [*THUNDERBIRD_URLS, PROFILE_URL]


def autodiscover_request(address: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/'
        'requestschema/2006">\n  <Request>\n'
        f"    <EMailAddress>{address}</EMailAddress>\n"
        "    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/"
        "outlook/responseschema/2006a</AcceptableResponseSchema>\n"
        "  </Request>\n</Autodiscover>\n"
    ).encode()


@pytest.fixture
def demo() -> models.Service:
    call_command("loaddemo", "--no-admin", stdout=io.StringIO())
    return models.Service.objects.get(is_active=True)


@pytest.fixture
def client() -> Client:
    # Mail programs post without a session or CSRF token.
    return Client(enforce_csrf_checks=True)


def private(response: Any) -> bool:
    tokens = {t.strip() for t in response["Cache-Control"].split(",")}
    return {"private", "no-store"} <= tokens


def smtp_of_thunderbird(body: bytes) -> dict[str, str | None]:
    server = ET.fromstring(body).find("emailProvider/outgoingServer[@type='smtp']")
    assert server is not None
    return {child.tag: child.text for child in server}


def protocols_of_autodiscover(body: bytes) -> dict[str | None, dict[str, str | None]]:
    account = ET.fromstring(body).find(f"{OUTLOOK}Response/{OUTLOOK}Account")
    assert account is not None
    return {
        p.findtext(f"{OUTLOOK}Type"): {c.tag.removeprefix(OUTLOOK): c.text for c in p}
        for p in account.findall(f"{OUTLOOK}Protocol")
    }


@pytest.mark.parametrize("url", THUNDERBIRD_URLS)
@pytest.mark.parametrize(
    ("address", "login"),
    [
        ("iij-taro@iijmio-mail.jp", "iij-taro.iijmio-mail.jp"),
        ("taro.yamada@miomio.jp", "taro.yamada.miomio.jp"),
    ],
)
def test_thunderbird_reads_the_login_at_both_addresses(
    client: Client, demo: models.Service, url: str, address: str, login: str
) -> None:
    response = client.get(url, {"emailaddress": address})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert private(response)
    smtp = smtp_of_thunderbird(response.content)
    assert smtp["username"] == login
    assert (smtp["hostname"], smtp["port"], smtp["socketType"]) == (HOST, "587", "STARTTLS")


@pytest.mark.parametrize("url", AUTODISCOVER_URLS)
def test_outlook_posts_without_a_csrf_token_at_either_spelling(
    client: Client, demo: models.Service, url: str
) -> None:
    response = client.post(
        url, autodiscover_request("taro.yamada@miomio.jp"), content_type="text/xml"
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert private(response)
    protocols = protocols_of_autodiscover(response.content)
    assert protocols["SMTP"]["LoginName"] == "taro.yamada.miomio.jp"
    assert protocols["POP3"]["LoginName"] == "taro.yamada.miomio.jp"
    assert (protocols["SMTP"]["Server"], protocols["SMTP"]["Port"]) == (HOST, "587")


def test_the_apple_profile_downloads_with_its_type_and_file_name(
    client: Client, demo: models.Service
) -> None:
    response = client.get(PROFILE_URL, {"emailaddress": "iij-taro@iijmio-mail.jp"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-apple-aspen-config"
    assert response["Content-Disposition"] == (
        'attachment; filename="mail-iijmio-mail.jp.mobileconfig"'
    )
    assert private(response)
    payload = plistlib.loads(response.content)["PayloadContent"][0]
    assert payload["IncomingMailServerUsername"] == "iij-taro.iijmio-mail.jp"
    assert payload["OutgoingMailServerUsername"] == "iij-taro.iijmio-mail.jp"


def test_the_documents_follow_an_edit_of_the_configuration(
    client: Client, demo: models.Service
) -> None:
    demo.submission_host = "smtp.iijmio-mail.jp"
    demo.submission_port = 465
    demo.submission_security = models.SecurityChoice.SSL
    demo.incoming_protocol = models.IncomingProtocolChoice.IMAP
    demo.incoming_host = "imap.iijmio-mail.jp"
    demo.incoming_port = 993
    demo.incoming_security = models.SecurityChoice.SSL
    demo.save()
    address = {"emailaddress": "iij-taro@iijmio-mail.jp"}

    smtp = smtp_of_thunderbird(client.get(THUNDERBIRD_URLS[0], address).content)
    protocols = protocols_of_autodiscover(
        client.post(
            AUTODISCOVER_URLS[0],
            autodiscover_request("iij-taro@iijmio-mail.jp"),
            content_type="text/xml",
        ).content
    )
    payload = plistlib.loads(client.get(PROFILE_URL, address).content)["PayloadContent"][0]

    assert (smtp["hostname"], smtp["port"], smtp["socketType"]) == (
        "smtp.iijmio-mail.jp",
        "465",
        "SSL",
    )
    assert set(protocols) == {"IMAP", "SMTP"}
    assert protocols["IMAP"]["Server"] == "imap.iijmio-mail.jp"
    assert protocols["IMAP"]["Encryption"] == "SSL"
    assert protocols["SMTP"]["Port"] == "465"
    assert payload["EmailAccountType"] == "EmailTypeIMAP"
    assert payload["IncomingMailServerHostName"] == "imap.iijmio-mail.jp"
    assert payload["IncomingMailServerPortNumber"] == 993
    assert payload["OutgoingMailServerHostName"] == "smtp.iijmio-mail.jp"


@pytest.mark.parametrize("url", GET_URLS)
@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"emailaddress": "someone@example.com"}, "not at one of our mail domains"),
        ({"emailaddress": "iij-taro.iijmio-mail.jp"}, "needs an @"),
        ({"emailaddress": ""}, "Enter the mail address"),
        ({}, "Enter the mail address"),
    ],
)
def test_an_outside_or_invalid_address_gets_a_plain_400_without_our_servers(
    client: Client, demo: models.Service, url: str, query: dict[str, str], words: str
) -> None:
    response = client.get(url, {**query, "lang": "en"})

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("emailaddress: ")
    assert words in body
    assert HOST not in body
    assert private(response)


def test_the_documents_speak_japanese_unless_asked_otherwise(
    client: Client, demo: models.Service
) -> None:
    response = client.get(THUNDERBIRD_URLS[0], {"emailaddress": "someone@example.com"})

    assert response.status_code == 400
    assert "当サービスのドメイン" in response.content.decode()


@pytest.mark.parametrize("url", AUTODISCOVER_URLS)
@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"<Autodiscover><Request><EMailAddress>", "600"),
        (b"\xff\xfe not xml", "600"),
        (autodiscover_request("someone@example.com"), "500"),
        (autodiscover_request("not an address"), "500"),
    ],
)
def test_a_bad_autodiscover_request_gets_its_error_document_never_our_servers(
    client: Client, demo: models.Service, url: str, body: bytes, code: str
) -> None:
    response = client.post(url, body, content_type="text/xml")

    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.findtext(f"{RESPONSE}Response/{RESPONSE}Error/{RESPONSE}ErrorCode") == code
    assert HOST.encode() not in response.content
    assert private(response)


def test_opening_autodiscover_in_a_browser_gets_invalid_request(
    client: Client, demo: models.Service
) -> None:
    response = client.get(AUTODISCOVER_URLS[0])

    assert response.status_code == 200
    assert b"<ErrorCode>600</ErrorCode>" in response.content


@pytest.mark.parametrize("url", GET_URLS)
def test_without_a_service_the_documents_are_unavailable(client: Client, url: str) -> None:
    response = client.get(url, {"emailaddress": "iij-taro@iijmio-mail.jp"})

    assert response.status_code == 503


def test_autodiscover_without_a_service_is_unavailable(client: Client) -> None:
    response = client.post(
        AUTODISCOVER_URLS[0], autodiscover_request("a@miomio.jp"), content_type="text/xml"
    )

    assert response.status_code == 503


def test_the_address_is_never_logged(
    client: Client, demo: models.Service, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("DEBUG"):
        client.get(THUNDERBIRD_URLS[0], {"emailaddress": "iij-taro@iijmio-mail.jp"})
        client.get(PROFILE_URL, {"emailaddress": "someone@example.com"})
        client.post(
            AUTODISCOVER_URLS[0],
            autodiscover_request("taro.yamada@miomio.jp"),
            content_type="text/xml",
        )

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged  # the request log ran
    for text in ("iij-taro", "someone@example.com", "taro.yamada"):
        assert text not in logged
