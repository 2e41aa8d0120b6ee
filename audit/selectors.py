"""Reads of the access log for the managers' log review ("Logguppföljning").

A row is flagged when it concerns an individual and the reader was not a responsible
coordinator of any of that individual's cases at the time of the read. The flag is decided when
the row is written and stored with it (accounts.audit); rows written before that were given
theirs from the cases' change history as it stood at each read (migration audit 0002).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.access_names import OBJECT_TYPES, page_label
from accounts.models import AccessLogEntry, User
from casework.models import Case, Individual


def access_log_queryset() -> QuerySet[AccessLogEntry]:
    """Every row, newest first (the filters narrow it; `with_names` adds what the page shows)."""
    return AccessLogEntry.objects.order_by("-at", "-pk")


def with_names(entries: QuerySet[AccessLogEntry]) -> QuerySet[AccessLogEntry]:
    """The reader and the individual's reference with each row."""
    return entries.select_related("user").annotate(
        individual_reference=Subquery(
            Individual.objects.filter(pk=OuterRef("individual_id")).values("reference")[:1]
        ),
    )


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


def log_page(
    entries: QuerySet[AccessLogEntry],
    *,
    before: Cursor | None,
    after: Cursor | None,
    lines: int,
) -> LogPage:
    """Up to `lines` page views (a list's rows together, as one line), newest first, older than
    `before` or newer than `after`. One query of `lines` x 2 rows, mostly; a second one when
    long lists fill them (at most `lines` x ROWS_PER_LINE rows more)."""
    if after is not None:
        shown, more = _lines(newer_than(entries, after), ("at", "pk"), lines, newer_than)
        shown = [LogLine(rows=list(reversed(line.rows))) for line in reversed(shown)]
        return LogPage(
            lines=shown,
            older=Cursor.of(shown[-1].entries[-1]) if shown else None,
            newer=Cursor.of(shown[0].entries[0]) if shown and more else None,
        )
    scoped = older_than(entries, before) if before is not None else entries
    shown, more = _lines(scoped, ("-at", "-pk"), lines, older_than)
    return LogPage(
        lines=shown,
        older=Cursor.of(shown[-1].entries[-1]) if shown and more else None,
        newer=Cursor.of(shown[0].entries[0]) if shown and before is not None else None,
    )


def _lines(
    entries: QuerySet[AccessLogEntry],
    order: tuple[str, str],
    lines: int,
    beyond: Callable[[QuerySet[AccessLogEntry], Cursor], QuerySet[AccessLogEntry]],
) -> tuple[list[LogLine], bool]:
    """The first `lines` lines in `order`, and whether more rows follow them. Only the rows
    shown are named (`log_rows`)."""
    first = lines * 2
    batch = list(with_names(entries).order_by(*order)[: first + 1])
    more = len(batch) > first
    batch = batch[:first]
    grouped = _page_views(batch)
    if more and len(grouped) <= lines:  # long lists: read on until the lines are whole
        limit = lines * ROWS_PER_LINE
        rest = list(with_names(beyond(entries, Cursor.of(batch[-1]))).order_by(*order)[: limit + 1])
        more = len(rest) > limit
        batch += rest[:limit]
        grouped = _page_views(batch)
    if len(grouped) > lines:
        grouped, more = grouped[:lines], True
    elif more and len(grouped) > 1:
        grouped = grouped[:-1]  # the last line may go on beyond what was read
    named = iter(log_rows([entry for group in grouped for entry in group]))
    return [LogLine(rows=[next(named) for _entry in group]) for group in grouped], more


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


# The most rows one line (one page view of a list) can take on the review page; a longer list
# goes on over the next line. A start page shows about 15 cases, a list page 25-50.
ROWS_PER_LINE = 60


@dataclass(frozen=True)
class LogLine:
    """One line of the review: a single read, or one page view of a list with every row it
    wrote (same reader, page and time)."""

    rows: list[LogRow]

    @property
    def first(self) -> LogRow:
        return self.rows[0]

    @property
    def entries(self) -> list[AccessLogEntry]:
        return [row.entry for row in self.rows]

    @property
    def listed(self) -> bool:
        return self.first.entry.listed

    @property
    def flagged(self) -> bool:
        return any(row.flagged for row in self.rows)

    @property
    def flagged_references(self) -> list[str]:
        return [r.individual_reference for r in self.rows if r.flagged and r.individual_reference]

    @property
    def references(self) -> list[str]:
        return sorted({r.individual_reference for r in self.rows if r.individual_reference})

    @property
    def page_view(self) -> str:
        return page_view_key(self.first.entry)


def _page_views(entries: list[AccessLogEntry]) -> list[list[AccessLogEntry]]:
    """The rows in groups: a list's rows of one page view together (the same reader, time,
    page, action and kind of object), every other row on its own."""
    groups: list[list[AccessLogEntry]] = []
    key = None
    for entry in entries:
        this = (entry.user_id, entry.at, entry.view_name, entry.action, entry.object_type)
        if entry.listed and groups and groups[-1][0].listed and key == this:
            groups[-1].append(entry)
        else:
            groups.append([entry])
        key = this
    return groups


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
