"""Mozilla's autoconfig document, version 1.1 (Thunderbird, and other programs that read it).

Thunderbird asks ``autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=…`` and
``<domain>/.well-known/autoconfig/mail/config-v1.1.xml`` before Mozilla's ISPDB. Since the
address is in the request, the username is written out rather than as the placeholders
``%EMAILLOCALPART%.%EMAILDOMAIN%``: the same login, with no rule left to the program.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mailcheck.autoconfig.account import MailAccount, Server
from mailcheck.policy import Security

SOCKET_TYPES = {Security.STARTTLS: "STARTTLS", Security.SSL: "SSL", Security.NONE: "plain"}
# The password is sent as typed, protected by the connection's TLS (the service offers no
# challenge-response mechanism such as CRAM-MD5).
AUTHENTICATION = "password-cleartext"


def _server(parent: ET.Element, tag: str, server: Server, login: str) -> None:
    element = ET.SubElement(parent, tag, {"type": server.protocol.value})
    for name, value in (
        ("hostname", server.host),
        ("port", str(server.port)),
        ("socketType", SOCKET_TYPES[server.security]),
        ("username", login),
        ("authentication", AUTHENTICATION),
    ):
        ET.SubElement(element, name).text = value


def config_document(account: MailAccount) -> bytes:
    """The ``clientConfig`` document for ``account``, UTF-8 with its XML declaration."""
    root = ET.Element("clientConfig", {"version": "1.1"})
    provider = ET.SubElement(root, "emailProvider", {"id": account.domain})
    for domain in account.domains:
        ET.SubElement(provider, "domain").text = domain
    ET.SubElement(provider, "displayName").text = account.provider
    ET.SubElement(provider, "displayShortName").text = account.provider
    _server(provider, "incomingServer", account.incoming, account.login)
    _server(provider, "outgoingServer", account.outgoing, account.login)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
