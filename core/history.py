"""The author of a change history version (django-simple-history).

Every service that saves or deletes a tracked object names who did it (its `by`) before the
save; nothing reads the author from the request. A save without an author (a Celery task, a
migration) is recorded as Lotsa's own.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def authored_by(obj: M, by: models.Model | None) -> M:
    """Record `by` as the author of the version `obj`'s next save or delete writes."""
    obj._history_user = by  # type: ignore[attr-defined]  # simple-history reads this attribute
    return obj
