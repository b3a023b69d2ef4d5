"""Compile every locale/*/LC_MESSAGES/*.po into its .mo without GNU gettext.

`make run` must work on a fresh machine without root, where msgfmt may be missing; polib writes
the same binary catalogue. (makemessages, for developers, still needs gettext.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib


def main(root: Path) -> int:
    count = 0
    for po_path in sorted(root.glob("locale/*/LC_MESSAGES/*.po")):
        catalogue = polib.pofile(str(po_path))
        catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
        count += 1
    print(f"compiled {count} message catalogue(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(__file__).resolve().parent.parent))
