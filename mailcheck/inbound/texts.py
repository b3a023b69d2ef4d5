"""The received mail's grades in words, for the page and the API (one view model for both)."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from mailcheck import messages
from mailcheck.inbound.grading import Grades, RouteGrade, grades_from_json
from mailcheck.inbound.models import ReceivedMail, TestAddress
from mailcheck.presenters import fix_text, fix_view

ROUTES: dict[RouteGrade, Promise] = {
    RouteGrade.LISTED: _(
        "Your mail left through our sending server that recipients confirm as allowed to send it."
    ),
    RouteGrade.UNLISTED: _(
        "Your mail left through our sending server that recipients cannot confirm as allowed to "
        "send it. Mail takes it when the account you log in with and the address you send from "
        "differ."
    ),
    RouteGrade.NOT_OURS: _(
        "Your mail did not leave through our sending servers: your mail program sends through "
        "another provider's server, or straight from your network."
    ),
}

FIELDS: dict[str, Promise] = {
    "account": _("Account name"),
    "mail_from": _("Mail address"),
    "header_from": _("From address (shown to recipients)"),
}

NO_FIX = _("Nothing: your mail program sends as it should.")


def status_of(address: TestAddress) -> str:
    if hasattr(address, "received"):
        return "received"
    return "expired" if address.is_expired else "waiting"


def received_data(mail: ReceivedMail) -> dict[str, Any]:
    """The API's ``received`` object."""
    grades = grades_from_json(mail.grades)
    return {
        "client_ip": mail.client_ip,
        "route": grades.route.value,
        "helo": mail.helo,
        "mail_from": mail.mail_from,
        "header_from": mail.header_from,
        "spf": grades.spf.value,
        "dkim": grades.dkim.value,
        "dmarc": grades.dmarc.value,
        "outcome": grades.outcome.value,
        "account": grades.account,
        "mail_program": grades.mail_program,
        "received_at": mail.received.isoformat(),
        "outcome_text": str(messages.DELIVERY_TODAY[grades.outcome]),
        "route_text": str(ROUTES[grades.route]),
        "fixes": [
            {
                "kind": f.kind.value,
                "account": f.account,
                "mail_from": f.mail_from,
                "text": fix_text(f),
            }
            for f in grades.fixes
        ],
    }


def page_view(mail: ReceivedMail) -> dict[str, Any]:
    """What the page shows of a received mail, worked out."""
    grades: Grades = grades_from_json(mail.grades)
    return {
        "mail": mail,
        "grades": grades,
        "outcome_text": messages.DELIVERY_TODAY[grades.outcome],
        "route_text": ROUTES[grades.route],
        "fixes": [fix_view(f) for f in grades.fixes],
        "no_fix": NO_FIX,
        "comparisons": [
            {"label": FIELDS[c.field], "typed": c.typed, "sent": c.sent, "same": c.same}
            for c in grades.comparisons
        ],
    }
