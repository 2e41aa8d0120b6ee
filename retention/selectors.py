"""Reads of the retention app: which individuals are due for culling, and the runs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import DateField, Exists, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from casework.models import Case, Individual, JournalEntry
from retention.models import RetentionItem, RetentionRun


@dataclass(frozen=True)
class Candidate:
    """An individual all of whose cases are closed and quiet since before the cutoff."""

    individual_id: int
    reference: str
    case_numbers: tuple[str, ...]
    last_activity: date


@dataclass(frozen=True)
class Candidates:
    today: date
    cutoff: date
    years: int
    keep_birth_days: tuple[int, ...]
    cull: list[Candidate] = field(default_factory=list)
    keep: list[Candidate] = field(default_factory=list)  # born on a kept day: the research sample


def retention_cutoff(today: date, years: int) -> date:
    """`today` `years` years back (29 February becomes 28 February)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def find_candidates(
    *, today: date, years: int | None = None, keep_birth_days: tuple[int, ...] | None = None
) -> Candidates:
    """Individuals whose personal data is due for culling on `today`.

    Due: the individual has cases, every one of them closed, and the last activity in any of
    them is before the cutoff (today minus LOTSA_RETENTION_YEARS). The last activity of a case is
    its last journal entry (drafts too) or its closing date, whichever is later: closing a case
    is activity, and a case without journal entries has only its dates. Individuals already
    culled are not listed again. Those born on a day of the month in
    LOTSA_RETENTION_KEEP_BIRTH_DAYS are listed apart, as kept for research; an individual whose
    date of birth is unknown cannot belong to the sample.
    """
    years = settings.LOTSA_RETENTION_YEARS if years is None else years
    if keep_birth_days is None:
        keep_birth_days = tuple(settings.LOTSA_RETENTION_KEEP_BIRTH_DAYS)
    cutoff = retention_cutoff(today, years)
    cases = Case.objects.filter(individual=OuterRef("pk"))
    last_entry = Subquery(
        JournalEntry.objects.filter(case__individual=OuterRef("pk"))
        .order_by("-entry_date")
        .values("entry_date")[:1],
        output_field=DateField(),
    )
    last_closed = Subquery(
        cases.order_by(F("closed_on").desc(nulls_last=True)).values("closed_on")[:1],
        output_field=DateField(),
    )
    due = (
        Individual.objects.filter(Exists(cases))
        .exclude(Exists(cases.filter(closed_on__isnull=True)))
        .exclude(
            Exists(
                RetentionItem.objects.filter(
                    individual=OuterRef("pk"), decision=RetentionItem.Decision.CULLED
                )
            )
        )
        .annotate(
            last_closed=last_closed,
            last_activity=Greatest(Coalesce(last_entry, last_closed), last_closed),
        )
        .filter(last_activity__lt=cutoff)
        .order_by("last_activity", "reference")
        .values_list("pk", "reference", "date_of_birth", "last_activity")
    )
    rows = list(due)
    numbers: dict[int, list[str]] = defaultdict(list)
    for individual_id, number in (
        Case.objects.filter(individual_id__in=[row[0] for row in rows])
        .order_by("opened_on", "number")
        .values_list("individual_id", "number")
    ):
        numbers[individual_id].append(number)
    result = Candidates(
        today=today, cutoff=cutoff, years=years, keep_birth_days=tuple(keep_birth_days)
    )
    for pk, reference, born, last_activity in rows:
        candidate = Candidate(pk, reference, tuple(numbers[pk]), last_activity)
        kept = born is not None and born.day in keep_birth_days
        (result.keep if kept else result.cull).append(candidate)
    return result


def runs() -> QuerySet[RetentionRun]:
    return RetentionRun.objects.select_related("proposed_by", "confirmed_by", "cancelled_by")


def run_items(run: RetentionRun) -> QuerySet[RetentionItem]:
    return run.items.order_by("decision", "last_activity", "reference")
