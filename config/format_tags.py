"""A faster `date` filter for the two formats Lotsa's pages use on every row.

Registered as a template builtin (settings: TEMPLATES OPTIONS "builtins"), so it replaces
Django's `date` filter everywhere. `|date:"Y-m-d"` and `|date:"Y-m-d H:i"` on a `date` or
`datetime` are written directly; every other format and value goes to Django's filter. The
output is the same (tests/test_templates.py compares the two). Django's filter parses the format
string and looks up the locale's formats on each call, about 25 µs; the deadline board calls it
about 180 times per page (bench/RESULTS.md).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.template.defaultfilters import date as django_date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value: Any, arg: str | None = None) -> str:
    kind = type(value)
    if arg == "Y-m-d" and (kind is datetime.date or kind is datetime.datetime):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    if arg == "Y-m-d H:i" and kind is datetime.datetime:
        return (
            f"{value.year:04d}-{value.month:02d}-{value.day:02d} "
            f"{value.hour:02d}:{value.minute:02d}"
        )
    return str(django_date(value, arg))
