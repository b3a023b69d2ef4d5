"""Codes of saved results: short, unguessable, and easy to read out on the phone.

A code is 8 symbols in two groups of four, ``K7MX-4QPA``. The alphabet has 32 symbols: the
digits 2–9 and the capital letters without I and L. Nothing in it can be mistaken for anything
else in it: 0 and 1 are left out (they read as O, I or L), and so are I and L (they read as 1).
O stays, because with 0 gone nothing else looks like it.

32⁸ = 2⁴⁰ codes: 40 bits, drawn with :mod:`secrets`. With 100,000 results kept at once, one
guess finds one of them with a chance of about 1 in 10 million.

Reading a code back is lenient: lower case, spaces, dashes (missing, extra or anywhere) and
full-width characters are accepted, and the digit 0 is read as the letter O (the only one of
the confusable symbols that a code can contain). 1, I and L never occur in a code, so a code
with one of them was misread and matches nothing. No Django here.
"""

from __future__ import annotations

import secrets
import unicodedata

ALPHABET = "23456789ABCDEFGHJKMNOPQRSTUVWXYZ"
LENGTH = 8
GROUP = 4
SEPARATOR = "-"

# What a reader may type for a symbol of the alphabet. Crockford's base32 maps O to 0; here 0
# is the one left out, so the mapping goes the other way.
_READ_AS = {"0": "O"}
# Anything a customer may put between groups: ASCII and full-width dashes, spaces, dots.
_IGNORED = frozenset(" \t\n-‐‑‒–—―−ー_.・")

assert len(ALPHABET) == 32 and len(set(ALPHABET)) == 32  # 5 bits a symbol, 40 bits a code


def new_code() -> str:
    """A fresh random code in its canonical form, without the dash (``K7MX4QPA``)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display(code: str) -> str:
    """``K7MX4QPA`` → ``K7MX-4QPA``, as the pages and the admin show it."""
    return SEPARATOR.join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def canonical(text: str) -> str | None:
    """The canonical code a customer or a member of staff typed, or None when it cannot be
    one: ``k7mx 4qpa``, ``K7MX--4QPA``, ``ｋ７ｍｘ－４ｑｐａ`` → ``K7MX4QPA``."""
    # NFKC turns full-width letters and digits into ASCII.
    folded = unicodedata.normalize("NFKC", text).upper()
    symbols = [_READ_AS.get(c, c) for c in folded if c not in _IGNORED]
    if len(symbols) != LENGTH or any(s not in ALPHABET for s in symbols):
        return None
    return "".join(symbols)
