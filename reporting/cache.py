"""The annual statistics, cached until any data they are computed from changes.

Computing a year's figures reads every application, case, contact and referral of the year
(about 20 aggregate queries; a few hundred milliseconds at national scale). The figures are
cached per (year, as-of date) under a *generation*: a random token in the cache. Saving or
deleting any row the statistics read (the models in WATCHED, through the ORM: forms, services,
the admin) replaces the token at once and again when the transaction commits, so every figure
cached before is never read again, whichever year it was for. A figure computed while another
transaction is committing is stored under the token it started with, which that commit then
retires: no stale figure outlives a write.

Not seen: changes that bypass the ORM's signals (raw SQL, QuerySet.update() and bulk_create()
on these models, a restored backup). Lotsa's own code does not change statistics data that way
(the purposes of an application are bulk-created together with a save of the application);
after changing data by hand, clear the cache (`python manage.py shell -c "from reporting.cache
import invalidate; invalidate()"`) or wait LOTSA_REPORT_CACHE_SECONDS.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

T = TypeVar("T")

GENERATION_KEY = "reporting:statistics:generation"


def _cache() -> Any:
    return caches[settings.LOTSA_REPORT_CACHE]


def _generation() -> str:
    token: str | None = _cache().get(GENERATION_KEY)
    if token is None:
        _cache().add(GENERATION_KEY, uuid.uuid4().hex, None)
        token = _cache().get(GENERATION_KEY) or "none"
    return token


def invalidate() -> None:
    """Retire every cached figure (a new generation token)."""
    _cache().set(GENERATION_KEY, uuid.uuid4().hex, None)


# Saves that change nothing the statistics read: a sign-in stamps the user's last_login.
IGNORED_UPDATES = frozenset({"last_login"})


def _changed(**kwargs: Any) -> None:
    update_fields = kwargs.get("update_fields")
    if update_fields and IGNORED_UPDATES.issuperset(update_fields):
        return
    invalidate()
    transaction.on_commit(invalidate, robust=True)


def cached_statistics(year: int, as_of: date, compute: Callable[[], T]) -> T:
    """The figures for (year, as_of) from the cache, or `compute()`d and cached."""
    seconds = settings.LOTSA_REPORT_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    key = f"reporting:statistics:{_generation()}:{year}:{as_of.isoformat()}"
    found: T | None = _cache().get(key)
    if found is not None:
        return found
    value = compute()
    _cache().set(key, value, seconds)
    return value


def watched_models() -> list[Any]:
    """Every model whose rows the annual statistics read."""
    from accounts.models import User
    from casework.models import Case, Individual, SupportMeasure
    from outreach.models import OutreachContact, Referral
    from reflection_period.models import ApplicationPurpose, ReflectionPeriodApplication
    from reporting.models import ReportNarrative, Training

    return [
        User,
        Case,
        Individual,
        SupportMeasure,
        OutreachContact,
        Referral,
        ReflectionPeriodApplication,
        ApplicationPurpose,
        ReportNarrative,
        Training,
    ]


def connect() -> None:
    """Called from ReportingConfig.ready()."""
    from accounts.models import User
    from outreach.models import OutreachContact

    for model in watched_models():
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"report-cache-save-{model.__name__}"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"report-cache-delete-{model.__name__}"
        )
    # Roles (outreach staff are counted) and the staff present at a contact.
    for through in (User.groups.through, OutreachContact.staff.through):
        m2m_changed.connect(_changed, sender=through, dispatch_uid=f"report-cache-m2m-{through}")
