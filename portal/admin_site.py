"""The admin site: Django's own, asking staff for a second factor when ADMIN_REQUIRE_2FA is on.

It replaces the default site through the admin's app config (listed in INSTALLED_APPS instead of
``django.contrib.admin``), so ``admin.site`` and ``@admin.register`` in every app's admin.py keep
working, and the URL names stay ``admin:…``.

With the setting on, only a member of staff verified by a TOTP device (django-otp) may use the
admin: the login form asks for the six-digit code, and a session signed in with a password
alone is sent back to the login page. A member of staff without a device is told so on the
login page; a superuser adds the device for them (docs/deployment.md, "Second factor").

The site also speaks the desk's language. Its name (header and browser tab) comes from
ADMIN_SITE_HEADER. Every admin page is in Japanese unless the member of staff chose English with
the switch in the header (Django's set_language view, which stores the choice in the language
cookie): LocaleMiddleware cannot do this for us, because with i18n_patterns and an unprefixed
default language it gives every path without a prefix (the admin's too) LANGUAGE_CODE, and so it
should for the public pages. A page the member of staff may not use answers with the admin's own
403 page rather than the public site's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.sites import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

View = TypeVar("View", bound=Callable[..., Any])


def desk_language(request: HttpRequest) -> str:
    """The language a member of staff chose with the header's switch; Japanese until they do.

    The browser's Accept-Language is not asked: the desk works in Japanese whatever language
    a workstation's browser happens to be set to."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


def activate_desk_language(request: HttpRequest) -> None:
    # Activated for the rest of the request, not overridden for the view alone: the admin's
    # pages are TemplateResponses, rendered after the view has returned. LocaleMiddleware
    # activates the URL's language again at the start of the next request.
    translation.activate(desk_language(request))
    request.LANGUAGE_CODE = translation.get_language()


class PortalAdminSite(AdminSite):
    # Read on every request, so the setting (and a test's override of it) applies at once.
    @property
    def site_header(self) -> str | Promise:  # type: ignore[override]
        return settings.ADMIN_SITE_HEADER or _("Mail support admin")

    @property
    def site_title(self) -> str | Promise:  # type: ignore[override]
        return self.site_header

    def admin_view(self, view: View, cacheable: bool = False) -> View:
        def in_desk_language(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            activate_desk_language(request)
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                return self.permission_denied(request)

        return super().admin_view(cast(View, update_wrapper(in_desk_language, view)), cacheable)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        # The one admin page that admin_view does not wrap.
        activate_desk_language(request)
        return super().login(request, extra_context)

    def permission_denied(self, request: HttpRequest) -> HttpResponse:
        """A page or action this member of staff may not use, shown inside the admin."""
        context = {**self.each_context(request), "title": _("You do not have permission")}
        return TemplateResponse(request, "admin/403.html", context, status=403)

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
