"""Reads of the access log for the managers' log review ("Logguppföljning").

A row is flagged when it concerns an individual and the reader was not a responsible
coordinator of any of that individual's cases at the time of the read. The flag is decided when
the row is written and stored with it (accounts.audit); rows written before that were given
theirs from the cases' change history as it stood at each read (migration audit 0002).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import models
from django.db.models import Count, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.translation import gettext_lazy as _

from accounts.access_names import OBJECT_TYPES, page_label
from accounts.models import AccessLogEntry, User
from casework.models import Case, Individual


def access_log_queryset() -> QuerySet[AccessLogEntry]:
    """Every row, newest first (the filters narrow it; `with_names` adds what the page shows)."""
    return AccessLogEntry.objects.order_by("-at", "-pk")


# The reference of the individual a row concerns (the log keeps the id, not a foreign key).
_REFERENCE = Subquery(
    Individual.objects.filter(pk=OuterRef("individual_id")).values("reference")[:1]
)


def with_names(entries: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
    """The reader and the individual's reference with each row."""
    return entries.select_related("user").annotate(individual_reference=_REFERENCE)


def with_references(entries: Sequence[AccessLogEntry]) -> None:
    """The individuals' references for rows read without `with_names`: one query."""
    ids = {e.individual_id for e in entries if e.individual_id is not None}
    references = dict(
        Individual.objects.filter(pk__in=ids).values_list("pk", "reference") if ids else []
    )
    for entry in entries:
        entry.individual_reference = references.get(entry.individual_id or 0, "")  # type: ignore[attr-defined]


# --- Counting and paging at ten million rows ------------------------------------------------------

# Counted up to this many; beyond it the page says "more than 10,000" (a count of millions of
# rows would read them all, on every page).
COUNT_LIMIT = 10_000


def capped_count(entries: QuerySet[AccessLogEntry]) -> int:
    """How many rows match, up to COUNT_LIMIT + 1 (reads at most that many index entries)."""
    return entries.order_by()[: COUNT_LIMIT + 1].count()


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """A place in the log, newest first: a row's time and id ("next"/"previous" paging by key,
    not by OFFSET, so page 1000 costs what page 1 costs). In the URL as `<microseconds>.<id>`."""

    at: datetime
    pk: int

    @classmethod
    def of(cls, entry: AccessLogEntry) -> Cursor:
        return cls(entry.at, entry.pk)

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        micros, _dot, pk = text.partition(".")
        if not (micros.isdigit() and pk.isdigit()) or len(micros) > 18 or len(pk) > 18:
            return None
        try:
            return cls(_EPOCH + timedelta(microseconds=int(micros)), int(pk))
        except OverflowError:
            return None

    def __str__(self) -> str:
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}.{self.pk}"


def older_than(entries: QuerySet[AccessLogEntry], cursor: Cursor) -> QuerySet[AccessLogEntry]:
    # `at <= cursor` bounds the index scan; the rest only sorts out rows of the same instant.
    return entries.filter(
        Q(at__lt=cursor.at) | Q(at=cursor.at, pk__lt=cursor.pk), at__lte=cursor.at
    )


def newer_than(entries: QuerySet[AccessLogEntry], cursor: Cursor) -> QuerySet[AccessLogEntry]:
    return entries.filter(
        Q(at__gt=cursor.at) | Q(at=cursor.at, pk__gt=cursor.pk), at__gte=cursor.at
    )


@dataclass(frozen=True)
class LogPage:
    lines: list[LogLine]
    older: Cursor | None  # where the next (older) page starts, if there is one
    newer: Cursor | None  # where the previous (newer) page ends, if there is one


# The most rows one page groups into lines: 25 lines of about 15 (a start page) to 50 rows (a
# list page). A page shows fewer lines when they hold more rows; the next page goes on.
ROWS_PER_PAGE = 1000


def log_page(
    entries: QuerySet[AccessLogEntry],
    *,
    before: Cursor | None,
    after: Cursor | None,
    lines: int,
    group_lists: bool = True,
) -> LogPage:
    """Up to `lines` lines, newest first, older than `before` or newer than `after`: a single
    read each, or, with `group_lists`, one page view of a list (its rows together). The
    database groups the rows (about ROWS_PER_PAGE of them at most); only the lines come back."""
    if after is not None:
        shown, more = _lines(newer_than(entries, after), lines, group_lists, newest_first=False)
        shown.reverse()
        return LogPage(
            lines=shown,
            older=shown[-1].oldest if shown else None,
            newer=shown[0].newest if shown and more else None,
        )
    scoped = older_than(entries, before) if before is not None else entries
    shown, more = _lines(scoped, lines, group_lists, newest_first=True)
    return LogPage(
        lines=shown,
        older=shown[-1].oldest if shown and more else None,
        newer=shown[0].newest if shown and before is not None else None,
    )


# What the rows of one line share; a list's rows of one page view share all of it.
_LINE_KEY = ("at", "user_id", "view_name", "action", "object_type", "listed")


def _lines(
    entries: QuerySet[AccessLogEntry], lines: int, group_lists: bool, *, newest_first: bool
) -> tuple[list[LogLine], bool]:
    """The first `lines` lines in order, and whether more rows follow them.

    The rows grouped are those before the time of the ROWS_PER_PAGE + 1st row (one index
    scan finds it): a page view's rows share their time, so none is cut in two. When that
    many rows share the first time (an export's rows), they alone are the window."""
    edge = list(
        entries.order_by("-at" if newest_first else "at").values_list("at", flat=True)[
            ROWS_PER_PAGE : ROWS_PER_PAGE + 1
        ]
    )
    if not edge:
        window = entries
    elif newest_first:
        window = entries.filter(at__gt=edge[0])
    else:
        window = entries.filter(at__lt=edge[0])
    groups = _groups(window, lines, group_lists, newest_first=newest_first)
    more = bool(edge) or len(groups) > lines
    if not groups and edge:
        groups = _groups(entries.filter(at=edge[0]), lines, group_lists, newest_first=newest_first)
        beyond = entries.filter(at__lt=edge[0]) if newest_first else entries.filter(at__gt=edge[0])
        more = len(groups) > lines or beyond.exists()
    return _named_lines(entries, groups[:lines], group_lists), more


def _groups(
    window: QuerySet[AccessLogEntry], lines: int, group_lists: bool, *, newest_first: bool
) -> list[dict[str, Any]]:
    """The window's first `lines` + 1 lines, in order: what each line's rows share, how many
    they are, the newest and oldest row's id, and how many are flagged."""
    # A list read's rows of one page view are one line (grouped by what they share); every
    # other row is a line of its own (grouped by its id).
    line = (
        models.Case(
            models.When(listed=True, then=Value(0)),
            default=F("pk"),
            output_field=models.BigIntegerField(),
        )
        if group_lists
        else F("pk")
    )
    order = ("-at", "-newest_id") if newest_first else ("at", "oldest_id")
    return list(
        window.annotate(line=line)
        .values(*_LINE_KEY, "line")
        .annotate(
            rows=Count("pk"),
            newest_id=Max("pk"),
            oldest_id=Min("pk"),
            flagged_rows=Count("pk", filter=Q(flagged=True)),
        )
        .order_by(*order)[: lines + 1]
    )


def _named_lines(
    entries: QuerySet[AccessLogEntry], groups: list[dict[str, Any]], group_lists: bool
) -> list[LogLine]:
    """The lines with their newest row (reader, object and page named) and the individuals a
    list line showed: at most four queries, whatever the number of rows."""
    if not groups:
        return []
    heads = with_names(AccessLogEntry.objects.filter(pk__in=[g["newest_id"] for g in groups]))
    first = {row.entry.pk: row for row in log_rows(heads)}
    lists = [g for g in groups if g["listed"]] if group_lists else []
    shown = _individuals_shown(entries, lists)
    lines = []
    for group in groups:
        key = (group["user_id"], group["at"])
        references, flagged_references = shown.get(key, ([], []))
        lines.append(
            LogLine(
                first=first[group["newest_id"]],
                grouped=group_lists and group["listed"],
                count=group["rows"],
                flagged=group["flagged_rows"] > 0,
                newest=Cursor(group["at"], group["newest_id"]),
                oldest=Cursor(group["at"], group["oldest_id"]),
                references=references,
                flagged_references=flagged_references,
            )
        )
    return lines


def _individuals_shown(
    entries: QuerySet[AccessLogEntry],
    lists: list[dict[str, Any]],
) -> dict[tuple[int, datetime], tuple[list[str], list[str]]]:
    """For each page view of a list, (its reader, its time): the references of the individuals
    its rows concern (those the filters select: with "only flagged", the flagged ones), and of
    those read flagged."""
    if not lists:
        return {}
    page_views = {(group["user_id"], group["at"]) for group in lists}
    # By reader and by time (the index on (user, at)); a row of another page view that shares
    # one of them is left out below.
    rows = (
        entries.filter(
            user_id__in={user_id for user_id, _at in page_views},
            at__in={at for _user_id, at in page_views},
            listed=True,
            individual_id__isnull=False,
        )
        .order_by()
        .annotate(reference=_REFERENCE)
        .values_list("user_id", "at", "reference", "flagged")
    )
    shown: dict[tuple[int, datetime], tuple[set[str], set[str]]] = {}
    for user_id, at, reference, flagged in rows:
        if reference and (user_id, at) in page_views:
            every, flagged_ones = shown.setdefault((user_id, at), (set(), set()))
            every.add(reference)
            if flagged:
                flagged_ones.add(reference)
    return {key: (sorted(every), sorted(flagged)) for key, (every, flagged) in shown.items()}


def page_view_key(entry: AccessLogEntry) -> str:
    """A page view in the URL (`page_view=`): the reader's id and the rows' shared time."""
    return f"{entry.user_id}-{(entry.at - _EPOCH) // timedelta(microseconds=1)}"


def parse_page_view(text: str) -> tuple[int, datetime] | None:
    user, _dash, micros = text.partition("-")
    if not (user.isdigit() and micros.isdigit()) or len(user) > 18 or len(micros) > 18:
        return None
    try:
        return int(user), _EPOCH + timedelta(microseconds=int(micros))
    except OverflowError:
        return None


def log_users() -> QuerySet[User]:
    """Everyone who can appear in the log: all staff, also those no longer active."""
    return User.objects.order_by("first_name", "last_name", "username")


def individual_by_reference(reference: str) -> Individual | None:
    return Individual.objects.filter(reference=reference).only("pk", "reference").first()


# --- Rows as the page and the CSV show them ---------------------------------------------------------


# A list line names this many of its individuals as links (a list shows 25-50): the line stays
# readable, and the page light.
REFERENCES_SHOWN = 10


@dataclass(frozen=True)
class LogLine:
    """One line of the review: a single read, or one page view of a list (same reader, page
    and time), its rows counted, with the individuals they concern."""

    first: LogRow  # the newest row: the reader, the page, the time
    grouped: bool  # a page view of a list, shown as one line
    count: int
    flagged: bool
    newest: Cursor
    oldest: Cursor
    references: list[str]  # a list line's individuals
    flagged_references: list[str]

    @property
    def listed(self) -> bool:
        return self.first.entry.listed

    @property
    def references_shown(self) -> list[str]:
        """The first REFERENCES_SHOWN of a list line's individuals; the link to the page view
        shows every row."""
        return self.references[:REFERENCES_SHOWN]

    @property
    def references_more(self) -> int:
        return max(len(self.references) - REFERENCES_SHOWN, 0)

    @property
    def page_view(self) -> str:
        return page_view_key(self.first.entry)


@dataclass(frozen=True)
class LogRow:
    entry: AccessLogEntry
    what: str
    page: str
    detail: str = ""

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
    return [
        LogRow(
            entry=e,
            what=_what(e, numbers),
            page=page_label(e.view_name),
            detail=detail_label(e.detail),
        )
        for e in entries
    ]


def _what(entry: AccessLogEntry, case_numbers: dict[int, str]) -> str:
    kind = str(OBJECT_TYPES.get(entry.object_type, entry.object_type))
    if entry.object_type == "casework.case" and entry.object_id.isdigit():
        number = case_numbers.get(int(entry.object_id))
        if number:
            return f"{kind} {number}"
    if entry.object_type == "casework.individual":
        return kind  # the individual's reference has its own column
    return f"{kind} #{entry.object_id}" if entry.object_id else kind


DETAILS = {
    "start page": _("start page"),
    "contact list": _("contact list"),
    "referral list": _("referral list"),
    "referral page": _("referral page"),
    "referral: find case": _("referral: finding the case"),
    "related person": _("related person"),
    "duplicate check": _("check for an existing individual"),
    "duplicate check, not shown": _("check for an existing individual, not shown"),
    "change history": _("change history"),
    "documents": _("documents"),
    "document details": _("document details"),
    "document preview": _("document preview"),
    "document download": _("document download"),
    "deadline board: mine": _("deadline board: mine"),
    "deadline board: unit": _("deadline board: the unit's"),
}

# The filters a list was read with (`filters: q, status`), named as the list pages name them.
FILTER_NAMES = {
    "q": _("search text"),
    "status": _("status"),
    "mine": _("only mine"),
    "coordinator": _("coordinator"),
    "category": _("category"),
    "purpose": _("purpose"),
    "year": _("year"),
    "sort": _("sort order"),
    "scope": _("scope"),
    "user": _("staff member"),
    "individual": _("individual"),
    "date_from": _("from"),
    "date_to": _("to"),
    "action": _("action"),
    "flagged": _("only flagged"),
    "kind": _("kind of read"),
}


def detail_label(detail: str) -> str:
    """A row's detail in the reader's language where the log knows its words; as written
    otherwise (numbers, file names, the roles of a role change)."""
    if detail in DETAILS:
        return str(DETAILS[detail])
    if detail.startswith("filters:"):
        names = [name.strip() for name in detail.removeprefix("filters:").split(",")]
        named = [str(FILTER_NAMES.get(name, name)) for name in names if name]
        return (
            str(_("filters: %(names)s")) % {"names": ", ".join(named)}
            if named
            else str(_("no filters"))
        )
    return detail


def batched(entries: Iterable[AccessLogEntry], size: int) -> Iterable[Sequence[AccessLogEntry]]:
    batch: list[AccessLogEntry] = []
    for entry in entries:
        batch.append(entry)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
