"""Filters for the data-subject export's PDF: a collected value as a person reads it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from core.templatetags.pdf import css_string

register = template.Library()

EMPTY = "–"
# Lists of records inside a record: the PDF shows each as a table of its own.
NESTED = frozenset(
    {"journal_entries", "support_measures", "consents", "organisation_links", "events", "documents"}
)


@register.filter
def shown(value: Any) -> str:
    """A value of `dsar.selectors.collect()` as text: choice labels, names, Swedish dates."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        for key in ("label", "name", "number", "reference"):
            if value.get(key):
                return str(value[key])
        if "entry_date" in value:
            return _("Journal entry of %(date)s") % {"date": shown(value["entry_date"])}
        return f"#{value.get('id', '')}"
    if isinstance(value, list):
        return ", ".join(shown(item) for item in value)
    return str(value)


@register.filter
def rows(record: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """The record's single values as (label, text), in the order of the labels (the model's
    field order); lists of records are shown as tables of their own."""
    result = []
    for key, label in labels.items():
        if key not in record:
            continue
        if key not in NESTED:
            result.append((label, shown(record[key])))
    return result


@register.filter
def label(labels: dict[str, str], key: str) -> str:
    return labels.get(key, key)


# The PDF page margins' text filter is shared with the annual report.
register.filter("css_string", css_string)
