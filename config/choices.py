"""`get_FOO_display()` without translating every choice of the field on every call.

Django's `Model._get_FIELD_display` builds `dict(make_hashable(field.flatchoices))` on each call.
Making the choices hashable hashes each lazily translated label, and hashing a lazy string
translates it: a purpose's label cost eight gettext calls, a case list page about 430 of them
(2–3 ms of a 21 ms page, bench/RESULTS.md). `ChoiceLabels` keeps one value → label table per
field and language instead; what it returns is what Django's method returns.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Field
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_tables: dict[tuple[Field[Any, Any], str | None], dict[Any, Any]] = {}


def choice_label(field: Field[Any, Any], value: Any) -> Any:
    """The label of `value` among `field`'s choices in the active language; `value` itself when
    it is not one of them (as `get_FOO_display()` does)."""
    key = (field, get_language())
    table = _tables.get(key)
    if table is None:
        table = {make_hashable(choice): str(label) for choice, label in field.flatchoices}
        _tables[key] = table
    try:
        return table[value]  # the usual case: a known code, a string or a number
    except (KeyError, TypeError):  # unknown, or unhashable (a JSON field's list)
        return force_str(table.get(make_hashable(value), value), strings_only=True)


class ChoiceLabels(models.Model):
    """Abstract base of models with choice fields: `get_FOO_display()` through
    `choice_label`."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: Field[Any, Any]) -> Any:
        return choice_label(field, getattr(self, field.attname))
