from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

# The browser's limit (the maxlength attribute): longer than any valid value, so a typo is
# answered with a message on the field rather than silently cut. It is not a validator: an
# over-long value from a hand-made URL goes to the core like any other, which reads it in
# linear time and says it is too long, next to the other field's problems in the same round
# (a form error here would stop the core and hide them). The production server caps the
# request line (gunicorn: 4094 bytes), so no megabyte reaches the check.
MAX_INPUT = 600


class TextInput(forms.TextInput):
    """A text box whose fixed attributes the check page writes into its own <input> element
    (templates/mailcheck/check.html), escaped and joined once here: cheaper on every page than
    Django's widget templates or a loop in the page, and the attributes keep their one home in
    this form."""

    def __init__(self, attrs: dict[str, Any]) -> None:
        super().__init__(attrs)
        # A form copies its widgets, this attribute with them: it is built once, at import.
        self.html_attrs = format_html_join("", ' {}="{}"', self.attrs.items())


def mail_input(placeholder: str, *, autocomplete: str) -> TextInput:
    """A box for an account name or a mail address: as long as MAX_INPUT, no spelling
    correction or capitals, the phone's e-mail keyboard."""
    return TextInput(
        attrs={
            "autocomplete": autocomplete,
            "spellcheck": "false",
            "autocapitalize": "none",
            "maxlength": MAX_INPUT,
            "inputmode": "email",
            "placeholder": placeholder,
        }
    )


class CheckForm(forms.Form):
    """The two settings. Neither is required here: the core reads both and names every problem
    of both at once (an empty field included), so a customer fixes everything in one round."""

    account = forms.CharField(
        label=_("Account name"),
        help_text=_(
            "The user name your mail program logs in with to send mail, for example "
            "iij-taro.iijmio-mail.jp."
        ),
        widget=mail_input("iij-taro.iijmio-mail.jp", autocomplete="username"),
        required=False,
    )
    mail_from = forms.CharField(
        label=_("Mail address"),
        help_text=_(
            "The address set as “mail address” in your mail program: the one your mail is sent "
            "from."
        ),
        widget=mail_input("iij-taro@iijmio-mail.jp", autocomplete="email"),
        required=False,
    )
    # Advanced and optional: empty means the visible From is the envelope From, as mail clients
    # normally send. Its domain's DMARC policy and alignment decide the outcome.
    header_from = forms.CharField(
        label=_("From address (shown to recipients)"),
        help_text=_(
            "Only if recipients see another sender address than the mail address above (an "
            "alias, for example). Leave it empty otherwise: the mail address is used. The mail "
            "address above is the envelope From that servers check; this one is the From "
            "header that recipients read."
        ),
        widget=mail_input("taro@example.jp", autocomplete="off"),
        required=False,
    )
