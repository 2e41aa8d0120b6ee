"""The change history ("Ändringshistorik") shown on object pages: who changed what, when,
old → new, read from django-simple-history's tables.

Each page gets its history in a fixed number of queries whatever its length: one query per
history table, joined with the user who made each change and with the objects its foreign keys
point to (staff, cases, districts, ...), so naming them costs nothing more. Differences are
computed in Python between consecutive versions of the same object.

Who sees it: coordinators and managers (not outreach staff). For a protected individual the
identity fields show MASK to everyone but managers and those authorised to see the person's
identity, exactly as the page itself masks them: the history must never show what the page
hides.

This module holds the machinery and casework's own objects; outreach and reflection_period
describe theirs in their own history.py, and the data-subject export (dsar) reads all of them
through the same functions, so that a registerutdrag lists the history as the pages show it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeAlias

from django.db import models
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_countries import countries
from django_countries.fields import CountryField

from accounts.models import User
from accounts.roles import Role, has_role
from casework.models import (
    IMPORTED_CHANGE_REASON,
    Case,
    IdentityAuthorisation,
    Individual,
    JournalEntry,
    Protection,
)
from casework.personal_number import format_personal_number
from casework.selectors import MASK, identity_access
from casework.timeline import Panel

EMPTY = "–"

KIND_LABELS = {
    "+": pgettext_lazy("change history", "Created"),
    "~": pgettext_lazy("change history", "Changed"),
    "-": pgettext_lazy("change history", "Deleted"),
}

# Never shown: bookkeeping that changes with every save, or never changes after creation.
_ALWAYS_HIDDEN = frozenset({"id", "created_at", "updated_at", "created_by"})


@dataclass(frozen=True)
class Spec:
    """How one tracked model's history is shown."""

    model: type[models.Model]
    hidden: frozenset[str] = frozenset()
    # Masked (MASK) in the history where the page masks the person's identity.
    identity: frozenset[str] = frozenset()
    # Shown instead of a raw value (e.g. the personal number as 19900101-1234).
    formatters: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)


INDIVIDUAL = Spec(
    Individual,
    hidden=frozenset({"reference"}),
    identity=frozenset(
        {
            "given_name",
            "family_name",
            "date_of_birth",
            "birth_year",
            "personal_number",
            "phone",
            "notes",
            # Can name a community the person avoids: the page hides it with the identity.
            "interpreter_note",
        }
    ),
    formatters={"personal_number": format_personal_number},
)
CASE = Spec(Case, hidden=frozenset({"number", "year", "sequence", "last_activity_at"}))
JOURNAL_ENTRY = Spec(JournalEntry, hidden=frozenset({"case"}))
# The person is the page's; the authorised user names the entry (and never changes).
IDENTITY_AUTHORISATION = Spec(IdentityAuthorisation, hidden=frozenset({"individual"}))


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    """One version of one object: when, who, what (created/changed/deleted), which fields."""

    at: datetime
    who: str
    kind: str
    kind_label: str
    subject: str
    changes: list[FieldChange]
    # Sorting only: versions recorded in the same instant keep their order.
    order: tuple[datetime, int, int]
    # Written by an import of past records (importing app), not typed in Lotsa.
    imported: bool = False


def can_see_history(user: object) -> bool:
    """Coordinators and managers; outreach staff never see change histories."""
    return has_role(user, Role.COORDINATOR, Role.MANAGER)


# --- Building the entries -------------------------------------------------------------------------


@dataclass
class HistorySource:
    """The versions of one tracked model to show (oldest first), and how to name their object."""

    spec: Spec
    records: list[Any]
    subject: Callable[[Any], str]
    masked: bool = False


def _shown_fields(spec: Spec) -> list[models.Field[Any, Any]]:
    hidden = _ALWAYS_HIDDEN | spec.hidden
    history: Any = spec.model.history  # type: ignore[attr-defined]  # added by simple-history
    return [f for f in history.model.tracked_fields if f.name not in hidden]


def history_versions(spec: Spec, **lookups: Any) -> list[Any]:
    """One query: the versions of the spec's model matching `lookups`, oldest first, with the user who
    made each and the objects its shown foreign keys point to (joined, so naming them costs no
    further query)."""
    history: Any = spec.model.history  # type: ignore[attr-defined]  # added by simple-history
    related = [f.name for f in _shown_fields(spec) if f.is_relation]
    joins = ["history_user", *related]
    if "corrects" in related:
        joins.append("corrects__case")  # a journal entry is named by its case and date
    return list(
        history.filter(**lookups).select_related(*joins).order_by("history_date", "history_id")
    )


def _raw(record: Any, model_field: models.Field[Any, Any]) -> Any:
    """The stored value without touching the database (a foreign key's id, a country code)."""
    return record.__dict__.get(model_field.attname)


_Change: TypeAlias = "tuple[models.Field[Any, Any], str, str]"


def _changes(source: HistorySource) -> Iterable[tuple[Any, list[_Change]]]:
    """Each version worth showing, with its changed fields (old, new, as shown) against the
    previous version of the same object. Identity fields come out as MASK where masked."""
    fields = _shown_fields(source.spec)
    identity = source.spec.identity if source.masked else frozenset()
    previous: dict[Any, Any] = {}
    for record in source.records:
        before = previous.get(record.id)
        previous[record.id] = record
        if record.history_type != "~":
            yield record, []
            continue
        if before is None:
            continue  # history began after the object was made: nothing to compare with
        changed: list[_Change] = []
        for model_field in fields:
            old, new = _raw(before, model_field), _raw(record, model_field)
            if old == new or (old in (None, "") and new in (None, "")):
                continue
            if model_field.name in identity:
                changed.append((model_field, MASK, MASK))
            else:
                changed.append(
                    (
                        model_field,
                        _display(source.spec, model_field, before),
                        _display(source.spec, model_field, record),
                    )
                )
        if changed:  # a save that changed nothing shown (a version counter) is not listed
            yield record, changed


def build_history(sources: Iterable[HistorySource]) -> list[HistoryEntry]:
    """The entries of several objects' histories, newest first (the order of `sources` breaks
    ties between versions saved at the same moment)."""
    entries = [
        HistoryEntry(
            at=record.history_date,
            who=str(record.history_user) if record.history_user else _("Lotsa (automatic)"),
            kind=record.history_type,
            kind_label=str(KIND_LABELS.get(record.history_type, record.history_type)),
            subject=source.subject(record),
            changes=[
                FieldChange(label=capfirst(str(model_field.verbose_name)), old=old, new=new)
                for model_field, old, new in changed
            ],
            order=(record.history_date, position, record.history_id),
            imported=record.history_change_reason == IMPORTED_CHANGE_REASON,
        )
        for position, source in enumerate(sources)
        for record, changed in _changes(source)
    ]
    return sorted(entries, key=lambda entry: entry.order, reverse=True)


def _display(spec: Spec, model_field: models.Field[Any, Any], record: Any) -> str:
    """A field's value in a version, as a person reads it (labels, names, Swedish dates)."""
    value = _raw(record, model_field)
    if value is None or value == "":
        return EMPTY
    formatter = spec.formatters.get(model_field.name)
    if formatter is not None:
        return formatter(value)
    if model_field.is_relation:
        # Joined by history_versions(); None when the object no longer exists.
        related = getattr(record, model_field.name, None)
        return str(related) if related is not None else f"#{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, CountryField):
        return str(dict(countries).get(value, value))
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- One page each --------------------------------------------------------------------------------


def named(label: str) -> Callable[[Any], str]:
    return lambda record: label


def case_history(case: Case, user: User) -> list[HistoryEntry] | None:
    """The case page: the case and its journal entries (also deleted drafts). Two queries."""
    if not can_see_history(user):
        return None
    return build_history(
        [
            HistorySource(CASE, history_versions(CASE, id=case.pk), named(_("The case"))),
            HistorySource(
                JOURNAL_ENTRY,
                history_versions(JOURNAL_ENTRY, case_id=case.pk),
                lambda record: (
                    _("Journal entry of %(date)s") % {"date": record.entry_date.isoformat()}
                ),
            ),
        ]
    )


def individual_history(individual: Individual, user: User) -> list[HistoryEntry] | None:
    """The individual page: the person, and every authorisation to see their protected
    identity (granted, revoked). Identity fields are masked for users who may not see a
    protected identity; a person who was protected at any time has their earlier identity
    masked too, for everyone without an authorisation. Three queries: the two histories, and
    the user's authorisations (unless the user is a manager)."""
    if not can_see_history(user):
        return None
    records = history_versions(INDIVIDUAL, id=individual.pk)
    ever_protected = individual.protection != Protection.NONE or any(
        record.protection != Protection.NONE for record in records
    )
    masked = ever_protected and not identity_access(user).authorised(individual.pk)
    return build_history(
        [
            HistorySource(INDIVIDUAL, records, named(_("The individual")), masked=masked),
            HistorySource(
                IDENTITY_AUTHORISATION,
                history_versions(IDENTITY_AUTHORISATION, individual_id=individual.pk),
                lambda record: (
                    _("Authorisation to see the protected identity: %(user)s")
                    % {"user": record.user}
                ),
            ),
        ]
    )


# --- The case page's panel --------------------------------------------------------------------------


def case_history_panel(case: Case, user: User) -> Panel | None:
    """The case page shows the history's heading only; opening it loads the entries
    (casework.views.case_history), so a case page never reads its versions itself. Shown after
    the panels other apps register (casework.views.case_detail)."""
    if not can_see_history(user):
        return None
    return Panel(
        template="casework/_history_panel.html",
        context={"url": reverse("casework:case_history", args=[case.pk])},
    )
