"""The case timeline: one list, newest first, of everything that happened in a case.

Each app contributes its own items by registering a provider in its AppConfig.ready(), so
casework never imports the apps that build on it (reflection_period, outreach).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any, TypeVar

from django.db import connection
from django.db.models import ForeignKey, Model, QuerySet
from django.utils import timezone

from accounts.models import User
from casework.models import Case, CaseOrganisation, Consent, JournalEntry, SupportMeasure

# The case page shows the newest items; the rest is one click away ("?timeline=all"). A case
# can hold hundreds of journal entries, and rendering them all is slow (bench/RESULTS.md).
TIMELINE_LENGTH = 50

_M = TypeVar("_M", bound=Model)


@dataclass(frozen=True)
class TimelineItem:
    """One line of the timeline, rendered by `template` with `context`."""

    on: date
    recorded_at: datetime
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def sort_key(self) -> tuple[date, datetime]:
        return (self.on, self.recorded_at)


@dataclass(frozen=True)
class Timeline:
    items: list[TimelineItem]
    complete: bool  # False: older items exist and were left out


# A provider yields the case's items for the user; given a number, at most that many of its
# newest (by `on`, then `recorded_at`), each in a fixed number of queries.
Provider = Callable[[Case, User, int | None], Iterable[TimelineItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (usable as a decorator). Each provider runs a fixed number of queries."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


# Most cases have no support measures, organisations, consents, referrals or reflection-period
# applications, and each provider or panel that finds nothing still cost a query
# (bench/RESULTS.md). A kind of rows is registered here as (model, the field that points to the
# case), and asked about with `has_rows`: one query per case page answers for every registered
# kind at once. A provider registered with the rows it shows (`register_if_present`) runs only
# when the case has some.
Presence = tuple[type[Model], str]
_presence_checks: dict[Presence, str] = {}  # each check and its `EXISTS (…)`, built once
_presence: dict[Provider, Presence] = {}


def register_presence(model: type[Model], case_field: str) -> Presence:
    """Make `has_rows(case, (model, case_field))` part of the case page's presence query.
    A field that is not a foreign key fails here, at start-up, not on a case page."""
    check = (model, case_field)
    field = model._meta.get_field(case_field)
    if not isinstance(field, ForeignKey):
        raise TypeError(f"{model.__name__}.{case_field} is not a foreign key to the case")
    quote = connection.ops.quote_name
    # Names from the model's _meta, quoted; the case's id is a parameter.
    _presence_checks[check] = (
        f"EXISTS (SELECT 1 FROM {quote(model._meta.db_table)} WHERE {quote(field.column)} = %s)"  # noqa: S608
    )
    return check


def has_rows(case: Case, check: Presence) -> bool:
    """Whether any row of the model points to the case (rows the model's default manager
    would leave out count too: a yes only means that the provider runs). The first question
    for a case asks for every registered kind in one query; the answers are kept on the case
    object (one request)."""
    if check not in _presence_checks:
        return True
    found: dict[Presence, bool] | None = case.__dict__.get("_presence")
    if found is None:
        found = _presence_query(case)
        case.__dict__["_presence"] = found
    return found.get(check, True)


def _presence_query(case: Case) -> dict[Presence, bool]:
    """`SELECT EXISTS (…), EXISTS (…), …` written out: built through the ORM (annotations of
    `Exists`), the query cost a good part of a typical case page's Python (bench/RESULTS.md)."""
    checks = list(_presence_checks.items())
    if len(checks) < 2:  # one check would cost the query it saves
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(sql for _c, sql in checks), [case.pk] * len(checks))
        row = cursor.fetchone()
    return {check: bool(present) for (check, _s), present in zip(checks, row, strict=True)}


def register_if_present(model: type[Model], case_field: str) -> Callable[[Provider], Provider]:
    """Add a provider (as a decorator) that runs only when a row of `model` points to the case
    through `case_field`."""

    def add(provider: Provider) -> Provider:
        _presence[provider] = register_presence(model, case_field)
        return register(provider)

    return add


def newest(rows: QuerySet[_M], limit: int | None, *ordering: str) -> QuerySet[_M]:
    """`rows` newest first by `ordering` (descending), at most `limit` of them."""
    rows = rows.order_by(*(f"-{name}" for name in ordering))
    return rows if limit is None else rows[:limit]


def case_timeline(case: Case, user: User, *, limit: int | None = TIMELINE_LENGTH) -> Timeline:
    """The newest `limit` items of the case, newest first (all of them with `limit=None`).

    Each provider gives at most limit + 1 of its own newest items; their union then holds the
    whole timeline's newest limit + 1, which also tells whether anything was left out.
    """
    fetch = None if limit is None else limit + 1
    items = [
        item
        for provider in _providers
        if provider not in _presence or has_rows(case, _presence[provider])
        for item in provider(case, user, fetch)
    ]
    items.sort(key=lambda item: item.sort_key, reverse=True)
    if limit is None or len(items) <= limit:
        return Timeline(items=items, complete=True)
    return Timeline(items=items[:limit], complete=False)


def start_of(day: date) -> datetime:
    """An aware datetime for a date-only item, so it sorts among the timed ones."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Casework's own items -------------------------------------------------------------------------


# What a journal entry on the timeline shows (casework/timeline/_journal.html): a case page
# holds up to 51 of them, and reading every column of each, of its author, its signer and the
# entry it corrects was a noticeable part of a typical page's Python (bench/RESULTS.md).
_JOURNAL_FIELDS = (
    *("case", "entry_date", "kind", "text", "author", "corrects", "signed_at", "created_at"),
    *("author__first_name", "author__last_name", "author__username", "corrects__entry_date"),
)


@register
def _journal_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    entries = list(
        newest(
            case.journal_entries.select_related("author", "corrects").only(*_JOURNAL_FIELDS),
            limit,
            "entry_date",
            "created_at",
        )
    )
    shown = {entry.pk for entry in entries}
    # Corrections of the entries shown, wherever they are in the journal: one query, unless
    # the whole journal is here (fewer entries than asked for), corrections included.
    corrected_by: dict[int, list[Any]] = {}
    if limit is None or len(entries) < limit:
        corrections: Iterable[JournalEntry] = sorted(
            (entry for entry in entries if entry.corrects_id in shown),
            key=lambda entry: (entry.entry_date, entry.created_at),
        )
    elif shown:
        corrections = JournalEntry.objects.filter(corrects__in=shown).order_by(
            "entry_date", "created_at"
        )
    else:
        corrections = []
    for correction in corrections:
        corrected_by.setdefault(correction.corrects_id or 0, []).append(correction)
    for entry in entries:
        yield TimelineItem(
            on=entry.entry_date,
            recorded_at=entry.created_at,
            template="casework/timeline/_journal.html",
            context={
                "entry": entry,
                "corrections": corrected_by.get(entry.pk, []),
                "is_author": entry.author_id == user.pk,
                # Links to entries not on this page go to the whole timeline.
                "shown": shown,
            },
        )


@register_if_present(SupportMeasure, "case")
def _support_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    measures = case.support_measures.select_related("organisation", "created_by")
    for measure in newest(measures, limit, "started_on", "created_at"):
        yield TimelineItem(
            on=measure.started_on,
            recorded_at=measure.created_at,
            template="casework/timeline/_support.html",
            context={"measure": measure},
        )


@register_if_present(CaseOrganisation, "case")
def _organisation_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    links = case.organisation_links.select_related("organisation")
    for link in newest(links, limit, "linked_on", "created_at"):
        yield TimelineItem(
            on=link.linked_on,
            recorded_at=link.created_at,
            template="casework/timeline/_organisation.html",
            context={"link": link},
        )


@register_if_present(Consent, "case")
def _consent_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    consents = case.consents.select_related("organisation")
    for consent in newest(consents, limit, "given_on", "created_at"):
        yield TimelineItem(
            on=consent.given_on,
            recorded_at=consent.created_at,
            template="casework/timeline/_consent.html",
            context={"consent": consent},
        )


@register
def _event_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    for event in newest(
        case.events.select_related("by", "from_coordinator", "to_coordinator"), limit, "on", "at"
    ):
        yield TimelineItem(
            on=event.on,
            recorded_at=event.at,
            template="casework/timeline/_event.html",
            context={"event": event},
        )


# --- Panels beside the timeline (deadlines, reflection period, ...) --------------------------------


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PanelProvider = Callable[[Case, User], Panel | None]
_panel_providers: list[PanelProvider] = []


def register_panel(provider: PanelProvider) -> PanelProvider:
    """Add a panel to the case page (usable as a decorator); apps register in ready()."""
    if provider not in _panel_providers:
        _panel_providers.append(provider)
    return provider


def case_panels(case: Case, user: User) -> list[Panel]:
    panels = (provider(case, user) for provider in _panel_providers)
    return [panel for panel in panels if panel is not None]
