"""What the table rows written in Python share (casework/rows.py, reflection_period/rows.py,
outreach/rows.py; `{% load rows %}`, config/row_tags.py).

The long lists (case list, deadline board, referral inbox) write their 25 rows in Python with
`html()` (Django's `format_html`, leaner), which escapes every value as the template language
does. Through Django's template language a row cost 150–300 µs at national scale (an
`{% include %}`, a `{% url %}` and a dozen lookups each), about a fifth of those pages' time
(bench/RESULTS.md). The table around the rows (headings, captions, counts, paging) stays in the
templates.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from html import escape as _escape
from typing import Any

from django.db import connection
from django.db.models import Field, Model
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs

_PLACEHOLDER = 2_147_483_647


def escaped(value: Any) -> str:
    """`conditional_escape(value)`, the same text: a lazy string is translated, markup already
    safe (`__html__`) kept, anything else escaped like Django's `escape` (`html.escape`).

    Django's own goes through `keep_lazy`, which looks for lazy arguments on every call: about
    twice the work, for the dozens of values a list page escapes (bench/RESULTS.md)."""
    if isinstance(value, Promise):
        value = str(value)
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return _escape(str(value))


def html(template: str, *args: Any) -> SafeString:
    """`format_html(template, *args)`: the arguments escaped (`escaped`), the template not."""
    return SafeString(template.format(*map(escaped, args)))


def html_join(separator: str, template: str, rows: Iterable[Iterable[Any]]) -> SafeString:
    """`format_html_join(separator, template, rows)`."""
    return SafeString(
        escaped(separator).join(template.format(*map(escaped, args)) for args in rows)
    )


def day(value: datetime.date | None) -> str:
    """`|date:"Y-m-d"`: a date, or the local date of an aware datetime; "" for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def minute(value: datetime.datetime | None) -> str:
    """`|date:"Y-m-d H:i"` in the active time zone; "" for None."""
    if value is None:
        return ""
    local = template_localtime(value)
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d} {local.hour:02d}:{local.minute:02d}"


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return str(field.column)


def codes_by(
    model: type[Model], key: str, code: str, owner_ids: Sequence[int]
) -> dict[int, list[str]]:
    """The `code` values of `model`'s rows whose foreign key `key` is one of `owner_ids`,
    grouped by owner, each group in code order: a list's purposes or indicators.

    One plain query written in SQL (no model instances, unlike a prefetch): it runs on every
    page of the case list and the referral inbox, and building it through the ORM took 1.1 of
    its 1.4 ms at national scale (bench/RESULTS.md)."""
    if not owner_ids:
        return {}
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    key_column, code_column = (quote(_column(model, name)) for name in (key, code))
    marks = ", ".join(["%s"] * len(owner_ids))
    grouped: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        # Table and column names from the model's metadata, quoted; the ids as parameters.
        cursor.execute(
            f"SELECT {key_column}, {code_column} FROM {table} "  # noqa: S608
            f"WHERE {key_column} IN ({marks}) ORDER BY {key_column}, {code_column}",
            [int(pk) for pk in owner_ids],
        )
        for owner, value in cursor.fetchall():
            grouped.setdefault(owner, []).append(value)
    return grouped


def url_by_id(viewname: str) -> Callable[[Any], str]:
    """`reverse(viewname, args=[pk])` for many ids at the cost of one reverse: the view's path
    has the id as its only argument, an `<int:…>`."""
    before, after = reverse(viewname, args=[_PLACEHOLDER]).split(str(_PLACEHOLDER))
    return lambda pk: f"{before}{int(pk)}{after}"
