"""Reading an uploaded list of account/address pairs. Pure: no Django, codes instead of words.

What spreadsheets write, read as such:

- UTF-8 with or without a byte order mark; Shift_JIS as Japanese Excel saves "CSV" (read as
  cp932, Microsoft's Shift_JIS, which has the characters Windows adds); UTF-16 with a byte order
  mark ("Unicode text"). UTF-8 is tried first and strictly: a Shift_JIS file is almost never
  valid UTF-8, while UTF-8 Japanese often decodes as cp932 into nonsense.
- Comma- or tab-separated (whichever the first line uses), fields quoted as RFC 4180 says.
- An optional header row, recognised by its names or by having no mail address in it.
- Blank lines, and trailing empty columns (",,") that spreadsheets add, are skipped.

A row that cannot be checked (a column too many or too few, an empty field) is reported with
its line number and the rest still run. Problems with the whole file raise :class:`FileRefused`.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from enum import StrEnum

# RFC 5321 §4.5.3.1.3: a path is at most 256 octets; an account is about as long. A field far
# longer is not a mail setting, and the database column is bounded.
MAX_FIELD_LENGTH = 320

# Header names as people write them (compared in lower case without spaces, "_" or "-").
ACCOUNT_NAMES = frozenset(
    {
        "account",
        "accountname",
        "login",
        "user",
        "username",
        "アカウント名",
        "アカウント",
        "ユーザー名",
        "ログイン名",
    }
)
ADDRESS_NAMES = frozenset(
    {
        "mailfrom",
        "mailaddress",
        "address",
        "email",
        "emailaddress",
        "from",
        "メールアドレス",
        "アドレス",
        "送信者アドレス",
    }
)


class FileProblem(StrEnum):
    EMPTY = "empty"  # nothing but blank lines
    ENCODING = "encoding"  # neither UTF-8, Shift_JIS nor UTF-16 with a byte order mark
    BINARY = "binary"  # not text at all (a spreadsheet's own format, an image)
    TOO_MANY_ROWS = "too_many_rows"
    NO_VALID_ROWS = "no_valid_rows"  # rows, but none that can be checked
    MALFORMED = "malformed"  # the CSV reader gave up (a field beyond its size limit)


class RowProblem(StrEnum):
    COLUMNS = "columns"  # not exactly two columns
    EMPTY_FIELD = "empty_field"
    TOO_LONG = "too_long"


class Column(StrEnum):
    ACCOUNT = "account"
    MAIL_FROM = "mail_from"
    ROW = "row"  # the row as a whole (its number of columns)


@dataclass(frozen=True)
class Row:
    line: int  # the line of the file the row starts on, from 1
    account: str
    mail_from: str


@dataclass(frozen=True)
class RowError:
    line: int
    field: Column
    code: RowProblem
    columns: int  # how many the row had
    account: str = ""  # what could be read, to show beside the message
    mail_from: str = ""


@dataclass(frozen=True)
class ParsedFile:
    rows: tuple[Row, ...]
    errors: tuple[RowError, ...]
    encoding: str  # "utf-8", "utf-8-sig", "cp932" or "utf-16"
    delimiter: str
    header: bool

    @property
    def lines(self) -> int:
        """Data rows read, checkable or not."""
        return len(self.rows) + len(self.errors)


@dataclass
class FileRefused(Exception):
    """The file as a whole cannot be used. ``limit`` is the row cap for TOO_MANY_ROWS; ``line``
    where decoding or reading failed; ``errors`` the row errors when no row was valid."""

    code: FileProblem
    limit: int = 0
    line: int = 0
    errors: tuple[RowError, ...] = field(default=())

    def __post_init__(self) -> None:
        super().__init__(self.code.value)


def decode(raw: bytes) -> tuple[str, str]:
    """The text of ``raw`` and the encoding it was read with, or FileRefused(ENCODING/BINARY)."""
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileRefused(FileProblem.ENCODING, line=_line_of(raw, exc.start)) from None
    if b"\x00" in raw:
        raise FileRefused(FileProblem.BINARY)
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise FileRefused(FileProblem.ENCODING, line=_line_of(raw, exc.start)) from None
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            return raw.decode("cp932"), "cp932"
        except UnicodeDecodeError:
            # Name the place UTF-8 stumbled: most files are meant to be UTF-8.
            raise FileRefused(FileProblem.ENCODING, line=_line_of(raw, utf8_error.start)) from None


def _line_of(raw: bytes, offset: int) -> int:
    return raw[:offset].count(b"\n") + 1


def parse(raw: bytes, *, max_rows: int) -> ParsedFile:
    """Read the file's rows; FileRefused when it is empty, unreadable, holds more than
    ``max_rows`` data rows, or none of its rows can be checked."""
    text, encoding = decode(raw)
    if not text.strip():
        raise FileRefused(FileProblem.EMPTY)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            cells = _trimmed(record)
            if not cells:
                continue
            records.append((start, cells))
            # One more than the cap: the header is not known yet and does not count.
            if len(records) > max_rows + 1:
                raise FileRefused(FileProblem.TOO_MANY_ROWS, limit=max_rows)
    except csv.Error:
        raise FileRefused(FileProblem.MALFORMED, line=line) from None
    if not records:
        raise FileRefused(FileProblem.EMPTY)
    header = _is_header(records[0][1], records[1:])
    if header:
        records = records[1:]
    if len(records) > max_rows:
        raise FileRefused(FileProblem.TOO_MANY_ROWS, limit=max_rows)
    rows: list[Row] = []
    errors: list[RowError] = []
    for start, cells in records:
        outcome = _row(start, cells)
        (rows if isinstance(outcome, Row) else errors).append(outcome)  # type: ignore[arg-type]
    if not rows:
        raise FileRefused(FileProblem.NO_VALID_ROWS, errors=tuple(errors))
    return ParsedFile(tuple(rows), tuple(errors), encoding, delimiter, header)


def _delimiter(text: str) -> str:
    """Tab when the first non-blank line has more tabs than commas, else comma."""
    first = next(line for line in text.splitlines() if line.strip())
    return "\t" if first.count("\t") > first.count(",") else ","


def _trimmed(record: list[str]) -> list[str]:
    """The row's cells without surrounding spaces and without empty cells after the second;
    [] for a blank line or a row of empty cells."""
    cells = [cell.strip() for cell in record]
    if not any(cells):
        return []
    # Spreadsheets pad rows with empty cells ("a,b,,"); an empty second column is a problem.
    while len(cells) > 2 and not cells[-1]:
        cells.pop()
    return cells


def _normal_name(cell: str) -> str:
    return "".join(ch for ch in cell.lower() if ch not in " _-\u3000")


def _has_address(cells: list[str]) -> bool:
    return any("@" in cell or "＠" in cell for cell in cells)


def _is_header(first: list[str], rest: list[tuple[int, list[str]]]) -> bool:
    names = {_normal_name(cell) for cell in first}
    if names & (ACCOUNT_NAMES | ADDRESS_NAMES):
        return True
    # No known names: a header has no mail address, while the rows under it do.
    return not _has_address(first) and any(_has_address(cells) for _, cells in rest[:20])


def _row(line: int, cells: list[str]) -> Row | RowError:
    if len(cells) != 2:
        return RowError(
            line,
            Column.ROW,
            RowProblem.COLUMNS,
            len(cells),
            account=cells[0][:MAX_FIELD_LENGTH],
            mail_from=cells[1][:MAX_FIELD_LENGTH] if len(cells) > 1 else "",
        )
    account, mail_from = cells
    for column, value in ((Column.ACCOUNT, account), (Column.MAIL_FROM, mail_from)):
        if not value:
            return RowError(
                line, column, RowProblem.EMPTY_FIELD, 2, account=account, mail_from=mail_from
            )
        if len(value) > MAX_FIELD_LENGTH:
            return RowError(
                line,
                column,
                RowProblem.TOO_LONG,
                2,
                account=account[:MAX_FIELD_LENGTH],
                mail_from=mail_from[:MAX_FIELD_LENGTH],
            )
    return Row(line, account, mail_from)
