"""The admin site: Django's own, asking staff for a second factor when ADMIN_REQUIRE_2FA is on.

It replaces the default site through the admin's app config (listed in INSTALLED_APPS instead of
``django.contrib.admin``), so ``admin.site`` and ``@admin.register`` in every app's admin.py keep
working, and the URL names stay ``admin:…``.

With the setting on, only a member of staff verified by a TOTP device (django-otp) may use the
admin: the login form asks for the six-digit code, and a session signed in with a password
alone is sent back to the login page. A member of staff without a device is told so on the
login page; a superuser adds the device for them (docs/deployment.md, "Second factor").
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.http import HttpRequest


class PortalAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        if not settings.ADMIN_REQUIRE_2FA:
            return True
        # OTPMiddleware gives every user is_verified(); without it nobody is verified.
        is_verified = getattr(request.user, "is_verified", None)
        return bool(is_verified and is_verified())

    # Read on every login, so the setting (and a test's override of it) applies at once.
    @property
    def login_form(self) -> Any:  # type: ignore[override]
        if settings.ADMIN_REQUIRE_2FA:
            from portal.admin_login import SecondFactorLoginForm

            return SecondFactorLoginForm
        return None

    @property
    def login_template(self) -> str | None:  # type: ignore[override]
        return "admin/login_2fa.html" if settings.ADMIN_REQUIRE_2FA else None


class PortalAdminConfig(AdminConfig):
    default_site = "portal.admin_site.PortalAdminSite"
