"""Apple's configuration profile (``.mobileconfig``) with one mail account.

iOS, iPadOS and macOS fill the user names from the part before ``@`` unless the profile sets
them, which is wrong for this service: both ``IncomingMailServerUsername`` and
``OutgoingMailServerUsername`` are set to the login. The password is left out; the device asks
for it while installing.

Payload identifiers and UUIDs are derived from the address: downloading the profile again for
the same address gives the same identifiers, so installing it replaces the earlier one instead
of adding a second account, while profiles for two addresses live side by side.
"""

from __future__ import annotations

import plistlib
import uuid
from dataclasses import dataclass

from mailcheck.autoconfig.account import MailAccount, Protocol
from mailcheck.policy import Security

CONTENT_TYPE = "application/x-apple-aspen-config"
ACCOUNT_TYPES = {Protocol.POP3: "EmailTypePOP", Protocol.IMAP: "EmailTypeIMAP"}
# The names of the identifiers and UUIDs, so that each is stable per site and address.
NAMESPACE = uuid.UUID("6f1d4c02-3a57-5b7e-9a43-0d2c8e5b91a4")


@dataclass(frozen=True)
class ProfileTexts:
    """What the device shows while installing, in the customer's language."""

    display_name: str  # the profile's name in Settings
    description: str  # what installing it does
    account_description: str  # the account's name in Mail


def _uuid(site: str, address: str, part: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{site}\n{address}\n{part}")).upper()


def profile_identifier(site: str, address: str) -> str:
    """The profile's PayloadIdentifier: reverse-DNS of the site, one per address."""
    prefix = ".".join(reversed(site.lower().split("."))) or "mail-support"
    return f"{prefix}.mail.{_uuid(site, address, 'identifier').lower()}"


def profile_document(account: MailAccount, *, site: str, texts: ProfileTexts) -> bytes:
    """The profile for ``account``, as an XML property list. ``site`` is the portal's host name,
    which makes the identifiers its own."""
    identifier = profile_identifier(site, account.address)
    incoming, outgoing = account.incoming, account.outgoing
    mail = {
        "PayloadType": "com.apple.mail.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.account",
        "PayloadUUID": _uuid(site, account.address, "account"),
        "PayloadDisplayName": texts.account_description,
        "EmailAccountDescription": texts.account_description,
        "EmailAccountType": ACCOUNT_TYPES[incoming.protocol],
        "EmailAddress": account.address,
        "IncomingMailServerAuthentication": "EmailAuthPassword",
        "IncomingMailServerHostName": incoming.host,
        "IncomingMailServerPortNumber": incoming.port,
        # Apple's "SSL" means TLS of either kind: the device uses STARTTLS on a port that
        # starts in plain text.
        "IncomingMailServerUseSSL": incoming.security is not Security.NONE,
        "IncomingMailServerUsername": account.login,
        "OutgoingMailServerAuthentication": "EmailAuthPassword",
        "OutgoingMailServerHostName": outgoing.host,
        "OutgoingMailServerPortNumber": outgoing.port,
        "OutgoingMailServerUseSSL": outgoing.security is not Security.NONE,
        "OutgoingMailServerUsername": account.login,
        "OutgoingPasswordSameAsIncomingPassword": True,
    }
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": _uuid(site, account.address, "profile"),
        "PayloadDisplayName": texts.display_name,
        "PayloadDescription": texts.description,
        "PayloadOrganization": account.provider,
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [mail],
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML, sort_keys=True)
