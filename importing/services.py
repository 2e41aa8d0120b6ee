"""Importing the unit's past records: every row through the forms and services a coordinator
uses, in one transaction, committed whole or not at all.

A dry run and a confirmed import run the same code: each row is validated by the user
interface's forms (personal numbers, dates, code lists) and written by casework's and
reflection_period's services (numbers, one open case per person and category, date order),
each row in a savepoint of its own so that one bad row does not hide the next one's problems.
A dry run then rolls the whole transaction back: nothing is written, yet every row met exactly
the rules a confirmed import meets (also those between rows of the same file: the same person
twice, two open cases in one category). A confirmed import commits only if no row has an error.

The rows are written in order of their opening dates, so that the case numbers of a year follow
one another as if the cases had been opened then. The services act as the row's responsible
coordinator (a case is opened, an application sent, by a coordinator); the manager who imports
is recorded as the author of every version in the change history (marked as imported) and in
the access log.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import InterfaceError, OperationalError, models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.audit import AccessSource, access_log_write_many
from accounts.models import AccessAction, User
from accounts.roles import Role, has_role
from casework import services as casework
from casework.forms import CaseCloseForm, CaseCreateForm, IndividualForm, SupportMeasureForm
from casework.models import (
    IMPORTED_CHANGE_REASON,
    Case,
    IdentityAuthorisation,
    Individual,
    Offence,
)
from casework.personal_number import normalise_personal_number
from casework.selectors import coordinators, may_see_identity, possible_duplicates
from core.queueing import enqueue
from importing.columns import (
    BY_KEY,
    CHOICE,
    CHOICES,
    COLUMNS,
    DATE_COLUMNS,
    LIST_SEPARATORS,
    Column,
    code_for,
)
from importing.forms import QuickCaseCreateForm, QuickIndividualForm, QuickSupportMeasureForm
from importing.models import (
    ImportedRecord,
    ImportJob,
    ImportJobStatus,
    ImportJobStep,
    ImportRun,
)
from importing.preview import pack_rows, unpack_rows
from importing.reading import ImportRow
from reflection_period import services as reflection_period
from reflection_period.forms import (
    ApplicationCreateForm,
    DecisionForm,
    NextStepForm,
    WithdrawForm,
)
from reflection_period.models import (
    APPLICATION_OFFENCES,
    Applicant,
    LegalBasis,
    NextStep,
    ReflectionPeriodApplication,
    Status,
)

NEW_PERSON = "new_person"
EXISTING_PERSON = "existing_person"
ALREADY_IMPORTED = "already_imported"
ERROR = "error"

# The columns that describe a reflection-period application.
APPLICATION_COLUMNS = (
    "submitted_on",
    "applicant",
    "legal_basis",
    "migration_agency_number",
    "decision",
    "decided_on",
    "valid_from",
    "valid_to",
    "next_step",
    "next_step_on",
)
# Fields of forms and models that are called otherwise in the template.
FIELD_COLUMNS = {
    "reason": "closing_reason",
    "withdrawn_on": "decided_on",
    "type": "support",
    "started_on": "support",
    "ended_on": "support",
    "organisation": "support",
    "cost_responsibility_on": "valid_from",
    "individual": "personal_number",
}
ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
SUPPORT_ITEM = re.compile(
    r"^(?P<label>.*?)\s*(?P<start>\d{4}-\d{2}-\d{2})?\s*(?:(?:–|-|till)\s*)?"
    r"(?P<end>\d{4}-\d{2}-\d{2})?$"
)


@dataclass(frozen=True)
class RowError:
    column: str  # the column's key; "" for the row as a whole
    message: str

    @property
    def header(self) -> str:
        return BY_KEY[self.column].swedish_header() if self.column in BY_KEY else ""


@dataclass
class RowResult:
    """What became (or would become) of one row."""

    number: int
    external_reference: str
    status: str = ERROR
    individual_reference: str = ""
    case_number: str = ""
    same_as_row: int | None = None
    errors: list[RowError] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowResult]
    committed: bool = False

    @property
    def has_errors(self) -> bool:
        return any(row.status == ERROR for row in self.rows)

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new_people(self) -> int:
        return sum(1 for row in self.rows if row.status == NEW_PERSON and not row.same_as_row)

    @property
    def cases(self) -> int:
        return self.count(NEW_PERSON) + self.count(EXISTING_PERSON)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def already_imported(self) -> int:
        return self.count(ALREADY_IMPORTED)


class RowInvalid(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


class _Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []

    def add(self, column: str, message: str) -> None:
        error = RowError(column, str(message))
        if error not in self.items:
            self.items.append(error)

    def add_form(self, form: forms.BaseForm, columns: Mapping[str, str] | None = None) -> None:
        # A cell already refused (a label not in the list) is "required" to the form: said once.
        refused = {error.column for error in self.items}
        for name, errors in form.errors.as_data().items():
            if _column_of(name, columns) in refused - {""}:
                continue
            for error in errors:
                for message in error.messages:
                    self.add(_column_of(name, columns), message)

    def add_service(self, error: ValidationError, columns: Mapping[str, str] | None = None) -> None:
        if hasattr(error, "error_dict"):
            for name, messages in error.message_dict.items():
                for message in messages:
                    self.add(_column_of(name, columns), message)
        else:
            for message in error.messages:
                self.add("", message)

    def check(self) -> None:
        if self.items:
            raise RowInvalid(self.items)


def _column_of(name: str, columns: Mapping[str, str] | None = None) -> str:
    name = (columns or {}).get(name, FIELD_COLUMNS.get(name, name))
    return name if name in BY_KEY else ""


def _require_manager(user: User) -> None:
    if not has_role(user, Role.MANAGER):
        raise ValidationError(_("Only managers import past records."), code="role")


# --- Cells to form data ---------------------------------------------------------------------------


def _allowed_message(column: Column, text: str) -> str:
    return _("“%(value)s” is not one of the allowed values: %(allowed)s.") % {
        "value": text,
        "allowed": "; ".join(label for _code, label in column.allowed()),
    }


def _country(text: str) -> str | None:
    if len(text) == 2 and text.upper() in dict(countries):
        return text.upper()
    wanted = text.casefold()
    with translation.override("sv"):
        for code, name in countries:
            if str(name).casefold() == wanted:
                return str(code)
    return None


class _Cells:
    """One row's cells as the forms want them: codes instead of labels, ISO dates, lists."""

    def __init__(self, row: ImportRow, errors: _Errors) -> None:
        self.text = {key: value.strip() for key, value in row.values.items()}
        self.errors = errors
        self.codes: dict[str, str] = {}
        self.dates: dict[str, str] = {}
        self.purposes: list[str] = []
        for column in COLUMNS:
            value = self.text.get(column.key, "")
            if not value:
                continue
            if column.kind == CHOICE:
                code = code_for(column, value)
                if code is None:
                    errors.add(column.key, _allowed_message(column, value))
                else:
                    self.codes[column.key] = code
            elif column.kind == CHOICES:
                for item in filter(None, (i.strip() for i in LIST_SEPARATORS.split(value))):
                    code = code_for(column, item)
                    if code is None:
                        errors.add(column.key, _allowed_message(column, item))
                    elif code not in self.purposes:
                        self.purposes.append(code)
            elif column.key in DATE_COLUMNS:
                match = ISO_DATE.match(value)
                if match is None:
                    errors.add(
                        column.key,
                        _("“%(value)s” is not a date written as YYYY-MM-DD.") % {"value": value},
                    )
                else:
                    self.dates[column.key] = match.group(1)

    def __getitem__(self, key: str) -> str:
        if key in DATE_COLUMNS:
            return self.dates.get(key, "")
        if BY_KEY[key].kind == CHOICE:
            return self.codes.get(key, "")
        return self.text.get(key, "")

    def given(self, key: str) -> bool:
        return bool(self.text.get(key))

    def support_items(self, opened_on: str) -> list[tuple[str, dict[str, Any]]]:
        """(the item as written, SupportMeasureForm data) for each support measure."""
        column = BY_KEY["support"]
        items = []
        for item in filter(None, (i.strip() for i in LIST_SEPARATORS.split(self.text["support"]))):
            match = SUPPORT_ITEM.match(item)
            code = code_for(column, match.group("label")) if match else None
            if match is None or code is None:
                label = match.group("label") if match else item
                self.errors.add("support", _allowed_message(column, label))
                continue
            items.append(
                (
                    item,
                    {
                        "type": code,
                        "started_on": match.group("start") or opened_on,
                        "ended_on": match.group("end") or "",
                        "organisation": "",
                        "notes": "",
                    },
                )
            )
        return items


# --- One import -----------------------------------------------------------------------------------


@dataclass
class _Written:
    """What a row wrote, to be marked and recorded when the import is committed."""

    row: int
    external_reference: str
    case: Case
    new_individual: bool
    application_id: int | None


class _Import:
    def __init__(self, by: User, imported: Mapping[str, ImportedRecord]) -> None:
        self.by = by
        self.references: dict[str, int] = {}
        self.imported = imported  # the file's rows imported before, read once
        # Read once for the file: a lookup per row instead of a query.
        self.coordinators = {user.username.casefold(): user for user in coordinators()}
        self.coordinators_by_id = {user.pk: user for user in self.coordinators.values()}
        self.individual_rows: dict[int, int] = {}  # individuals registered here -> their row
        self.written: list[_Written] = []

    def row(self, row: ImportRow) -> RowResult:
        reference = row.values.get("external_reference", "").strip()
        result = RowResult(number=row.number, external_reference=reference)
        errors = _Errors()
        if not reference:
            errors.add(
                "external_reference",
                _("Give the row an external reference (its identifier in your old records)."),
            )
        elif len(reference) > 100:
            errors.add("external_reference", _("At most 100 characters."))
        elif reference in self.references:
            errors.add(
                "external_reference",
                _("Row %(row)d has the same external reference.")
                % {"row": self.references[reference]},
            )
        else:
            self.references[reference] = row.number
            imported = self.imported.get(reference)
            if imported is not None:
                result.status = ALREADY_IMPORTED
                result.case_number = imported.case.number
                result.individual_reference = imported.case.individual.reference
                return result
        before = list(errors.items)
        try:
            with transaction.atomic():
                self._write(row, result, errors, quick=True)
        except RowInvalid:
            # Refused by the quick forms or by a service: checked again from the start with the
            # user interface's own forms, whose errors are the row's report
            # (importing.forms.ModelChecksInServiceMixin).
            errors = _Errors()
            errors.items = before
            try:
                with transaction.atomic():
                    self._write(row, result, errors, quick=False)
            except RowInvalid as invalid:
                result.status = ERROR
                result.errors = invalid.errors
                result.case_number = ""
        return result

    def _individual(
        self, cells: _Cells, errors: _Errors, coordinator: User | None, *, quick: bool
    ) -> tuple[Individual | None, IndividualForm]:
        """The person the row is about if registered already (the registration's duplicate
        rule), and the form that registers them otherwise."""
        form = (QuickIndividualForm if quick else IndividualForm)(
            data={
                "alias": cells["alias"],
                "given_name": cells["given_name"],
                "family_name": cells["family_name"],
                "sex": cells["sex"] or "unknown",
                "date_of_birth": cells["date_of_birth"],
                "birth_year": cells["birth_year"],
                "citizenship": self._citizenship(cells, errors),
                "personal_number": cells["personal_number"],
                "phone": "",
                "protection": cells["protection"] or "none",
                "notes": "",
            },
            viewer=self.by,
        )
        valid = form.is_valid()
        number_errors = form.errors.as_data().get("personal_number", [])
        existing: Individual | None = None
        if any(error.code == "unique" for error in number_errors):
            existing = Individual.objects.get(
                personal_number=normalise_personal_number(cells["personal_number"])
            )
            for name, field_errors in form.errors.as_data().items():
                if name != "personal_number":
                    for error in field_errors:
                        for message in error.messages:
                            errors.add(_column_of(name), message)
        elif not valid:
            errors.add_form(form)
        else:
            existing = self._registered_already(form.cleaned_data, errors)
        if (
            existing is not None
            and coordinator is not None
            and not may_see_identity(coordinator, existing)
        ):
            errors.add(
                "coordinator",
                _(
                    "%(reference)s has a protected identity that %(coordinator)s is not "
                    "authorised to see. Authorise the coordinator on the person's page "
                    "first, or name another coordinator."
                )
                % {"reference": existing.reference, "coordinator": coordinator},
            )
        return existing, form

    def _registered_already(self, person: Mapping[str, Any], errors: _Errors) -> Individual | None:
        """The registration's duplicate rule: the one registered person this row may be."""
        born = person.get("date_of_birth")
        found = possible_duplicates(
            personal_number=person.get("personal_number"),
            given_name=person.get("given_name", ""),
            family_name=person.get("family_name", ""),
            alias=person.get("alias", ""),
            birth_year=born.year if born else person.get("birth_year"),
        )
        number = person.get("personal_number")
        # Two different personal numbers are two people, whatever their names.
        found = [i for i in found if not (number and i.personal_number)]
        if len(found) > 1:
            errors.add(
                "",
                _(
                    "Several registered people may be this person: %(references)s. Give "
                    "the personal number, or open this case by hand for the right person."
                )
                % {"references": ", ".join(i.reference for i in found)},
            )
            return None
        return found[0] if found else None

    def _citizenship(self, cells: _Cells, errors: _Errors) -> str:
        text = cells["citizenship"]
        if not text:
            return ""
        code = _country(text)
        if code is None:
            errors.add(
                "citizenship",
                _("“%(value)s” is not a country's two-letter code or Swedish name.")
                % {"value": text},
            )
            return ""
        return code

    def _write(self, row: ImportRow, result: RowResult, errors: _Errors, *, quick: bool) -> None:
        """Validate the row with the forms and write it with the services. `quick`: with the
        forms that leave the model's checks to the services (see _Import.row)."""
        cells = _Cells(row, errors)
        coordinator = self._coordinator(cells, errors)
        existing, individual_form = self._individual(cells, errors, coordinator, quick=quick)
        case_form = self._case_form(cells, errors, coordinator, quick=quick)
        support = self._support_forms(cells, errors, quick=quick)
        close_form = self._close_form(cells, errors)
        application = self._application_forms(cells, errors)
        errors.check()
        if coordinator is None:  # the case form requires one: not reached
            raise RowInvalid(errors.items)

        # Everything is valid as typed: now the rules of the services.
        case = self._open_case(existing, individual_form, case_form, coordinator, errors)
        for item, form in support:
            try:
                casework.support_measure_create(case=case, by=coordinator, **form.cleaned_data)
            except ValidationError as error:
                for message in error.messages:
                    errors.add("support", f"{item}: {message}")
        application_id = None
        if application is not None:
            application_id = self._apply(case, coordinator, application, errors)
        if close_form is not None:
            self._close(case, coordinator, close_form, errors)
        errors.check()
        self._record(row, result, case, existing, application_id)

    def _coordinator(self, cells: _Cells, errors: _Errors) -> User | None:
        coordinator = self.coordinators.get(cells["coordinator"].casefold())
        if cells.given("coordinator") and coordinator is None:
            errors.add(
                "coordinator",
                _("No active regional coordinator has the user name “%(name)s”.")
                % {"name": cells["coordinator"]},
            )
        return coordinator

    def _case_form(
        self, cells: _Cells, errors: _Errors, coordinator: User | None, *, quick: bool
    ) -> forms.BaseForm:
        case_data = {
            "category": cells["category"],
            "opened_on": cells["opened_on"],
            "coordinator": coordinator.pk if coordinator else "",
            "offence": cells["offence"] or Offence.UNCLEAR,
            "purposes": cells.purposes,
            "origin": cells["origin"],
        }
        case_form = (
            QuickCaseCreateForm(data=case_data, coordinators=self.coordinators_by_id)
            if quick
            else CaseCreateForm(data=case_data)
        )
        if not case_form.is_valid():
            errors.add_form(case_form)
        return case_form

    def _support_forms(
        self, cells: _Cells, errors: _Errors, *, quick: bool
    ) -> list[tuple[str, forms.BaseForm]]:
        opened_on = cells["opened_on"] or timezone.localdate().isoformat()
        support: list[tuple[str, forms.BaseForm]] = [
            (item, (QuickSupportMeasureForm if quick else SupportMeasureForm)(data=data))
            for item, data in cells.support_items(opened_on)
        ]
        for item, form in support:
            if not form.is_valid():
                for messages in form.errors.values():
                    for message in messages:
                        errors.add("support", f"{item}: {message}")
        return support

    def _close_form(self, cells: _Cells, errors: _Errors) -> CaseCloseForm | None:
        if not (cells.given("closed_on") or cells.given("closing_reason")):
            return None
        close_form = CaseCloseForm(
            data={
                "version": 1,
                "closed_on": cells["closed_on"],
                "reason": cells["closing_reason"],
            }
        )
        if not close_form.is_valid():
            errors.add_form(close_form, {"closed_on": "closed_on", "reason": "closing_reason"})
        return close_form

    def _open_case(
        self,
        existing: Individual | None,
        individual_form: IndividualForm,
        case_form: forms.BaseForm,
        coordinator: User,
        errors: _Errors,
    ) -> Case:
        """The case for the person already registered, or for a new person."""
        data = case_form.cleaned_data
        case_fields: dict[str, Any] = {
            "coordinator": coordinator,
            "opened_on": data["opened_on"],
            "origin": data["origin"],
            "category": data["category"] or None,
            "offence": data["offence"],
            "purposes": data["purposes"],
        }
        try:
            if existing is not None:
                return casework.case_open(individual=existing, by=coordinator, **case_fields)
            person = individual_form.cleaned_data
            return casework.case_open_with_new_individual(
                by=coordinator,
                individual_fields={
                    k: v for k, v in person.items() if k != "languages" and v is not None
                },
                send_notifications=False,
                **case_fields,
            )
        except ValidationError as error:
            # The row's one rule between cases: one open case per person and category.
            errors.add_service(error, {NON_FIELD_ERRORS: "category"})
            raise RowInvalid(errors.items) from error

    def _close(
        self, case: Case, coordinator: User, close_form: CaseCloseForm, errors: _Errors
    ) -> None:
        try:
            casework.case_close(
                case=case,
                by=coordinator,
                closed_on=close_form.cleaned_data["closed_on"],
                reason=close_form.cleaned_data["reason"],
            )
        except ValidationError as error:
            errors.add_service(error, {NON_FIELD_ERRORS: "closed_on", "reason": "closing_reason"})

    def _record(
        self,
        row: ImportRow,
        result: RowResult,
        case: Case,
        existing: Individual | None,
        application_id: int | None,
    ) -> None:
        """The row's result, and what it wrote, to be marked when the import is committed."""
        if existing is not None and existing.pk in self.individual_rows:
            result.status = NEW_PERSON
            result.same_as_row = self.individual_rows[existing.pk]
        elif existing is not None:
            result.status = EXISTING_PERSON
        else:
            result.status = NEW_PERSON
            self.individual_rows[case.individual_id] = row.number
        result.individual_reference = case.individual.reference
        result.case_number = case.number
        self.written.append(
            _Written(
                row=row.number,
                external_reference=result.external_reference,
                case=case,
                new_individual=existing is None,
                application_id=application_id,
            )
        )

    # --- The application ---------------------------------------------------------------------

    def _application_forms(
        self, cells: _Cells, errors: _Errors
    ) -> dict[str, forms.Form | None] | None:
        if not any(cells.given(key) for key in APPLICATION_COLUMNS):
            return None
        return {
            "create": self._application_create_form(cells, errors),
            "decision": self._decision_form(cells, errors),
            "next_step": self._next_step_form(cells, errors),
        }

    def _application_create_form(self, cells: _Cells, errors: _Errors) -> forms.Form:
        if not cells.given("submitted_on"):
            errors.add(
                "submitted_on",
                _("An application needs the day it was submitted to Migrationsverket."),
            )
        offence = cells["offence"]
        if offence not in APPLICATION_OFFENCES:
            errors.add(
                "offence",
                _(
                    "A case with an application needs the suspected offence: trafficking "
                    "(BrB 4:1 a) or exploitation (BrB 4:1 b)."
                ),
            )
            offence = ""
        if not cells.given("purposes"):
            errors.add(
                "purposes",
                _("A case with an application needs at least one purpose of exploitation."),
            )
        create = ApplicationCreateForm(
            data={
                "applicant": cells["applicant"] or Applicant.SOCIAL_SERVICES,
                "applicant_contact": "",
                "legal_basis": cells["legal_basis"] or LegalBasis.REFLECTION_PERIOD,
                "offence": offence,
                "purposes": cells.purposes,
                "circumstances": "",
                "migration_agency_number": cells["migration_agency_number"],
                "notes": "",
                "submitted_on": cells["submitted_on"],
            }
        )
        if offence and cells.purposes and not create.is_valid():
            errors.add_form(create)
        return create

    def _decision_form(self, cells: _Cells, errors: _Errors) -> forms.Form | None:
        """The decision (granted, rejected) or the withdrawal, if the row gives one."""
        decision: forms.Form | None = None
        decided = cells["decision"]
        if decided in (Status.GRANTED, Status.REJECTED):
            decision = DecisionForm(
                data={
                    "version": 1,
                    "decision": decided,
                    "decided_on": cells["decided_on"],
                    "migration_agency_number": "",
                    "valid_from": cells["valid_from"],
                    "valid_to": cells["valid_to"],
                    "cost_responsibility_on": "",
                }
            )
        elif decided == Status.WITHDRAWN:
            decision = WithdrawForm(
                data={
                    "version": 1,
                    "withdrawn_on": cells["decided_on"],
                    "reason": _("Withdrawn according to the imported records."),
                }
            )
        elif any(cells.given(key) for key in ("decided_on", "valid_from", "valid_to")):
            errors.add("decision", _("Give the decision that these dates belong to."))
        if decision is not None and not decision.is_valid():
            errors.add_form(decision)
        return decision

    def _next_step_form(self, cells: _Cells, errors: _Errors) -> forms.Form | None:
        if not (cells.given("next_step") or cells.given("next_step_on")):
            return None
        next_step = NextStepForm(
            data={
                "version": 1,
                "next_step": cells["next_step"],
                "next_step_on": cells["next_step_on"],
                "note": "",
            }
        )
        if not next_step.is_valid():
            errors.add_form(next_step)
        return next_step

    def _apply(
        self,
        case: Case,
        coordinator: User,
        forms_: dict[str, forms.Form | None],
        errors: _Errors,
    ) -> int | None:
        create, decision, next_step = forms_["create"], forms_["decision"], forms_["next_step"]
        assert create is not None  # noqa: S101
        data = create.cleaned_data
        try:
            application = reflection_period.application_create(
                case=case,
                by=coordinator,
                offence=data["offence"],
                purposes=data["purposes"],
                applicant=data["applicant"],
                legal_basis=data["legal_basis"],
                submitted_on=data["submitted_on"],
                migration_agency_number=data["migration_agency_number"],
            )
            if isinstance(decision, DecisionForm):
                decided = decision.cleaned_data
                application = reflection_period.application_record_decision(
                    application=application,
                    by=coordinator,
                    decision=decided["decision"],
                    decided_on=decided["decided_on"],
                    valid_from=decided["valid_from"],
                    valid_to=decided["valid_to"],
                )
            elif isinstance(decision, WithdrawForm):
                application = reflection_period.application_withdraw(
                    application=application,
                    by=coordinator,
                    withdrawn_on=decision.cleaned_data["withdrawn_on"],
                    reason=decision.cleaned_data["reason"],
                )
            step = next_step.cleaned_data if next_step is not None else None
            if step is None and _permit_ended(application):
                # A permit that ended long ago without a recorded next step would escalate a
                # reminder to every manager at once: the records do not say, so "unknown".
                step = {"next_step": NextStep.UNKNOWN, "next_step_on": application.valid_to}
                step["note"] = _("Not given in the imported records.")
            if step is not None:
                application = reflection_period.application_record_next_step(
                    application=application,
                    by=coordinator,
                    next_step=step["next_step"],
                    next_step_on=step["next_step_on"],
                    note=step.get("note", ""),
                )
        except ValidationError as error:
            errors.add_service(error)
            return None
        return application.pk


def _permit_ended(application: ReflectionPeriodApplication) -> bool:
    return (
        application.status == Status.GRANTED
        and application.valid_to is not None
        and application.valid_to < timezone.localdate()
    )


def _opening_order(row: ImportRow) -> tuple[str, int]:
    """Rows in order of opening, so each year's case numbers follow the opening dates."""
    opened = row.values.get("opened_on", "").strip()
    return (opened if ISO_DATE.match(opened) else "9999", row.number)


def _imported_before(rows: list[ImportRow]) -> dict[str, ImportedRecord]:
    """The file's rows imported before, by external reference: one query for the file."""
    references = {row.values.get("external_reference", "").strip() for row in rows} - {""}
    return {
        record.external_reference: record
        for record in ImportedRecord.objects.filter(
            external_reference__in=references
        ).select_related("case__individual")
    }


def import_records(
    *,
    rows: Iterable[ImportRow],
    by: User,
    commit: bool,
    file_sha256: str,
    source: AccessSource | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate every row through the forms and services; with `commit`, and only if no row
    has an error, keep what they wrote. Otherwise roll everything back: a dry run.
    `progress(n)` is told after each row how many are checked."""
    _require_manager(by)
    rows = sorted(rows, key=_opening_order)
    with transaction.atomic():
        run = _Import(by, _imported_before(rows))
        results = []
        for row in rows:
            results.append(run.row(row))
            if progress is not None:
                progress(len(results))
        report = ImportReport(rows=sorted(results, key=lambda r: r.number))
        if commit and not report.has_errors:
            if run.written:  # a file imported before creates nothing, not even a record
                _record(run, report, by=by, file_sha256=file_sha256, source=source)
            report.committed = True
        else:
            transaction.set_rollback(True)
    return report


def _record(
    run: _Import,
    report: ImportReport,
    *,
    by: User,
    file_sha256: str,
    source: AccessSource | None,
) -> None:
    """Write down the import: its run and rows (for idempotence), the history's marks and
    the access log."""
    written = run.written
    import_run = ImportRun.objects.create(
        imported_by=by,
        file_sha256=file_sha256,
        rows=len(report.rows),
        cases_created=len(written),
        individuals_created=sum(1 for w in written if w.new_individual),
        already_imported=report.already_imported,
    )
    ImportedRecord.objects.bulk_create(
        ImportedRecord(
            external_reference=w.external_reference, run=import_run, row=w.row, case=w.case
        )
        for w in written
    )
    individual_ids = [w.case.individual_id for w in written if w.new_individual]
    case_ids = [w.case.pk for w in written]
    application_ids = [w.application_id for w in written if w.application_id]
    marks: list[tuple[type[models.Model], dict[str, Any]]] = [
        (Individual, {"id__in": individual_ids}),
        (IdentityAuthorisation, {"individual_id__in": individual_ids}),
        (Case, {"id__in": case_ids}),
        (ReflectionPeriodApplication, {"id__in": application_ids}),
    ]
    for model, lookups in marks:
        history: Any = model.history  # type: ignore[attr-defined]  # added by simple-history
        history.filter(**lookups).update(
            history_change_reason=IMPORTED_CHANGE_REASON, history_user=by
        )
    where = source or AccessSource(view_name="importing.services.import_records")
    access_log_write_many(
        user=by,
        action=AccessAction.IMPORT,
        object_type="casework.case",
        items=[(str(w.case.pk), w.case.individual_id) for w in written],
        view_name=where.view_name,
        detail=f"import {import_run.pk}, file {file_sha256[:12]}",
        ip_address=where.ip_address,
    )


# --- Large files: the check and the import as a Celery task ---------------------------------------
#
# A file of more than LOTSA_IMPORT_BACKGROUND_ROWS rows is checked, and then imported, by a
# worker (importing.tasks), as the annual report's exports are made (reporting.services): an
# ImportJob row holds the parsed rows while they wait, the page polls the row (htmx) and shows
# the per-row report when the task is done. The task runs the same import_records as a small
# file's request; a dry run still writes nothing to the case tables.


def report_as_json(report: ImportReport) -> dict[str, Any]:
    return {
        "committed": report.committed,
        "rows": [
            {
                "number": row.number,
                "external_reference": row.external_reference,
                "status": row.status,
                "individual_reference": row.individual_reference,
                "case_number": row.case_number,
                "same_as_row": row.same_as_row,
                "errors": [[error.column, error.message] for error in row.errors],
            }
            for row in report.rows
        ],
    }


def report_from_json(data: Mapping[str, Any]) -> ImportReport:
    return ImportReport(
        rows=[
            RowResult(
                number=row["number"],
                external_reference=row["external_reference"],
                status=row["status"],
                individual_reference=row["individual_reference"],
                case_number=row["case_number"],
                same_as_row=row["same_as_row"],
                errors=[RowError(column, message) for column, message in row["errors"]],
            )
            for row in data["rows"]
        ],
        committed=bool(data["committed"]),
    )


def _progress_key(job_id: int) -> str:
    return f"importing:progress:{job_id}"


def import_job_rows_done(job: ImportJob) -> int:
    """How many rows the job's task has checked so far (told through the cache: the task's
    own transaction shows nothing to others before it ends)."""
    if job.status == ImportJobStatus.DONE:
        return job.rows_total
    if job.status != ImportJobStatus.RUNNING:
        return 0
    done = cache.get(_progress_key(job.pk))
    return min(int(done), job.rows_total) if isinstance(done, int) else 0


@transaction.atomic
def import_job_start(
    *, by: User, file_name: str, file_sha256: str, rows: list[ImportRow]
) -> ImportJob:
    """Keep the file's parsed rows and queue their check (a dry run) for a worker."""
    _require_manager(by)
    job = ImportJob.objects.create(
        requested_by=by,
        file_name=file_name[:255],
        file_sha256=file_sha256,
        rows_total=len(rows),
        rows=pack_rows(rows),
    )
    transaction.on_commit(lambda: import_job_queue(job_id=job.pk))
    return job


def import_job_expired(job: ImportJob) -> bool:
    finished = job.finished_at or job.requested_at
    return timezone.now() - finished > timedelta(seconds=settings.LOTSA_IMPORT_PREVIEW_SECONDS)


def import_job_confirmable(job: ImportJob) -> bool:
    """A checked file with no row in error, something to create, and its rows still kept."""
    if job.step != ImportJobStep.CHECK or job.status != ImportJobStatus.DONE:
        return False
    if job.rows is None or job.report is None or import_job_expired(job):
        return False
    report = report_from_json(job.report)
    return not report.has_errors and report.cases > 0


def import_job_confirm(*, job: ImportJob, by: User, source: AccessSource | None = None) -> bool:
    """Queue the import of a checked file; False if it cannot be confirmed (any more)."""
    _require_manager(by)
    with transaction.atomic():
        # Race: the manager clicks twice, or confirms while the sweep removes the job; the lock
        # lets one of them queue the import.
        locked = ImportJob.objects.select_for_update().filter(pk=job.pk, requested_by=by).first()
        if locked is None or not import_job_confirmable(locked):
            return False
        locked.step = ImportJobStep.IMPORT
        locked.status = ImportJobStatus.QUEUED
        locked.queued_at = locked.started_at = locked.finished_at = None
        locked.attempts = 0
        locked.confirmed_from = source.ip_address if source else None
        locked.save(
            update_fields=[
                "step",
                "status",
                "queued_at",
                "started_at",
                "finished_at",
                "attempts",
                "confirmed_from",
            ]
        )
        transaction.on_commit(lambda: import_job_queue(job_id=locked.pk))
    return True


def import_job_queue(*, job_id: int) -> bool:
    """Hand the job to the broker; True once it has it (as reporting.services.export_queue)."""
    from importing.tasks import run_import_job  # importing.tasks imports this module

    if not enqueue(run_import_job, job_id):
        return False
    ImportJob.objects.filter(pk=job_id, status=ImportJobStatus.QUEUED).update(
        queued_at=timezone.now()
    )
    return True


def import_job_run(*, job_id: int) -> None:
    """Check (a dry run) or import the job's rows. Idempotent: a finished job is left alone,
    and rows imported before are "imported before" (their external references)."""
    with transaction.atomic():
        # Race: a retried task and the first attempt; the lock lets one of them start.
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        # Running: a retry after the database went away (nothing of that attempt was kept).
        running = (ImportJobStatus.QUEUED, ImportJobStatus.RUNNING)
        if job is None or job.status not in running or job.rows is None:
            return
        job.status = ImportJobStatus.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])
    key = _progress_key(job_id)
    cache.set(key, 0, timeout=settings.LOTSA_IMPORT_TASK_SECONDS)

    def progress(done: int) -> None:
        cache.set(key, done, timeout=settings.LOTSA_IMPORT_TASK_SECONDS)

    commit = job.step == ImportJobStep.IMPORT
    try:
        with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
            report = import_records(
                rows=unpack_rows(bytes(job.rows)),
                by=job.requested_by,
                commit=commit,
                file_sha256=job.file_sha256,
                source=AccessSource(
                    view_name="importing:job_confirm", ip_address=job.confirmed_from
                ),
                progress=progress,
            )
            # With the import's own writes: the job is done exactly when they are committed.
            keep_rows = not commit and not report.has_errors
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJobStatus.DONE,
                report=report_as_json(report),
                rows=job.rows if keep_rows else None,
                finished_at=timezone.now(),
            )
    except (OperationalError, InterfaceError):
        raise  # the database went away: the task tries again (nothing of the import was kept)
    except Exception as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJobStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    finally:
        cache.delete(key)


def import_jobs_sweep() -> dict[str, int]:
    """Queue again the jobs whose task never reached a worker; give up those a worker started
    and lost (a retry would start over: the page says to upload again); delete finished jobs,
    their rows and reports, LOTSA_IMPORT_PREVIEW_SECONDS after they finished. Every minute."""
    now = timezone.now()
    unsent = ImportJob.objects.filter(status=ImportJobStatus.QUEUED).filter(
        Q(queued_at__isnull=True, requested_at__lte=now - timedelta(seconds=30))
        | Q(queued_at__lte=now - timedelta(minutes=15))
    )
    requeued = sum(import_job_queue(job_id=pk) for pk in unsent.values_list("pk", flat=True))
    lost = ImportJob.objects.filter(
        status=ImportJobStatus.RUNNING,
        started_at__lte=now - timedelta(seconds=settings.LOTSA_IMPORT_TASK_SECONDS + 60),
    ).update(status=ImportJobStatus.FAILED, error="WorkerLost", finished_at=now)
    expired, _deleted = ImportJob.objects.filter(
        Q(finished_at__lte=now - timedelta(seconds=settings.LOTSA_IMPORT_PREVIEW_SECONDS))
    ).delete()
    return {"requeued": requeued, "lost": lost, "expired": expired}
