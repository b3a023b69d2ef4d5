"""What the check result offers to set up automatically (templates/mailcheck/includes/
autoconfig_offer.html)."""

from __future__ import annotations

from typing import Any

from django import template

from mailcheck.identity import parse_address
from mailcheck.services import ServiceNotConfigured, current_service

register = template.Library()


@register.simple_tag
def autoconfig_addresses(report: Any) -> list[str]:
    """The service addresses a result can set up a mail program for: each fix's address, or,
    without fixes, the address checked. Nothing when the address checked is not at one of the
    service's domains: its mail goes through another provider, whose servers we do not know.
    Reads the cached configuration only (no query on a warm page)."""
    try:
        service = current_service()
    except ServiceNotConfigured:
        return []

    def at_service(text: str) -> str:
        address = parse_address(text or "", service.domains).value
        return address.text if address and service.is_service_domain(address.domain) else ""

    checked = at_service(str(getattr(report, "mail_from", "") or ""))
    if not checked:
        return []
    found: list[str] = []
    for fix in getattr(report, "fixes", None) or ():
        address = at_service(str(getattr(fix, "mail_from", "") or ""))
        if address and address not in found:
            found.append(address)
    return found or [checked]
