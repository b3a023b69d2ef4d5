"""Every string a customer or a staff member reads exists in Japanese and in English.

The catalogues in locale/ are checked as files: no entry without a translation, no fuzzy entry
(gettext ignores those, so the page would fall back to English), placeholders kept, and no
string in the sources that the catalogue lacks (makemessages is run on a copy of the sources).
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["ja", "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")
# What makemessages reads: the project's Python code and templates.
SOURCES = ["manage.py", "portal", "mailcheck", "templates"]


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))


def live_entries(lang: str) -> list[polib.POEntry]:
    return [e for e in catalogue(lang) if not e.obsolete]


def key(entry: polib.POEntry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(lang: str) -> None:
    entries = live_entries(lang)
    assert entries, f"the {lang} catalogue is empty"
    untranslated = [e.msgid for e in entries if not all(s.strip() for s in translations(e))]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{lang}: no translation for {untranslated}"
    assert not fuzzy, f"{lang}: fuzzy (ignored by gettext) {fuzzy}"
    assert not catalogue(lang).metadata_is_fuzzy, f"{lang}: the catalogue header is fuzzy"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_every_placeholder(lang: str) -> None:
    broken = [
        e.msgid
        for e in live_entries(lang)
        for s in translations(e)
        if sorted(set(PLACEHOLDER.findall(s))) != sorted(set(PLACEHOLDER.findall(e.msgid)))
        and not e.msgid_plural
    ]
    assert not broken, f"{lang}: placeholders differ from the source in {broken}"


def test_the_japanese_catalogue_is_written_in_japanese() -> None:
    """A Japanese entry that equals its English source is almost always a forgotten one."""
    allowed = {"SPF", "FAQ", "RSS", "Thunderbird", "Outlook"}
    same = [e.msgid for e in live_entries("ja") if e.msgstr == e.msgid and e.msgid not in allowed]
    assert not same, f"ja: entries left in English {same}"


def test_both_catalogues_hold_the_same_strings() -> None:
    assert {key(e) for e in live_entries("ja")} == {key(e) for e in live_entries("en")}


def test_the_catalogues_are_up_to_date_with_the_sources(tmp_path: Path) -> None:
    if shutil.which("xgettext") is None:
        if os.environ.get("MAILCHECK_REQUIRE_SYSTEM_DEPS") == "1":
            pytest.fail("GNU gettext (xgettext) is not installed", pytrace=False)
        pytest.skip("GNU gettext (xgettext) is not installed; `scripts/setup --system` installs it")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    shutil.copytree(ROOT / "locale", tmp_path / "locale")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "DATABASE_URL": "sqlite:///:memory:"}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete", "-v", "0"],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    fresh = polib.pofile(str(tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po"))
    wanted = {key(e) for e in fresh if not e.obsolete}
    held = {key(e) for e in live_entries("ja")}
    missing = sorted(msgid for _context, msgid in wanted - held)
    stale = sorted(msgid for _context, msgid in held - wanted)
    assert not missing, (
        f"strings in the sources but not in the catalogue: {missing}; run `manage.py "
        "makemessages -l ja -l en --ignore=.venv --ignore=tests --no-obsolete` and translate them"
    )
    assert not stale, f"strings in the catalogue that no source uses any more: {stale}"


@pytest.mark.parametrize(("lang", "expected"), [("ja", "2014年3月25日"), ("en", "25 March 2014")])
def test_dates_are_written_the_way_each_language_writes_them(lang: str, expected: str) -> None:
    with translation.override(lang):
        assert formats.date_format(datetime.date(2014, 3, 25)) == expected
