"""`get_FOO_display()` through config.choices must say what Django's own method says, for every
choice field of every Lotsa model, in both languages, for known and unknown values."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.db.models import Model
from django.utils import translation

from config.choices import ChoiceLabels

LOTSA_APPS = {"accounts", "casework", "outreach", "reflection_period", "reporting", "retention"}


def _choice_fields() -> list[tuple[type[Model], Any]]:
    return [
        (model, field)
        for model in apps.get_models()
        if model._meta.app_label in LOTSA_APPS and not model.__name__.startswith("Historical")
        for field in model._meta.concrete_fields
        if field.choices and field.name != "citizenship"
    ]


def test_every_model_with_choice_fields_uses_the_fast_labels() -> None:
    without = sorted(
        {
            model.__name__
            for model, _field in _choice_fields()
            if not issubclass(model, ChoiceLabels)
        }
    )
    assert without == []


@pytest.mark.parametrize("language", ["sv", "en"])
def test_labels_equal_djangos_for_every_choice_and_an_unknown_value(language: str) -> None:
    checked = 0
    with translation.override(language):
        for model, field in _choice_fields():
            for value in [choice for choice, _label in field.flatchoices] + ["no-such-value", None]:
                obj = model(**{field.attname: value})
                ours = getattr(obj, f"get_{field.name}_display")()
                djangos = Model._get_FIELD_display(obj, field)  # type: ignore[attr-defined]
                assert ours == djangos, (model.__name__, field.name, value)
                assert type(ours) is type(djangos)
                checked += 1
    assert checked > 100


def test_the_label_follows_the_active_language() -> None:
    from casework.models import Case

    case = Case(category="minor")
    with translation.override("sv"):
        swedish = case.get_category_display()
    with translation.override("en"):
        english = case.get_category_display()
    assert (swedish, english) == ("Minderårigt brottsoffer", "Minor victim")
