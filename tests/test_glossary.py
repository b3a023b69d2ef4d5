"""One word for one thing: the catalogue and the demo content follow the glossary.

当サービス (never 当社), フォルダー (with the long vowel mark), SPFレコード (no space),
メールアドレス for the address the customer sends from (never 送信元アドレス); in English,
"mail program" (as メールソフト), never "mail client". A search treats the variants as the
same, but a customer reading two words for one thing wonders whether they are two things.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
AVOID = {
    "当社": re.compile("当社"),
    "フォルダ without ー": re.compile("フォルダ(?!ー)"),
    "SPF レコード with a space": re.compile("SPF レコード"),
    "送信元アドレス for メールアドレス": re.compile("送信元アドレス"),
}


def japanese_texts() -> list[tuple[str, str]]:
    catalogue = polib.pofile(str(ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    texts = [(entry.msgid, entry.msgstr) for entry in catalogue if not entry.obsolete]
    demo = (ROOT / "portal" / "demo" / "content.py").read_text(encoding="utf-8")
    texts.append(("portal/demo/content.py", demo))
    return texts


@pytest.mark.parametrize("name", AVOID)
def test_the_japanese_texts_use_the_glossary_word(name: str) -> None:
    pattern = AVOID[name]
    # A text about the variants themselves (the search help names フォルダ) quotes its source.
    found = [
        where
        for where, text in japanese_texts()
        if pattern.search(text) and not pattern.search(where)
    ]
    assert not found, f"{name}: {found}"


def test_the_english_texts_say_mail_program() -> None:
    catalogue = polib.pofile(str(ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    found = [e.msgid for e in catalogue if not e.obsolete and "mail client" in e.msgid.lower()]
    assert not found
