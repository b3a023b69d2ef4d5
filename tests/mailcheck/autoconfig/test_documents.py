"""The three documents rendered from plain values, read back with real parsers (no Django, no
database): the login is the address with its @ replaced by a dot, the servers are the
configuration's."""

from __future__ import annotations

import plistlib
import uuid
import xml.etree.ElementTree as ET

import pytest

from mailcheck.autoconfig import autodiscover, mobileconfig, thunderbird
from mailcheck.autoconfig.account import MailAccount, Refusal, RefusalCode, mail_account
from mailcheck.autoconfig.qr import qr_svg
from mailcheck.policy import IncomingProtocol, Route, RouteKind, Security, Service

RESPONSE = "{http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006}"
OUTLOOK = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"
TEXTS = mobileconfig.ProfileTexts("Mail", "Sets up mail", "the account")

LOGINS = [
    ("iij-taro@iijmio-mail.jp", "iij-taro.iijmio-mail.jp"),
    ("taro.yamada@miomio.jp", "taro.yamada.miomio.jp"),
    # Typed as customers type: full width, capitals, angle brackets.
    ("＜ＩＩＪ－ｔａｒｏ＠iijmio-mail.jp＞", "iij-taro.iijmio-mail.jp"),
]


def service(**fields: object) -> Service:
    values: dict[str, object] = {
        "name": "Example mail",
        "submission_host": "mbox.iijmio-mail.jp",
        "submission_port": 587,
        "domains": ("iijmio-mail.jp", "miomio.jp"),
        "routes": (Route(RouteKind.LISTED, ("192.0.2.25",), "mo.iijmio-mail.jp"),),
        **fields,
    }
    return Service(**values)  # type: ignore[arg-type]


def account(text: str, configured: Service | None = None) -> MailAccount:
    result = mail_account(configured or service(), text)
    assert isinstance(result, MailAccount), result
    return result


@pytest.mark.parametrize(("address", "login"), LOGINS)
def test_thunderbird_gets_the_login_and_the_configured_servers(address: str, login: str) -> None:
    root = ET.fromstring(thunderbird.config_document(account(address)))

    assert root.tag == "clientConfig"
    assert root.get("version") == "1.1"
    provider = root.find("emailProvider")
    assert provider is not None
    assert [d.text for d in provider.findall("domain")] == ["iijmio-mail.jp", "miomio.jp"]
    outgoing = provider.find("outgoingServer[@type='smtp']")
    incoming = provider.find("incomingServer[@type='pop3']")
    assert outgoing is not None and incoming is not None
    assert outgoing.findtext("hostname") == "mbox.iijmio-mail.jp"
    assert outgoing.findtext("port") == "587"
    assert outgoing.findtext("socketType") == "STARTTLS"
    assert outgoing.findtext("username") == login
    assert outgoing.findtext("authentication") == "password-cleartext"
    assert incoming.findtext("hostname") == "mbox.iijmio-mail.jp"
    assert incoming.findtext("port") == "110"
    assert incoming.findtext("username") == login


def test_thunderbird_follows_an_imap_server_with_implicit_tls_and_plain_submission() -> None:
    configured = service(
        incoming_protocol=IncomingProtocol.IMAP,
        incoming_host="imap.example.jp",
        incoming_port=993,
        incoming_security=Security.SSL,
        submission_security=Security.NONE,
        submission_port=25,
    )
    root = ET.fromstring(thunderbird.config_document(account("a@miomio.jp", configured)))

    incoming = root.find("emailProvider/incomingServer[@type='imap']")
    assert incoming is not None
    assert incoming.findtext("hostname") == "imap.example.jp"
    assert incoming.findtext("port") == "993"
    assert incoming.findtext("socketType") == "SSL"
    assert root.findtext("emailProvider/outgoingServer/socketType") == "plain"
    assert root.findtext("emailProvider/outgoingServer/port") == "25"


def test_special_characters_in_the_service_name_stay_text() -> None:
    document = thunderbird.config_document(account("a@miomio.jp", service(name="A & <B>")))

    assert ET.fromstring(document).findtext("emailProvider/displayName") == "A & <B>"


@pytest.mark.parametrize(("address", "login"), LOGINS)
def test_autodiscover_lists_both_servers_with_the_login(address: str, login: str) -> None:
    root = ET.fromstring(autodiscover.settings_response(account(address)))

    assert root.tag == f"{RESPONSE}Autodiscover"
    found = root.find(f"{OUTLOOK}Response/{OUTLOOK}Account")
    assert found is not None
    assert found.findtext(f"{OUTLOOK}AccountType") == "email"
    assert found.findtext(f"{OUTLOOK}Action") == "settings"
    protocols = {
        p.findtext(f"{OUTLOOK}Type"): {child.tag.removeprefix(OUTLOOK): child.text for child in p}
        for p in found.findall(f"{OUTLOOK}Protocol")
    }
    assert set(protocols) == {"POP3", "SMTP"}
    smtp = protocols["SMTP"]
    assert smtp["Server"] == "mbox.iijmio-mail.jp"
    assert smtp["Port"] == "587"
    assert smtp["LoginName"] == login
    # Absent, SPA and SSL would default to on: both are written out.
    assert smtp["SPA"] == "off"
    assert smtp["SSL"] == "on"
    assert smtp["Encryption"] == "TLS"
    assert smtp["AuthRequired"] == "on"
    assert protocols["POP3"]["LoginName"] == login
    assert protocols["POP3"]["Port"] == "110"


def test_autodiscover_says_ssl_off_for_an_unencrypted_server() -> None:
    document = autodiscover.settings_response(
        account("a@miomio.jp", service(incoming_security=Security.NONE))
    )
    pop3 = ET.fromstring(document).find(f"{OUTLOOK}Response/{OUTLOOK}Account/{OUTLOOK}Protocol")
    assert pop3 is not None
    assert pop3.findtext(f"{OUTLOOK}SSL") == "off"
    assert pop3.findtext(f"{OUTLOOK}Encryption") == "None"


REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/'
    'requestschema/2006"><Request><EMailAddress>{address}</EMailAddress>'
    "<AcceptableResponseSchema>{schema}</AcceptableResponseSchema></Request></Autodiscover>"
)
SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"


def test_an_autodiscover_request_is_read_for_its_address() -> None:
    body = REQUEST.format(address="iij-taro@iijmio-mail.jp", schema=SCHEMA).encode()

    assert autodiscover.read_request(body) == autodiscover.AutodiscoverRequest(
        "iij-taro@iijmio-mail.jp"
    )


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
    b"<Autodiscover><Request><EMailAddress>&lol2;</EMailAddress></Request></Autodiscover>"
)
EXTERNAL_ENTITY = (
    b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<Autodiscover><Request><EMailAddress>&x;</EMailAddress></Request></Autodiscover>"
)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"", autodiscover.ErrorCode.INVALID_REQUEST),
        (b"<Autodiscover><Request>", autodiscover.ErrorCode.INVALID_REQUEST),
        (b"not xml at all", autodiscover.ErrorCode.INVALID_REQUEST),
        (b"<Other/>", autodiscover.ErrorCode.INVALID_REQUEST),
        (b"<Autodiscover><Request/></Autodiscover>", autodiscover.ErrorCode.INVALID_REQUEST),
        (BILLION_LAUGHS, autodiscover.ErrorCode.INVALID_REQUEST),
        (EXTERNAL_ENTITY, autodiscover.ErrorCode.INVALID_REQUEST),
        (b"<a>" * 10_000, autodiscover.ErrorCode.INVALID_REQUEST),
        (
            REQUEST.format(
                address="a@miomio.jp",
                schema="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/"
                "responseschema/2006",
            ).encode(),
            autodiscover.ErrorCode.SCHEMA_NOT_SUPPORTED,
        ),
    ],
)
def test_a_request_that_cannot_be_answered_is_refused_with_its_error_code(
    body: bytes, code: autodiscover.ErrorCode
) -> None:
    result = autodiscover.read_request(body)

    assert isinstance(result, autodiscover.RequestError)
    assert result.code == code


def test_the_error_document_is_autodiscover_s_own() -> None:
    root = ET.fromstring(
        autodiscover.error_response(autodiscover.ErrorCode.INVALID_REQUEST, "bad body")
    )

    assert root.tag == f"{RESPONSE}Autodiscover"
    assert root.findtext(f"{RESPONSE}Response/{RESPONSE}Error/{RESPONSE}ErrorCode") == "600"
    assert root.findtext(f"{RESPONSE}Response/{RESPONSE}Error/{RESPONSE}DebugData") == "bad body"


@pytest.mark.parametrize(("address", "login"), LOGINS)
def test_the_apple_profile_sets_both_user_names_explicitly(address: str, login: str) -> None:
    mail = account(address)
    profile = plistlib.loads(
        mobileconfig.profile_document(mail, site="support.example.jp", texts=TEXTS)
    )

    assert profile["PayloadType"] == "Configuration"
    [payload] = profile["PayloadContent"]
    assert payload["PayloadType"] == "com.apple.mail.managed"
    assert payload["EmailAddress"] == mail.address
    assert payload["IncomingMailServerUsername"] == login
    assert payload["OutgoingMailServerUsername"] == login
    assert payload["OutgoingMailServerHostName"] == "mbox.iijmio-mail.jp"
    assert payload["OutgoingMailServerPortNumber"] == 587
    assert payload["OutgoingMailServerUseSSL"] is True
    assert payload["IncomingMailServerHostName"] == "mbox.iijmio-mail.jp"
    assert payload["IncomingMailServerPortNumber"] == 110
    assert payload["EmailAccountType"] == "EmailTypePOP"
    assert profile["PayloadIdentifier"].startswith("jp.example.support.")
    assert payload["PayloadIdentifier"].startswith(profile["PayloadIdentifier"] + ".")


def test_profile_uuids_are_unique_and_stable_per_address() -> None:
    def uuids(address: str) -> tuple[str, str]:
        profile = plistlib.loads(
            mobileconfig.profile_document(account(address), site="s.example", texts=TEXTS)
        )
        return profile["PayloadUUID"], profile["PayloadContent"][0]["PayloadUUID"]

    first = uuids("iij-taro@iijmio-mail.jp")
    for value in first:
        uuid.UUID(value)
    assert first[0] != first[1]
    assert uuids("iij-taro@iijmio-mail.jp") == first
    assert set(uuids("iij-jiro@iijmio-mail.jp")).isdisjoint(first)


def test_the_apple_profile_follows_an_imap_server_without_tls() -> None:
    configured = service(incoming_protocol=IncomingProtocol.IMAP, incoming_security=Security.NONE)
    profile = plistlib.loads(
        mobileconfig.profile_document(account("a@miomio.jp", configured), site="s", texts=TEXTS)
    )

    payload = profile["PayloadContent"][0]
    assert payload["EmailAccountType"] == "EmailTypeIMAP"
    assert payload["IncomingMailServerUseSSL"] is False


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("someone@example.com", RefusalCode.OUTSIDE_SERVICE),
        # A look-alike suffix is another domain.
        ("taro@evil-iijmio-mail.jp", RefusalCode.OUTSIDE_SERVICE),
        ("taro@sub.iijmio-mail.jp", RefusalCode.OUTSIDE_SERVICE),
        ("iij-taro.iijmio-mail.jp", RefusalCode.INVALID),
        ("", RefusalCode.INVALID),
        ("a@@iijmio-mail.jp", RefusalCode.INVALID),
    ],
)
def test_addresses_outside_the_service_or_invalid_get_no_settings(
    text: str, code: RefusalCode
) -> None:
    result = mail_account(service(), text)

    assert isinstance(result, Refusal)
    assert result.code == code


def test_the_qr_code_has_no_style_attribute_and_an_escaped_title() -> None:
    svg = qr_svg("https://support.example.jp/x?emailaddress=a%40b.jp", title='a "b" <c>')
    root = ET.fromstring(svg)

    assert "style" not in svg
    assert root.get("aria-label") == 'a "b" <c>'
    assert root.findtext("{http://www.w3.org/2000/svg}title") == 'a "b" <c>'
    assert root.find("{http://www.w3.org/2000/svg}path") is not None
