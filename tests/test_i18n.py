"""The Swedish catalogue is complete and the committed .mo is compiled from the committed .po."""

from __future__ import annotations

import shutil
import subprocess
import sys

import polib
import pytest

from tests.helpers import ROOT

PO = ROOT / "locale/sv/LC_MESSAGES/django.po"
MO = ROOT / "locale/sv/LC_MESSAGES/django.mo"


def _entries(catalogue) -> dict[tuple[str | None, str], object]:
    result: dict[tuple[str | None, str], object] = {}
    for entry in catalogue:
        if entry.msgid == "" or entry.obsolete or "fuzzy" in entry.flags:
            continue
        value = (
            tuple(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else entry.msgstr
        )
        if value:
            result[(entry.msgctxt, entry.msgid)] = value
    return result


def test_committed_mo_matches_committed_po():
    po_entries = _entries(polib.pofile(str(PO)))
    mo_entries = _entries(polib.mofile(str(MO)))
    assert po_entries, "the Swedish catalogue is empty"
    stale = {
        key
        for key in po_entries.keys() | mo_entries.keys()
        if po_entries.get(key) != mo_entries.get(key)
    }
    assert not stale, (
        f"django.mo is not compiled from django.po (run `python scripts/i18n.py compile`): {sorted(stale)[:5]}"
    )


def test_committed_po_has_no_untranslated_or_fuzzy_entries():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()


@pytest.mark.gettext
def test_every_ui_string_has_a_swedish_translation(tmp_path):
    """Extract the strings of a copy of the code base and check each has a translation."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".venv", "var", ".git", "static", "node_modules", "*_cache", "test-artifacts", "bench"
        ),
    )
    subprocess.run(
        [sys.executable, str(copy / "scripts/i18n.py"), "extract"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = polib.pofile(str(copy / "locale/sv/LC_MESSAGES/django.po"))
    untranslated = [entry.msgid for entry in extracted.untranslated_entries()]
    fuzzy = [entry.msgid for entry in extracted.fuzzy_entries()]
    assert not untranslated, f"UI strings without a Swedish translation: {untranslated}"
    assert not fuzzy, f"UI strings whose Swedish translation is a guess (fuzzy): {fuzzy}"
