"""The annual statistics, cached until any data they are computed from changes.

Computing a year's figures reads every application, case, contact and referral of the year
(about 20 aggregate queries; bench/RESULTS.md has the cost at national scale). The figures are
cached per (year, as-of date) under a generation (core/generation_cache.py): saving or
deleting any row the statistics read (the models of `watched_models`) retires every figure
cached before, whichever year it was for. The national figures (national.selectors) are
cached under the same generation, which for them also watches the cases' purposes and the
relations between persons (NationalConfig.ready).

Not seen: changes that bypass the ORM's signals (raw SQL, QuerySet.update() and bulk_create()
on these models, a restored backup). Lotsa's own code does not change statistics data that way
(the purposes of an application are bulk-created together with a save of the application);
after changing data by hand, clear the cache (`python manage.py shell -c "from reporting.cache
import invalidate; invalidate()"`) or wait LOTSA_REPORT_CACHE_SECONDS.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from accounts.models import User
from casework.models import Case, Individual, SupportMeasure
from core.generation_cache import GenerationCache
from outreach.models import OutreachContact, Referral
from reflection_period.models import ApplicationPurpose, ReflectionPeriodApplication
from reporting.models import ReportNarrative, Training

T = TypeVar("T")

STATISTICS = GenerationCache(
    "reporting:statistics",
    cache_setting="LOTSA_REPORT_CACHE",
    seconds_setting="LOTSA_REPORT_CACHE_SECONDS",
)


def invalidate() -> None:
    """Retire every cached figure (a new generation token)."""
    STATISTICS.invalidate()
    for kind in OVERVIEW.values():
        kind.invalidate()


# Part of every key: a new version of the figures' classes never reads a value cached by the
# one before (it would lack the new fields).
FORMAT = 2


def cached_statistics(year: int | str, as_of: date, compute: Callable[[], T]) -> T:
    """The figures for (year, as_of) from the cache, or `compute()`d and cached."""
    return STATISTICS.cached(f"v{FORMAT}:{year}:{as_of.isoformat()}", compute)


# The manager's start page: the year so far, one card per kind of data, each cached under a
# generation that only the models it reads retire (reporting.selectors.year_overview). Lotsa's
# own code writes these models through the ORM; a case's last activity is stamped with
# QuerySet.update(), which no card reads.
OVERVIEW: dict[str, GenerationCache] = {
    card: GenerationCache(
        f"reporting:overview-{card}",
        cache_setting="LOTSA_REPORT_CACHE",
        seconds_setting="LOTSA_REPORT_CACHE_SECONDS",
    )
    for card in ("applications", "cases", "outreach")
}


def overview_models() -> dict[str, list[Any]]:
    """The models each of the start page's cards reads."""
    return {
        "applications": [ReflectionPeriodApplication],
        "cases": [Case, Individual],
        "outreach": [OutreachContact, Referral],
    }


def cached_overview(card: str, year: int, as_of: date, compute: Callable[[], T]) -> T:
    """One card of the start page for (year, as_of), from the cache or `compute()`d and
    cached."""
    return OVERVIEW[card].cached(f"v1:{year}:{as_of.isoformat()}", compute)


def watched_models() -> list[Any]:
    """Every model whose rows the annual statistics read."""
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
    # Roles (outreach staff are counted) and the staff present at a contact.
    STATISTICS.watch(
        watched_models(), m2m_through=[User.groups.through, OutreachContact.staff.through]
    )
    for card, models in overview_models().items():
        OVERVIEW[card].watch(models)
