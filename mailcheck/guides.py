"""Where to type the account name and the mail address, program by program: the guides as data.

Each guide says where the SMTP authentication user name (our account name) and the sender's mail
address are set in one mail program, with a diagram we draw ourselves (static/img/guides/). Menu
names follow the programs as they show them today; where versions differ, a step describes the
path in general terms rather than guess a label. The Japanese texts use the menu names of the
programs' Japanese versions.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# The values a page may show from its query string; longer ones are not a real address.
MAX_VALUE_LENGTH = 320


@dataclass(frozen=True)
class Guide:
    slug: str
    name: Promise
    platform: Promise
    account_steps: tuple[Promise, ...]  # to the field for the SMTP user name, then typing it
    address_steps: tuple[Promise, ...]  # to the field for the sender's mail address
    diagram: str  # the static path of the SVG
    diagram_alt: Promise
    note: Promise | None = None


GUIDES: tuple[Guide, ...] = (
    Guide(
        slug="outlook",
        name=_("Outlook (new)"),
        platform=_("Windows: the new Outlook"),
        account_steps=(
            _("Open “Settings” (the gear icon at the top) → “Accounts” → “Email accounts”."),
            _("Next to the account of your mail address, choose “Manage”."),
            _(
                "Open the account's server settings (in some versions through “Repair”) and type "
                "the account name in “SMTP username”."
            ),
            _(
                "If the server settings are not offered, remove the account and add it again: "
                "“Add account” → type the mail address → choose IMAP or POP → show the advanced "
                "settings and type the account name in “SMTP username”."
            ),
        ),
        address_steps=(
            _(
                "The mail address is the one the account was added with. To send from another "
                "address, add that address as an account of its own, with its own account name."
            ),
        ),
        diagram="img/guides/outlook-new.svg",
        diagram_alt=_(
            "Diagram of the new Outlook's account settings: the mail address (2) at the top of "
            "the account, and the SMTP username (1) in the outgoing server settings."
        ),
    ),
    Guide(
        slug="outlook-classic",
        name=_("Outlook (classic)"),
        platform=_("Windows: Outlook for Microsoft 365, 2021, 2019, 2016"),
        account_steps=(
            _("Choose “File” → “Account Settings” → “Account Settings…”."),
            _("Select the account and choose “Change”."),
            _("Choose “More Settings…” and open the “Outgoing Server” tab."),
            _(
                "Tick “My outgoing server (SMTP) requires authentication”, choose “Log on using” "
                "and type the account name in “User Name”."
            ),
        ),
        address_steps=(
            _(
                "In the same “Change” window, the mail address is “Email Address”. If Outlook "
                "does not show it there, open Control Panel → “Mail (Microsoft Outlook)” → "
                "“Email Accounts…” → the account → “Change”."
            ),
        ),
        diagram="img/guides/outlook-classic.svg",
        diagram_alt=_(
            "Diagram of classic Outlook's account window: the Email Address field (2), and on "
            "the Outgoing Server tab of More Settings the User Name under Log on using (1)."
        ),
        note=_(
            "Recent versions may open one page instead of the “Change” window: under "
            "“Outgoing mail”, turn on authentication for the outgoing server, turn off using "
            "the same settings as the incoming server, and type the account name as the user "
            "name."
        ),
    ),
    Guide(
        slug="thunderbird",
        name=_("Thunderbird"),
        platform=_("Windows, Mac and Linux"),
        account_steps=(
            _("Open the menu (≡) → “Account Settings”."),
            _("At the bottom of the list on the left, choose “Outgoing Server (SMTP)”."),
            _("Select the server your account uses and choose “Edit…”."),
            _("Type the account name in “User Name” and choose “OK”."),
        ),
        address_steps=(
            _(
                "In “Account Settings”, choose your account's name in the list on the left: the "
                "page shows “Email Address”, and below it which “Outgoing Server (SMTP)” the "
                "account uses."
            ),
        ),
        diagram="img/guides/thunderbird.svg",
        diagram_alt=_(
            "Diagram of Thunderbird's Account Settings: the account's page with the Email "
            "Address (2), and the Outgoing Server (SMTP) edit window with the User Name (1)."
        ),
    ),
    Guide(
        slug="apple-mail",
        name=_("Apple Mail (Mac)"),
        platform=_("Mac: the Mail app"),
        account_steps=(
            _("In Mail, choose “Mail” → “Settings…” (“Preferences…” on older macOS) → “Accounts”."),
            _("Select the account and open the “Server Settings” tab."),
            _(
                "Under “Outgoing Mail Server (SMTP)”, type the account name in “User Name”. If "
                "only a list of servers is shown, choose “Edit SMTP Server List…” and set the "
                "user name in the selected server's settings."
            ),
            _("Choose “Save”."),
        ),
        address_steps=(
            _(
                "On the “Account Information” tab of the same account, the mail address is "
                "“Email Address”."
            ),
        ),
        diagram="img/guides/apple-mail.svg",
        diagram_alt=_(
            "Diagram of Mail's account settings on the Mac: the Email Address on the Account "
            "Information tab (2), and the User Name of the outgoing mail server on the Server "
            "Settings tab (1)."
        ),
    ),
    Guide(
        slug="iphone",
        name=_("iPhone / iPad Mail"),
        platform=_("iPhone and iPad: the Mail app"),
        account_steps=(
            _(
                "Open “Settings” → “Apps” → “Mail” → “Mail Accounts” (iOS 17 and earlier: "
                "“Settings” → “Mail” → “Accounts”)."
            ),
            _("Tap your account, then “Account”."),
            _("Under “Outgoing Mail Server”, tap “SMTP”, then the server under “Primary Server”."),
            _("Type the account name in “User Name” and tap “Done”."),
        ),
        address_steps=(_("On the “Account” page of step 2, the mail address is “Email”."),),
        diagram="img/guides/iphone.svg",
        diagram_alt=_(
            "Diagram of two iPhone settings screens: the account page with Email (2) and the SMTP "
            "row, and the primary server's page with User Name (1)."
        ),
    ),
    Guide(
        slug="gmail-android",
        name=_("Gmail on Android"),
        platform=_("Android: the Gmail app with an IMAP or POP account"),
        account_steps=(
            _("In the Gmail app, open the menu (≡) → “Settings”."),
            _("Tap the account of your mail address."),
            _("Near the bottom, tap “Outgoing settings”."),
            _("Type the account name in “Username” and tap “Next” until the settings are saved."),
        ),
        address_steps=(
            _(
                "The mail address is the one the account was added with, shown at the top of its "
                "settings; Gmail cannot change it. To send from another address, add it with "
                "“Add another account” and its own account name."
            ),
        ),
        diagram="img/guides/gmail-android.svg",
        diagram_alt=_(
            "Diagram of two Gmail settings screens on Android: the account's settings with its "
            "mail address at the top (2) and the Outgoing settings row, and the outgoing "
            "settings with the Username (1)."
        ),
    ),
)

GUIDES_BY_SLUG: dict[str, Guide] = {guide.slug: guide for guide in GUIDES}


def shown_value(raw: str | None) -> str:
    """A value from the query string as the page may show it: trimmed, and nothing when it is
    too long to be an account name or an address (the template escapes what it shows)."""
    value = (raw or "").strip()
    return value if len(value) <= MAX_VALUE_LENGTH else ""
