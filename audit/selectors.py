"""Reads of the access log for the managers' log review ("Logguppföljning").

A row is flagged when it concerns an individual and the reader was not a responsible
coordinator of any of that individual's cases at the time of the read. The flag is decided when
the row is written and stored with it (accounts.audit); rows written before that were given
theirs from the cases' change history as it stood at each read (migration audit 0002).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from accounts.access_names import OBJECT_TYPES, page_label
from accounts.models import AccessLogEntry, User
from casework.models import Case, Individual


def access_log_queryset() -> QuerySet[AccessLogEntry]:
    """Every row, newest first, with the reader and the individual's reference."""
    return (
        AccessLogEntry.objects.select_related("user")
        .annotate(
            individual_reference=Subquery(
                Individual.objects.filter(pk=OuterRef("individual_id")).values("reference")[:1]
            ),
        )
        .order_by("-at", "-pk")
    )


def log_users() -> QuerySet[User]:
    """Everyone who can appear in the log: all staff, also those no longer active."""
    return User.objects.order_by("first_name", "last_name", "username")


def individual_by_reference(reference: str) -> Individual | None:
    return Individual.objects.filter(reference=reference).only("pk", "reference").first()


# --- Rows as the page and the CSV show them ---------------------------------------------------------


@dataclass(frozen=True)
class LogRow:
    entry: AccessLogEntry
    what: str
    page: str

    @property
    def at(self) -> datetime:
        return self.entry.at

    @property
    def flagged(self) -> bool:
        return self.entry.flagged

    @property
    def individual_reference(self) -> str:
        return getattr(self.entry, "individual_reference", None) or ""


def log_rows(entries: Iterable[AccessLogEntry]) -> list[LogRow]:
    """Name each row's object and page; one query for the case numbers of case rows."""
    entries = list(entries)
    case_ids = {
        int(e.object_id)
        for e in entries
        if e.object_type == "casework.case" and e.object_id.isdigit()
    }
    numbers: dict[int, str] = (
        dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "number")) if case_ids else {}
    )
    return [LogRow(entry=e, what=_what(e, numbers), page=page_label(e.view_name)) for e in entries]


def _what(entry: AccessLogEntry, case_numbers: dict[int, str]) -> str:
    kind = str(OBJECT_TYPES.get(entry.object_type, entry.object_type))
    if entry.object_type == "casework.case" and entry.object_id.isdigit():
        number = case_numbers.get(int(entry.object_id))
        if number:
            return f"{kind} {number}"
    if entry.object_type == "casework.individual":
        return kind  # the individual's reference has its own column
    return f"{kind} #{entry.object_id}" if entry.object_id else kind


def batched(entries: Iterable[AccessLogEntry], size: int) -> Iterable[Sequence[AccessLogEntry]]:
    batch: list[AccessLogEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
