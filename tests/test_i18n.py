"""The Swedish catalogue is complete and the committed .mo is compiled from the committed .po."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys
from typing import Any

import django_filters
import polib
import pytest
from django import forms
from django.apps import apps
from django.utils import translation
from django_countries.fields import LazyTypedChoiceField  # type: ignore[attr-defined]

from casework.filters import CaseFilter
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


# --- Choice and sort labels in both languages (issue 21, item 6) ----------------------------------

# Choice labels written the same in Swedish and English.
SAME_IN_BOTH = {"Man", "Under 18", "PDF", "CSV", "JSON"}


def _form_classes() -> list[type]:
    """Every form and filter set defined in the project's forms.py and filters.py modules."""
    classes: list[type] = []
    for config in apps.get_app_configs():
        if not str(config.path).startswith(str(ROOT)):
            continue
        for module_name in ("forms", "filters"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for value in vars(module).values():
                if (
                    isinstance(value, type)
                    and value.__module__ == module.__name__
                    and issubclass(value, (forms.BaseForm, django_filters.FilterSet))
                ):
                    classes.append(value)
    return classes


def _choice_labels(cls: Any) -> list[tuple[str, object]]:
    """(field, label) of each fixed choice of the class's choice fields and sort options."""
    found: list[tuple[str, object]] = []
    if issubclass(cls, django_filters.FilterSet):
        for name, flt in cls.base_filters.items():
            choices: Any = flt.extra.get("choices")
            if isinstance(flt, django_filters.ModelChoiceFilter) or not choices:
                continue
            if callable(choices):
                choices = choices()
            # An OrderingFilter's options (ascending and descending) are made when it is
            # declared: the labels must still follow the reader's language.
            found += [(f"{cls.__name__}.{name}", label) for _, label in list(choices)]
    else:
        for name, field in cls.base_fields.items():
            if not isinstance(field, forms.ChoiceField) or isinstance(
                field, (forms.ModelChoiceField, LazyTypedChoiceField)
            ):
                continue  # records, and countries (tests/test_countries.py)
            field_choices: Any = field.choices
            for _, label in field_choices:
                if isinstance(label, (list, tuple)):  # a group
                    found += [(f"{cls.__name__}.{name}", sub) for _, sub in label]
                else:
                    found.append((f"{cls.__name__}.{name}", label))
    return found


@pytest.mark.django_db
def test_choice_and_sort_labels_are_in_the_readers_language():
    """Each choice of every form and filter, and each sort option, follows the reader's
    language: a label that reads the same in Swedish and English is either untranslated or was
    made into text once, in one language (countries are checked by tests/test_countries.py)."""
    same = []
    checked = 0
    for cls in _form_classes():
        for where, label in _choice_labels(cls):
            with translation.override("en"):
                english = str(label)
            with translation.override("sv"):
                swedish = str(label)
            if not english or not re.search(r"[^\W\d_]", english):
                continue  # blank, or a number such as a year
            checked += 1
            if swedish == english and english not in SAME_IN_BOTH:
                same.append((where, english))
    assert checked > 100
    assert not same, f"choice labels that do not follow the language: {same}"


@pytest.mark.django_db
def test_the_case_list_sort_options_read_in_swedish_and_english(coordinator):
    with translation.override("sv"):
        swedish = [
            str(label) for _, label in CaseFilter(user=coordinator).filters["sort"].field.choices
        ]
    with translation.override("en"):
        english = [
            str(label) for _, label in CaseFilter(user=coordinator).filters["sort"].field.choices
        ]
    assert "Senaste aktivitet" in swedish
    assert "Ärendenummer, fallande" in swedish
    assert not any("descending" in label or "Activity" in label for label in swedish)
    assert "Case number, descending" in english
