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


# Said elsewhere in the PDF: the database's own number of a record, a case number's parts (the
# number itself is shown) and "is protected" (the kind of protection is a field of its own).
NOT_IN_FACTS = frozenset({"id", "is_protected", "year", "sequence"})


@register.filter
def rows(record: dict[str, Any], labels: dict[str, str]) -> list[tuple[str, str]]:
    """The record's recorded single values as (label, text), in the order of the labels (the
    model's field order). Lists of records are shown as tables of their own; fields with
    nothing recorded are left out (the PDF says so), so a short case takes little room."""
    result = []
    for key, label in labels.items():
        if key not in record or key in NESTED or key in NOT_IN_FACTS:
            continue
        text = shown(record[key])
        if text != EMPTY:
            result.append((label, text))
    return result


@register.filter
def empty_lists(record: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """The names of the record's lists (journal entries, events...) that hold nothing."""
    return [
        labels.get(key, key)
        for key in sorted(NESTED, key=list(labels).index)
        if not record.get(key)
    ]


@register.filter
def empty_parts(data: dict[str, Any]) -> list[str]:
    """The names of the export's parts about other records that hold nothing for this person."""
    parts = {
        "reflection_period_applications": _("Reflection-period applications"),
        "outreach_contacts": _("Outreach contacts"),
        "referrals": _("Referrals"),
        "related_persons": _("Related persons"),
    }
    return [str(name) for key, name in parts.items() if not data.get(key)]


@register.filter
def label(labels: dict[str, str], key: str) -> str:
    return labels.get(key, key)


# The PDF page margins' text filter is shared with the annual report.
register.filter("css_string", css_string)
