"""The batch's codes in words, in the active language: one home for what the page, the CSV
download and the API say about a row or a refused file."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mailcheck import messages
from mailcheck.batch.csvinput import Column, FileProblem, FileRefused, RowProblem
from mailcheck.batch.models import BatchRow
from mailcheck.check import Delivery, Fix, FixKind
from mailcheck.identity import Field, Problem, ProblemCode
from mailcheck.presenters import fix_text, problem_text

# What happens to the mail, in a few words for a table cell.
OUTCOMES: dict[str, Promise] = {
    Delivery.DELIVERED: _("Delivered"),
    Delivery.AT_RISK: _("May go to junk"),
    Delivery.QUARANTINE: _("Put in junk"),
    Delivery.REJECT: _("Refused"),
    Delivery.UNKNOWN: _("Unknown (DNS error)"),
}
# The site's badge colours (static/css/site.css) for each outcome.
OUTCOME_BADGES: dict[str, str] = {
    Delivery.DELIVERED: "pass",
    Delivery.AT_RISK: "softfail",
    Delivery.QUARANTINE: "softfail",
    Delivery.REJECT: "fail",
    Delivery.UNKNOWN: "temperror",
}
NOT_CHECKED = _("Not checked")
NOTHING_TO_CHANGE = _("Nothing")

COLUMN_NAMES: dict[str, Promise] = {
    Column.ACCOUNT: messages.FIELD_NAMES[Field.ACCOUNT],
    Column.MAIL_FROM: messages.FIELD_NAMES[Field.MAIL_FROM],
    Column.ROW: _("Line"),
}


def row_error_text(row: BatchRow, service_domains: tuple[str, ...]) -> str:
    """Why the row was not checked, beginning with the field concerned."""
    code = row.error_code
    if code == RowProblem.COLUMNS:
        return gettext(
            "This line has %(columns)d columns; it needs two: the account name, then the mail "
            "address."
        ) % {"columns": row.error_columns}
    name = str(COLUMN_NAMES.get(row.error_field, row.error_field))
    if code == RowProblem.EMPTY_FIELD:
        text = gettext("This field is empty.")
    elif code == RowProblem.TOO_LONG:
        text = gettext("This value is longer than a mail address or account name can be.")
    else:
        problem = Problem(Field(row.error_field), ProblemCode(code), row.error_suggestion)
        text = problem_text(problem, service_domains)
    return f"{name}: {text}"


def change_text(row: BatchRow) -> str:
    """What to change, in words: the check's first fix, or that nothing needs changing."""
    if not row.fix_kind:
        return str(NOTHING_TO_CHANGE)
    fix = Fix(
        kind=FixKind(row.fix_kind),
        account=row.fix_account,
        mail_from=row.fix_mail_from,
        domain=row.fix_domain,
    )
    return fix_text(fix)


def outcome_text(code: str) -> str:
    return str(OUTCOMES[code]) if code in OUTCOMES else str(NOT_CHECKED)


def file_error_text(refused: FileRefused, service_domains: tuple[str, ...] = ()) -> str:
    code = refused.code
    if code is FileProblem.EMPTY:
        return gettext(
            "The file is empty. Choose a CSV file with an account name and a mail address on "
            "each line."
        )
    if code is FileProblem.BINARY:
        return gettext(
            "This is not a CSV file. In your spreadsheet, save the list as CSV (UTF-8 or "
            "Shift_JIS) and upload that file."
        )
    if code is FileProblem.ENCODING:
        return gettext(
            "The file cannot be read: line %(line)d is neither UTF-8 nor Shift_JIS text. Save "
            "the file as CSV (UTF-8) and upload it again."
        ) % {"line": refused.line}
    if code is FileProblem.TOO_MANY_ROWS:
        return gettext(
            "The file has more than %(limit)s rows. Split it into files of at most %(limit)s "
            "rows each."
        ) % {"limit": f"{refused.limit:,}"}
    if code is FileProblem.MALFORMED:
        return gettext(
            "The file cannot be read as CSV near line %(line)d. Check the quotation marks there."
        ) % {"line": refused.line}
    first = refused.errors[0] if refused.errors else None
    text = gettext(
        "No line of the file can be checked: each line needs an account name and a mail "
        "address, separated by a comma."
    )
    if first is not None:
        row = BatchRow(
            line=first.line,
            error_field=first.field.value,
            error_code=first.code.value,
            error_columns=first.columns,
        )
        text += " " + gettext("Line %(line)d: %(problem)s") % {
            "line": first.line,
            "problem": row_error_text(row, service_domains),
        }
    return text


def too_big_text(limit: int) -> str:
    return gettext("The file is larger than %(size)s. Split it into smaller files.") % {
        "size": filesizeformat(limit)
    }


MISSING_FILE = _("Choose a CSV file to upload.")


@dataclass(frozen=True)
class RowView:
    """One line of the results table, in words."""

    line: int
    account: str
    mail_from: str
    checked: bool
    error: str
    outcome_before: str
    outcome_after: str
    badge_before: str
    badge_after: str
    spf_before: str
    spf_after: str
    change: str
    fix_account: str  # the account to log in with, when the change is to use another one

    @classmethod
    def of(cls, row: BatchRow, service_domains: tuple[str, ...]) -> RowView:
        error = row_error_text(row, service_domains) if row.is_error else ""
        return cls(
            line=row.line,
            account=row.account,
            mail_from=row.mail_from,
            checked=row.checked,
            error=error,
            outcome_before=outcome_text(row.outcome_before) if row.outcome_before else "",
            outcome_after=outcome_text(row.outcome_after) if row.outcome_after else "",
            badge_before=OUTCOME_BADGES.get(row.outcome_before, ""),
            badge_after=OUTCOME_BADGES.get(row.outcome_after, ""),
            spf_before=row.spf_before,
            spf_after=row.spf_after,
            change="" if row.is_error or not row.checked else change_text(row),
            fix_account=row.fix_account if row.fix_kind == FixKind.USE_ADDRESS_ACCOUNT else "",
        )
