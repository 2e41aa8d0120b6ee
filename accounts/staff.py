"""Loading the staff members that rows point to: one query for all of them, not one join each.

A referral names up to five staff members (the coordinator it is addressed to, who referred,
accepted, declined or withdrew it). With `select_related` each is a LEFT JOIN to the user
table, and PostgreSQL spent far longer *planning* the referral inbox's 12-table query than
running it (bench/RESULTS.md). Staff are few, so their rows are read once, by primary key,
after the page's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Self, TypeVar

from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable

from accounts.models import User

_M = TypeVar("_M", bound=Model)


def attach_staff(objects: Sequence[Model], fields: Iterable[str]) -> None:
    """Fill the user foreign keys `fields` ("accepted_by", …) of `objects` from one query, so
    that reading them later costs none."""
    targets: list[tuple[Any, Any]] = []  # (object, its foreign key field)
    for name in fields:
        targets += [(obj, obj._meta.get_field(name)) for obj in objects]
    ids = {getattr(obj, field.attname) for obj, field in targets} - {None}
    users = User.objects.in_bulk(ids) if ids else {}
    for obj, field in targets:
        if not field.is_cached(obj):
            field.set_cached_value(obj, users.get(getattr(obj, field.attname)))


class StaffQuerySet(QuerySet[_M]):
    """A queryset whose `with_staff(*fields)` loads those user foreign keys in one query when
    the rows are fetched (pages, `get()`, slices; not `iterator()`)."""

    _staff_fields: tuple[str, ...] = ()

    def with_staff(self, *fields: str) -> Self:
        clone = self.all()
        clone._staff_fields = (*self._staff_fields, *fields)
        return clone

    def _clone(self) -> Self:
        # QuerySet._clone (private, not in the type stubs) copies only Django's own attributes.
        clone: Self = super()._clone()  # type: ignore[misc]
        clone._staff_fields = self._staff_fields
        return clone

    def _fetch_all(self) -> None:
        fetched = self._result_cache is not None
        super()._fetch_all()
        if not fetched and self._staff_fields and self._iterable_class is ModelIterable:
            attach_staff(self._result_cache or [], self._staff_fields)
