"""System checks: a wrong MAILCHECK_DNS setting is reported when the portal starts, not as an
error page on the first check."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from mailcheck.services import current_resolver


@register()
def check_dns_setting(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    try:
        # The resolver it builds is the one the first check uses, so the zone is read once.
        current_resolver()
    except ValueError as exc:
        return [Error(str(exc), hint="See MAILCHECK_DNS in .env.example.", id="mailcheck.E001")]
    if settings.MAILCHECK_DNS_BUDGET <= 0 or settings.MAILCHECK_DNS_TIMEOUT <= 0:
        return [
            Error(
                "MAILCHECK_DNS_TIMEOUT and MAILCHECK_DNS_BUDGET must be positive "
                "numbers of seconds.",
                id="mailcheck.E002",
            )
        ]
    return []
