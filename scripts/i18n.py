"""Maintainers' helper for the Swedish catalogue (locale/sv/LC_MESSAGES/django.po).

  python scripts/i18n.py extract        collect UI strings from code and templates into the .po
  python scripts/i18n.py missing        print the strings still without a Swedish translation (JSON)
  python scripts/i18n.py fill FILE      apply translations from a JSON object {msgid: msgstr}
                                        (a list of strings for plural forms; a key
                                        "context::msgid" for one msgctxt only)
  python scripts/i18n.py compile        compile the .po into the committed .mo (msgfmt --check)

The test suite fails when a UI string lacks a translation or the .mo differs from the .po.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/sv/LC_MESSAGES/django.po"
IGNORE = [".venv", "var", "static", "node_modules", "tests", "bench", "test-artifacts", "scripts"]


def extract(root: Path = ROOT) -> None:
    args = [
        sys.executable,
        "manage.py",
        "makemessages",
        "-l",
        "sv",
        "--no-location",
        "--no-obsolete",
    ]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    subprocess.run(args, cwd=root, check=True, env={"DEBUG": "true", "PATH": "/usr/bin:/bin"})


def missing() -> list[str]:
    po = polib.pofile(str(PO))
    return [
        f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid
        for entry in po
        if not entry.translated() and not entry.obsolete
    ]


def fill(path: Path) -> int:
    translations: dict[str, str | list[str]] = json.loads(path.read_text())
    po = polib.pofile(str(PO), wrapwidth=100)
    done = 0
    for entry in po:
        # A key "context::msgid" translates only the entry with that msgctxt.
        key = f"{entry.msgctxt}::{entry.msgid}" if entry.msgctxt else entry.msgid
        if key not in translations:
            key = entry.msgid
        if key not in translations:
            continue
        value = translations[key]
        if entry.msgid_plural:
            forms = value if isinstance(value, list) else [value, value]
            entry.msgstr_plural = dict(enumerate(forms))
        else:
            entry.msgstr = value if isinstance(value, str) else value[0]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
        # msgmerge's notes on a guessed entry ("#| msgid ...") go with the guess.
        entry.previous_msgid = None
        entry.previous_msgid_plural = None
        entry.previous_msgctxt = None
        done += 1
    po.save()
    # polib wraps differently from gettext; rewrite the file the way `extract` (makemessages)
    # writes it, so that filling and extracting never rewrap the whole catalogue.
    subprocess.run(["msgcat", "-o", str(PO), str(PO)], check=True)
    return done


def compile_catalogue() -> None:
    subprocess.run(["msgfmt", "--check", "-o", str(PO.with_suffix(".mo")), str(PO)], check=True)


def main() -> int:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "extract":
        extract()
        print(f"{len(missing())} strings without a translation")
    elif command == "missing":
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    elif command == "fill" and len(sys.argv) == 3:
        print(f"{fill(Path(sys.argv[2]))} entries filled; {len(missing())} still missing")
    elif command == "compile":
        compile_catalogue()
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
