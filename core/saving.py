"""Validating a model and saving it, with the database checking what it enforces itself.

Django's `full_clean()` asks the database about every unique and check constraint of the model
before the save, one query each, and inside a transaction each in a savepoint of its own (three
queries per constraint); the save then has the database enforce the same constraints again. A
case opened with a new person and one support measure cost about 25 such checks, a
reflection-period application about 40 per recorded step: most of the time of an import of past
records (bench/RESULTS.md, "Import of past records").

`save_validated` keeps the outcome of `full_clean()` followed by `save()` and drops the checks
that the save repeats:

1. The field validators and `clean()` run first, as always (the database does not know them:
   plausible dates, personal numbers, lengths of free text, existing foreign keys, ...). When
   they fail, the whole validation runs and its errors are raised: the same ValidationError,
   with the same messages, that `full_clean()` raises.
2. The save runs in a savepoint, where the database enforces every unique and check constraint
   (none of Lotsa's is deferred). When it refuses the row, the savepoint is rolled back and the
   whole validation runs again: the ValidationError it raises names the violated constraints
   with their Swedish messages, exactly as `full_clean()` would have before the save. If it
   finds nothing (a concurrent writer won a race that the validation no longer sees), the
   IntegrityError goes on, as casework's `_save_unique` does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def validate_fields(
    obj: models.Model,
    *,
    exclude: Collection[str] | None = None,
    validate: Callable[[], None] | None = None,
) -> None:
    """`obj`'s field validators and `clean()`; when they fail, the errors of the whole
    validation (`validate`, by default `full_clean(exclude=exclude)`)."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError:
        (validate or (lambda: obj.full_clean(exclude=exclude)))()
        raise


def save_validated(
    obj: models.Model,
    *,
    exclude: Collection[str] | None = None,
    validate: Callable[[], None] | None = None,
    fields_checked: bool = False,
    **save_kwargs: Any,
) -> None:
    """Validate and save `obj` as `validate()` (by default `full_clean(exclude=exclude)`) and
    `save(**save_kwargs)` would, leaving the constraints to the database (module docstring).
    `fields_checked`: the caller ran `validate_fields` already (before handing out a number)."""
    whole = validate or (lambda: obj.full_clean(exclude=exclude))
    if not fields_checked:
        validate_fields(obj, exclude=exclude, validate=whole)
    try:
        with transaction.atomic():
            obj.save(**save_kwargs)
    except IntegrityError:
        whole()
        raise
