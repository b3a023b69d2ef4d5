"""The results as a CSV file for spreadsheets: UTF-8 with a byte order mark, so that Excel reads
the Japanese; a header row in the page's language with each column's code in brackets; cells
hold codes (the API's), and two columns hold the change and the problem in words."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from mailcheck.batch import texts
from mailcheck.batch.models import Batch, BatchRow

COLUMNS = (
    ("line", _("Line")),
    ("account", _("Account name")),
    ("mail_from", _("Mail address")),
    ("status", _("Status")),
    ("match", _("Account and address match")),
    ("route_before", _("Route before the change")),
    ("spf_before", _("SPF before the change")),
    ("outcome_before", _("Outcome before the change")),
    ("route_after", _("Route after the change")),
    ("spf_after", _("SPF after the change")),
    ("outcome_after", _("Outcome after the change")),
    ("fix_account", _("Account to log in with")),
    ("fix_mail_from", _("Address to send from")),
    ("change", _("What to change")),
    ("error_field", _("Field with a problem")),
    ("error_code", _("Problem code")),
    ("error_message", _("Problem")),
)


def row_status(row: BatchRow) -> str:
    """ "error" (not checked: the problem says why), "checked" or "pending"."""
    if row.is_error:
        return "error"
    return "checked" if row.checked else "pending"


# A spreadsheet reads a cell that begins with one of these as a formula: the uploaded values
# are written with a leading apostrophe instead, so they stay text (the customer's own file,
# but a list may have come from anyone).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: str) -> str:
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


def rows_csv(batch: Batch, service_domains: tuple[str, ...]) -> Iterator[str]:
    """The file's lines, the byte order mark first; rows read from the database in chunks."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([f"{label} ({code})" for code, label in COLUMNS])
    for row in batch.rows.order_by("line").iterator(chunk_size=1000):
        status = row_status(row)
        matches = "" if row.matches is None else ("yes" if row.matches else "no")
        yield writer.writerow(
            [
                row.line,
                as_text(row.account),
                as_text(row.mail_from),
                status,
                matches,
                row.route_before,
                row.spf_before,
                row.outcome_before,
                row.route_after,
                row.spf_after,
                row.outcome_after,
                row.fix_account,
                row.fix_mail_from,
                texts.change_text(row) if status == "checked" else "",
                row.error_field,
                row.error_code,
                texts.row_error_text(row, service_domains) if row.is_error else "",
            ]
        )
