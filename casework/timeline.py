"""The case timeline: one list, newest first, of everything that happened in a case.

Each app contributes its own items by registering a provider in its AppConfig.ready(), so
casework never imports the apps that build on it (reflection_period, outreach).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

from accounts.models import User
from casework.models import Case


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


Provider = Callable[[Case, User], Iterable[TimelineItem]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    """Add a provider (usable as a decorator). Each provider runs a fixed number of queries."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def case_timeline(case: Case, user: User) -> list[TimelineItem]:
    items = [item for provider in _providers for item in provider(case, user)]
    return sorted(items, key=lambda item: item.sort_key, reverse=True)


def start_of(day: date) -> datetime:
    """An aware datetime for a date-only item, so it sorts among the timed ones."""
    return timezone.make_aware(datetime.combine(day, time.min))


# --- Casework's own items -------------------------------------------------------------------------


@register
def _journal_items(case: Case, user: User) -> Iterable[TimelineItem]:
    entries = case.journal_entries.select_related("author", "signed_by", "corrects").order_by(
        "entry_date", "created_at"
    )
    corrected_by: dict[int, list[Any]] = {}
    for entry in entries:
        if entry.corrects_id:
            corrected_by.setdefault(entry.corrects_id, []).append(entry)
    for entry in entries:
        yield TimelineItem(
            on=entry.entry_date,
            recorded_at=entry.created_at,
            template="casework/timeline/_journal.html",
            context={
                "entry": entry,
                "corrections": corrected_by.get(entry.pk, []),
                "is_author": entry.author_id == user.pk,
            },
        )


@register
def _support_items(case: Case, user: User) -> Iterable[TimelineItem]:
    for measure in case.support_measures.select_related("organisation"):
        yield TimelineItem(
            on=measure.started_on,
            recorded_at=measure.created_at,
            template="casework/timeline/_support.html",
            context={"measure": measure},
        )


@register
def _organisation_items(case: Case, user: User) -> Iterable[TimelineItem]:
    for link in case.organisation_links.select_related("organisation"):
        yield TimelineItem(
            on=link.linked_on,
            recorded_at=link.created_at,
            template="casework/timeline/_organisation.html",
            context={"link": link},
        )


@register
def _consent_items(case: Case, user: User) -> Iterable[TimelineItem]:
    for consent in case.consents.select_related("organisation"):
        yield TimelineItem(
            on=consent.given_on,
            recorded_at=consent.created_at,
            template="casework/timeline/_consent.html",
            context={"consent": consent},
        )


@register
def _event_items(case: Case, user: User) -> Iterable[TimelineItem]:
    for event in case.events.select_related("by"):
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
