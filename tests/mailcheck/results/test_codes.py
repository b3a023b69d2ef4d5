"""Codes of saved results: alphabet, grouping, lenient reading, randomness."""

from __future__ import annotations

import math
import secrets
from unittest import mock

import pytest

from mailcheck.results import codes


def test_the_alphabet_has_no_confusable_symbols_and_gives_40_bits() -> None:
    assert not set("01IL") & set(codes.ALPHABET)
    assert len(set(codes.ALPHABET)) == 32
    assert math.log2(len(codes.ALPHABET)) * codes.LENGTH >= 40


def test_a_thousand_codes_are_distinct_and_use_only_the_alphabet() -> None:
    drawn = [codes.new_code() for _ in range(1000)]

    assert len(set(drawn)) == 1000
    assert all(len(c) == 8 and set(c) <= set(codes.ALPHABET) for c in drawn)


def test_codes_come_from_secrets() -> None:
    with mock.patch.object(secrets, "choice", side_effect=lambda seq: seq[5]) as choice:
        code = codes.new_code()

    assert code == codes.ALPHABET[5] * 8
    assert choice.call_count == 8


def test_codes_are_shown_in_two_groups_of_four() -> None:
    assert codes.display("K7MX4QPA") == "K7MX-4QPA"


@pytest.mark.parametrize(
    "typed",
    [
        "K7MX-4QPA",
        "k7mx4qpa",
        "k7mx 4qpa",
        " K7MX--4QPA ",
        "K-7-M-X-4-Q-P-A",
        "ｋ７ｍｘ－４ｑｐａ",
        "K7MX\u30fc4QPA",
    ],
)
def test_a_code_is_read_leniently(typed: str) -> None:
    assert codes.canonical(typed) == "K7MX4QPA"


def test_the_digit_zero_is_read_as_the_letter_o() -> None:
    assert codes.canonical("2O3O-4567") == "2O3O4567"
    assert codes.canonical("2030-4567") == "2O3O4567"


@pytest.mark.parametrize(
    "typed", ["", "K7MX-4QP", "K7MX-4QPAA", "K7MX-4QP1", "K7MX-4QPI", "K7MX-4QPL", "K7MX-4QP!"]
)
def test_what_cannot_be_a_code_is_none(typed: str) -> None:
    assert codes.canonical(typed) is None
