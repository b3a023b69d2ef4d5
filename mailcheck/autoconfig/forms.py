from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mailcheck.forms import mail_input


class SetupForm(forms.Form):
    """The address to set up. Not required here: the core reads it and names what is wrong,
    an empty value included, in the same words as the check."""

    emailaddress = forms.CharField(
        label=_("Mail address"),
        help_text=_(
            "The address you want to send and receive with, for example iij-taro@iijmio-mail.jp."
        ),
        widget=mail_input("iij-taro@iijmio-mail.jp", autocomplete="email"),
        required=False,
    )
