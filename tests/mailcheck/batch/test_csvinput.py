"""The upload's reader: encodings, separators, header, quoting, bad rows, the row cap."""

from __future__ import annotations

import pytest

from mailcheck.batch.csvinput import (
    Column,
    FileProblem,
    FileRefused,
    Row,
    RowProblem,
    parse,
)

TARO = ("iij-taro.iijmio-mail.jp", "iij-taro@iijmio-mail.jp")


def rows(raw: bytes, max_rows: int = 100) -> list[tuple[int, str, str]]:
    return [(r.line, r.account, r.mail_from) for r in parse(raw, max_rows=max_rows).rows]


def test_it_reads_comma_separated_rows_without_a_header() -> None:
    raw = b"iij-taro.iijmio-mail.jp,iij-taro@iijmio-mail.jp\nb.e23.jp,b@e23.jp\n"
    parsed = parse(raw, max_rows=10)
    assert not parsed.header
    assert rows(raw) == [(1, *TARO), (2, "b.e23.jp", "b@e23.jp")]


@pytest.mark.parametrize(
    "header",
    ["account,mail_from", "Account Name,Mail Address", "アカウント名,メールアドレス", "login,x"],
)
def test_it_skips_a_header_row_it_recognises(header: str) -> None:
    raw = f"{header}\n{TARO[0]},{TARO[1]}\n".encode()
    parsed = parse(raw, max_rows=10)
    assert parsed.header
    assert rows(raw) == [(2, *TARO)]


def test_a_first_row_without_any_address_above_rows_with_addresses_is_a_header() -> None:
    raw = f"ログイン,送信元\n{TARO[0]},{TARO[1]}\n".encode()
    assert parse(raw, max_rows=10).header


def test_it_reads_tab_separated_rows() -> None:
    raw = f"{TARO[0]}\t{TARO[1]}\n".encode()
    parsed = parse(raw, max_rows=10)
    assert parsed.delimiter == "\t"
    assert rows(raw) == [(1, *TARO)]


def test_it_reads_quoted_fields_and_a_newline_inside_quotes_keeps_line_numbers() -> None:
    raw = (
        b'"iij-taro.iijmio-mail.jp","iij-taro@iijmio-mail.jp"\n"a\nb",x@e23.jp\nc.e23.jp,c@e23.jp\n'
    )
    parsed = parse(raw, max_rows=10)
    assert parsed.rows[0] == Row(1, *TARO)
    assert parsed.rows[1] == Row(2, "a\nb", "x@e23.jp")
    assert parsed.rows[2] == Row(4, "c.e23.jp", "c@e23.jp")


def test_it_reads_utf8_with_a_byte_order_mark() -> None:
    raw = "\ufeffアカウント名,メールアドレス\n".encode() + f"{TARO[0]},{TARO[1]}\n".encode()
    parsed = parse(raw, max_rows=10)
    assert parsed.encoding == "utf-8-sig"
    assert parsed.header
    assert rows(raw) == [(2, *TARO)]


def test_it_reads_shift_jis_as_japanese_excel_writes_it() -> None:
    text = "アカウント名,メールアドレス\r\n山田.iijmio-mail.jp,山田@iijmio-mail.jp\r\n"
    parsed = parse(text.encode("cp932"), max_rows=10)
    assert parsed.encoding == "cp932"
    assert parsed.rows == (Row(2, "山田.iijmio-mail.jp", "山田@iijmio-mail.jp"),)


def test_it_reads_utf16_unicode_text_from_excel() -> None:
    text = f"account\tmail_from\r\n{TARO[0]}\t{TARO[1]}\r\n"
    parsed = parse(b"\xff\xfe" + text.encode("utf-16-le"), max_rows=10)
    assert parsed.encoding == "utf-16"
    assert parsed.rows == (Row(2, *TARO),)


def test_an_undecodable_file_is_refused_naming_the_line() -> None:
    raw = f"{TARO[0]},{TARO[1]}\n".encode() + b"a.e23.jp,\x81\xff@e23.jp\n"
    with pytest.raises(FileRefused) as caught:
        parse(raw, max_rows=10)
    assert caught.value.code is FileProblem.ENCODING
    assert caught.value.line == 2


def test_a_binary_file_is_refused() -> None:
    with pytest.raises(FileRefused) as caught:
        parse(b"PK\x03\x04\x00\x00binary", max_rows=10)
    assert caught.value.code is FileProblem.BINARY


@pytest.mark.parametrize("raw", [b"", b"\n\n  \n", b"\xef\xbb\xbf", b",,\n,\n"])
def test_an_empty_file_is_refused(raw: bytes) -> None:
    with pytest.raises(FileRefused) as caught:
        parse(raw, max_rows=10)
    assert caught.value.code is FileProblem.EMPTY


def test_blank_lines_and_trailing_empty_columns_are_skipped() -> None:
    raw = f"\n{TARO[0]},{TARO[1]},,\n\n   \nb.e23.jp,b@e23.jp\n".encode()
    parsed = parse(raw, max_rows=10)
    assert rows(raw) == [(2, *TARO), (5, "b.e23.jp", "b@e23.jp")]
    assert parsed.errors == ()


def test_malformed_rows_are_reported_by_line_and_the_rest_still_run() -> None:
    raw = (
        "account,mail_from\n"
        f"{TARO[0]},{TARO[1]}\n"
        "only-one-column\n"
        "a.e23.jp,a@e23.jp,extra\n"
        ",b@e23.jp\n"
        'c.e23.jp,""\n'
        f"x.e23.jp,{'x' * 400}@e23.jp\n"
        "d.e23.jp,d@e23.jp\n"
    ).encode()
    parsed = parse(raw, max_rows=100)
    assert [r.line for r in parsed.rows] == [2, 8]
    found = [(e.line, e.field, e.code, e.columns) for e in parsed.errors]
    assert found == [
        (3, Column.ROW, RowProblem.COLUMNS, 1),
        (4, Column.ROW, RowProblem.COLUMNS, 3),
        (5, Column.ACCOUNT, RowProblem.EMPTY_FIELD, 2),
        (6, Column.MAIL_FROM, RowProblem.EMPTY_FIELD, 2),
        (7, Column.MAIL_FROM, RowProblem.TOO_LONG, 2),
    ]
    assert parsed.lines == 7


def test_a_file_of_only_bad_rows_is_refused_with_its_rows_problems() -> None:
    with pytest.raises(FileRefused) as caught:
        parse(b"account,mail_from\nonly-one\n", max_rows=10)
    assert caught.value.code is FileProblem.NO_VALID_ROWS
    assert [e.line for e in caught.value.errors] == [2]


def test_the_row_cap_counts_data_rows_not_the_header() -> None:
    body = "".join(f"u{n}.e23.jp,u{n}@e23.jp\n" for n in range(5))
    assert len(parse(f"account,mail_from\n{body}".encode(), max_rows=5).rows) == 5
    with pytest.raises(FileRefused) as caught:
        parse(f"account,mail_from\n{body}x.e23.jp,x@e23.jp\n".encode(), max_rows=5)
    assert caught.value.code is FileProblem.TOO_MANY_ROWS
    assert caught.value.limit == 5
    with pytest.raises(FileRefused):
        parse(f"{body}x.e23.jp,x@e23.jp\n".encode(), max_rows=5)
