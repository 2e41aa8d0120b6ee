"""Maintainers' helper: after merging branches, keep every Swedish translation from both sides.

  python scripts/po_merge.py OURS.po THEIRS.po > translations.json

Writes {msgid: msgstr} (a list for plural forms) of every translated entry in either file; then
`python scripts/i18n.py extract` and `python scripts/i18n.py fill translations.json` rebuild the
catalogue from the merged code.
"""

from __future__ import annotations

import json
import sys

import polib


def main() -> int:
    merged: dict[str, object] = {}
    for path in sys.argv[1:]:
        for entry in polib.pofile(path):
            if not entry.translated() or entry.obsolete or not entry.msgid:
                continue
            key = f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid
            if entry.msgid_plural:
                merged[key] = [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
            else:
                merged[key] = entry.msgstr
    json.dump(merged, sys.stdout, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
