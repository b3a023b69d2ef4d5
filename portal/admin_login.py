"""The admin login form when a second factor is required: password and a TOTP code together."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user  # type: ignore[import-untyped]
from django_otp.admin import OTPAdminAuthenticationForm  # type: ignore[import-untyped]

NO_DEVICE = _(
    "This account has no authenticator app set up yet, and the admin requires one. "
    "Ask a superuser to add a TOTP device for your account and to show you its QR code."
)


class SecondFactorLoginForm(OTPAdminAuthenticationForm):  # type: ignore[misc]
    otp_token = forms.CharField(
        required=False,
        label=_("Authenticator code"),
        help_text=_("The six-digit code your authenticator app shows for this site."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": "8"}
        ),
    )
    otp_error_messages = {
        **OTPAdminAuthenticationForm.otp_error_messages,
        "token_required": _("Please enter the code from your authenticator app."),
        "invalid_token": _("That code is not right or has expired. Enter the current code."),
        "device_required": _("Please choose the authenticator you are using."),
    }

    def clean_otp(self, user: Any) -> None:
        if user is not None and next(devices_for_user(user), None) is None:
            raise forms.ValidationError(NO_DEVICE, code="no_device")
        super().clean_otp(user)

    def _chosen_device(self, user: Any) -> Any:
        device = super()._chosen_device(user)
        if device is None and not self.cleaned_data.get("otp_device"):
            # With one device there is nothing to choose, so the code is checked against it at
            # the first attempt. (django-otp asks for a choice so that one code is never tried
            # against several devices, which would count a failure on each.)
            devices = list(devices_for_user(user, for_verify=True))
            if len(devices) == 1:
                return devices[0]
        return device
