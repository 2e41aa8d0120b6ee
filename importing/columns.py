"""The columns of the import template: one row per case, with its person, purposes, support
measures and reflection-period application.

Headers and allowed values are the Swedish labels of the models' code lists (read under the
Swedish locale), so the template, its explanation sheet and the parser never drift from the
models: a new purpose or support type appears in all three at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from casework.models import (
    Category,
    ClosingReason,
    Offence,
    Origin,
    Protection,
    Purpose,
    Sex,
    SupportType,
)
from reflection_period.models import Applicant, LegalBasis, NextStep, Status

# How a cell holds a value.
TEXT, DATE, CHOICE, CHOICES, SUPPORT = "text", "date", "choice", "choices", "support"

# The decisions a row can record; "pending" is an empty cell.
DECISIONS = (Status.GRANTED, Status.REJECTED, Status.WITHDRAWN)

# A list in one cell ("Sexuella ändamål; Tiggeri"): none of the labels holds these signs.
LIST_SEPARATORS = re.compile(r"[;,\n]")


@dataclass(frozen=True)
class Column:
    """One column of the template."""

    key: str
    header: Promise
    help: Promise
    kind: str = TEXT
    required: bool = False
    choices: Callable[[], Iterable[tuple[str, Promise | str]]] | None = None
    example: str = ""
    extra: tuple[str, ...] = field(default_factory=tuple)

    def swedish_header(self) -> str:
        with translation.override("sv"):
            return str(self.header)

    def allowed(self) -> list[tuple[str, str]]:
        """(code, Swedish label) of each allowed value."""
        if self.choices is None:
            return []
        with translation.override("sv"):
            return [(code, str(label)) for code, label in self.choices()]


def _choices(choices: type[TextChoices], only: Iterable[str] | None = None) -> Callable[[], list]:
    wanted = None if only is None else {str(value) for value in only}
    return lambda: [(c, label) for c, label in choices.choices if wanted is None or c in wanted]


COLUMNS: tuple[Column, ...] = (
    Column(
        "external_reference",
        _("External reference"),
        _(
            "The row's identifier in your old records (for example the case's number there). "
            "Unique in the file. A row whose reference was imported before is not imported "
            "again."
        ),
        required=True,
        example="KAST-2024-017",
    ),
    Column(
        "personal_number",
        _("Personal identity number"),
        _("YYYYMMDD-NNNN, or a coordination number. Empty if the person has none."),
    ),
    Column("given_name", _("Given name"), _("Empty if not known.")),
    Column("family_name", _("Family name"), _("Empty if not known.")),
    Column("alias", _("Alias"), _("What the person is called in the unit's work.")),
    Column("sex", _("Sex"), _("Empty: unknown."), kind=CHOICE, choices=_choices(Sex)),
    Column(
        "date_of_birth",
        _("Date of birth"),
        _("YYYY-MM-DD. Empty if not known (taken from the personal number when given)."),
        kind=DATE,
    ),
    Column(
        "birth_year",
        _("Estimated birth year"),
        _("Only when the date of birth is not known, e.g. 1995."),
    ),
    Column(
        "citizenship",
        _("Citizenship"),
        _("The country's two-letter ISO code (RO, NG, TH, ...) or its Swedish name."),
    ),
    Column(
        "protection",
        _("Protected personal data"),
        _("Empty: none."),
        kind=CHOICE,
        choices=_choices(Protection),
    ),
    Column(
        "category",
        _("Case category"),
        _("Empty: adult or minor victim from the age on the opening date."),
        kind=CHOICE,
        choices=_choices(Category),
    ),
    Column(
        "opened_on",
        _("Opened on"),
        _("YYYY-MM-DD. The case number is of this year, as if opened then."),
        kind=DATE,
        required=True,
    ),
    Column(
        "coordinator",
        _("Responsible coordinator"),
        _("The user name in Lotsa of an active regional coordinator."),
        required=True,
    ),
    Column(
        "origin",
        _("Came in through"),
        _("How the case came to the unit."),
        kind=CHOICE,
        required=True,
        choices=_choices(Origin),
    ),
    Column(
        "offence",
        _("Suspected offence"),
        _("Empty: unclear. Needed for a row with an application."),
        kind=CHOICE,
        choices=_choices(Offence),
    ),
    Column(
        "purposes",
        _("Purposes of exploitation"),
        _("One or more, separated by semicolons. Needed for a row with an application."),
        kind=CHOICES,
        choices=_choices(Purpose),
    ),
    Column(
        "support",
        _("Support measures"),
        _(
            "One or more, separated by semicolons, each a type and the day it started, and "
            "the day it ended if it has: “Skyddat boende 2024-03-01 2024-05-31”. Without a "
            "date: started on the opening date."
        ),
        kind=SUPPORT,
        choices=_choices(SupportType),
    ),
    Column("closed_on", _("Closed on"), _("YYYY-MM-DD. Empty: the case is open."), kind=DATE),
    Column(
        "closing_reason",
        _("Closing reason"),
        _("Needed for a closed case."),
        kind=CHOICE,
        choices=_choices(ClosingReason),
    ),
    Column(
        "submitted_on",
        _("Application submitted on"),
        _(
            "YYYY-MM-DD: the day the reflection-period application was sent to "
            "Migrationsverket. Empty: the case has no application."
        ),
        kind=DATE,
    ),
    Column(
        "applicant",
        _("Applicant"),
        _("Empty: the social welfare committee."),
        kind=CHOICE,
        choices=_choices(Applicant),
    ),
    Column(
        "legal_basis",
        _("Legal basis"),
        _("Empty: the 30-day reflection period."),
        kind=CHOICE,
        choices=_choices(LegalBasis),
    ),
    Column(
        "migration_agency_number",
        _("Migrationsverket's case number"),
        _("If known."),
    ),
    Column(
        "decision",
        _("Decision"),
        _("Empty: still awaiting a decision."),
        kind=CHOICE,
        choices=_choices(Status, DECISIONS),
    ),
    Column(
        "decided_on",
        _("Decided on"),
        _("YYYY-MM-DD: the day of the decision (or of the withdrawal)."),
        kind=DATE,
    ),
    Column(
        "valid_from",
        _("Permit valid from"),
        _("YYYY-MM-DD. Needed for a granted permit."),
        kind=DATE,
    ),
    Column(
        "valid_to",
        _("Permit valid to"),
        _("YYYY-MM-DD. Empty: 30 days in all."),
        kind=DATE,
    ),
    Column(
        "next_step",
        _("Next step"),
        _(
            "What followed the permit. Empty for a permit that has ended: recorded as "
            "“Okänt” on its last day, so that no reminder is sent about old permits."
        ),
        kind=CHOICE,
        choices=_choices(NextStep),
    ),
    Column("next_step_on", _("Next step date"), _("YYYY-MM-DD."), kind=DATE),
)

BY_KEY = {column.key: column for column in COLUMNS}
DATE_COLUMNS = frozenset(c.key for c in COLUMNS if c.kind == DATE)
REQUIRED = tuple(c for c in COLUMNS if c.required)


def normalise_header(text: str) -> str:
    """A header as typed: case, spaces and the template's required mark (*) do not matter."""
    return " ".join(text.replace("*", " ").split()).casefold()


def header_index() -> dict[str, Column]:
    """Swedish header (normalised) -> column."""
    return {normalise_header(column.swedish_header()): column for column in COLUMNS}


def _label_key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _short(label: str) -> str:
    """A label without its trailing parenthesis: "Människohandel (BrB 4:1 a)" -> "Människohandel"."""
    return re.sub(r"\s*\(.*\)\s*$", "", label)


def label_lookup(column: Column) -> dict[str, str]:
    """Swedish label (whole, or without its trailing parenthesis), casefolded -> code."""
    lookup: dict[str, str] = {}
    for code, label in column.allowed():
        lookup.setdefault(_label_key(_short(label)), code)
    for code, label in column.allowed():
        lookup[_label_key(label)] = code
    return lookup


def code_for(column: Column, text: str) -> str | None:
    return label_lookup(column).get(_label_key(text))
