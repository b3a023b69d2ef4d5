"""Outlook's Autodiscover in its plain-old-XML form (POX), for POP3/IMAP and SMTP accounts.

Outlook POSTs ``<Autodiscover><Request><EMailAddress>…`` (request schema 2006) to
``/autodiscover/autodiscover.xml`` on ``autodiscover.<domain>`` or the domain itself, and reads
``<Account>`` with one ``<Protocol>`` per server (response schema 2006a). Elements left out have
defaults that would be wrong here (SPA, SSL and AuthRequired are on when absent), so every one
that matters is written.

A request that cannot be read, asks for another response schema or names an address outside
the service is answered with Autodiscover's own error document, as Exchange answers it, so the
program falls back to manual set-up instead of retrying.

The request body comes from anyone on the internet: it is parsed with defusedxml, which
refuses DTDs, entity declarations and external references (no entity expansion bomb, no file
read through an external entity).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from enum import IntEnum

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from mailcheck.autoconfig.account import MailAccount, Server
from mailcheck.policy import Security

REQUEST_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006"
RESPONSE_NS = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"
OUTLOOK_NS = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"

# A request is a few hundred bytes; anything much larger is not one.
MAX_REQUEST = 16 * 1024

ENCRYPTION = {Security.STARTTLS: "TLS", Security.SSL: "SSL", Security.NONE: "None"}
PROTOCOL_TYPES = {"smtp": "SMTP", "pop3": "POP3", "imap": "IMAP"}


class ErrorCode(IntEnum):
    """Exchange's Autodiscover error codes that apply here."""

    ADDRESS_NOT_FOUND = 500  # "The e-mail address cannot be found."
    INVALID_REQUEST = 600
    SCHEMA_NOT_SUPPORTED = 601  # the request asked for a response schema we do not write


ERROR_MESSAGES = {
    ErrorCode.ADDRESS_NOT_FOUND: "The e-mail address cannot be found.",
    ErrorCode.INVALID_REQUEST: "Invalid Request",
    ErrorCode.SCHEMA_NOT_SUPPORTED: "The requested schema version is not supported.",
}


@dataclass(frozen=True)
class AutodiscoverRequest:
    email_address: str


@dataclass(frozen=True)
class RequestError:
    code: ErrorCode
    reason: str  # for DebugData: what was wrong with the request, never its content


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def read_request(body: bytes) -> AutodiscoverRequest | RequestError:
    """The address a request asks about, or why the request cannot be answered."""
    if len(body) > MAX_REQUEST:
        return RequestError(ErrorCode.INVALID_REQUEST, "the request is too large")
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError):
        return RequestError(ErrorCode.INVALID_REQUEST, "the request is not well-formed XML")
    if _local(root.tag) != "Autodiscover":
        return RequestError(ErrorCode.INVALID_REQUEST, "the root element is not Autodiscover")
    # Read by local name: some clients leave out the namespace, and its exact spelling
    # carries no information here.
    request = next((child for child in root if _local(child.tag) == "Request"), None)
    if request is None:
        return RequestError(ErrorCode.INVALID_REQUEST, "Request is missing")
    values = {_local(child.tag): (child.text or "").strip() for child in request}
    schema = values.get("AcceptableResponseSchema")
    if schema and schema != OUTLOOK_NS:
        return RequestError(ErrorCode.SCHEMA_NOT_SUPPORTED, "only the Outlook schema 2006a")
    address = values.get("EMailAddress", "")
    if not address:
        return RequestError(ErrorCode.INVALID_REQUEST, "EMailAddress is missing")
    return AutodiscoverRequest(address)


def _document(response: ET.Element) -> bytes:
    # The namespaces are written as plain xmlns attributes, one default per level, exactly as
    # Exchange writes them: ElementTree would otherwise invent ns0: prefixes.
    root = ET.Element("Autodiscover", {"xmlns": RESPONSE_NS})
    root.append(response)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _protocol(account: ET.Element, server: Server, login: str) -> None:
    element = ET.SubElement(account, "Protocol")
    for name, value in (
        ("Type", PROTOCOL_TYPES[server.protocol.value]),
        ("Server", server.host),
        ("Port", str(server.port)),
        ("DomainRequired", "off"),
        ("LoginName", login),
        ("SPA", "off"),
        ("SSL", "off" if server.security is Security.NONE else "on"),
        # Encryption, when present, overrides SSL and tells STARTTLS ("TLS") from implicit TLS.
        ("Encryption", ENCRYPTION[server.security]),
        ("AuthRequired", "on"),
    ):
        ET.SubElement(element, name).text = value


def settings_response(account: MailAccount) -> bytes:
    """The ``Account`` settings for ``account``: the incoming server, then SMTP."""
    response = ET.Element("Response", {"xmlns": OUTLOOK_NS})
    element = ET.SubElement(response, "Account")
    ET.SubElement(element, "AccountType").text = "email"
    ET.SubElement(element, "Action").text = "settings"
    _protocol(element, account.incoming, account.login)
    _protocol(element, account.outgoing, account.login)
    return _document(response)


def error_response(code: ErrorCode, debug: str = "") -> bytes:
    """Autodiscover's error document. ``debug`` says what was wrong, in a few words."""
    response = ET.Element("Response")
    error = ET.SubElement(response, "Error")
    ET.SubElement(error, "ErrorCode").text = str(int(code))
    ET.SubElement(error, "Message").text = ERROR_MESSAGES[code]
    ET.SubElement(error, "DebugData").text = debug
    return _document(response)
