"""Writes to casework: every rule about individuals, cases, journals and support lives here.

Each function is keyword-only, runs in one transaction, validates with `full_clean()` (which
checks the database constraints with their Swedish messages) and raises ValidationError for
anything a user can get wrong. Views, commands and other apps call these, never `save()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from functools import partial
from typing import Any, TypeVar
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F, PositiveSmallIntegerField
from django.db.models.functions import Coalesce, ExtractYear
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import AccessSource, access_log_change
from accounts.models import AccessAction, User
from accounts.notifications import notify_managers
from accounts.roles import Role, has_role, require_role
from casework import notifications as kinds
from casework.codes import ACCOMPANYING_KINDS, RelationKind
from casework.models import (
    Case,
    CaseEvent,
    CaseEventKind,
    CaseOrganisation,
    CasePurpose,
    Category,
    ClosingReason,
    Consent,
    IdentityAuthorisation,
    Individual,
    IndividualRelation,
    JournalEntry,
    Language,
    NumberSequence,
    Offence,
    Organisation,
    Origin,
    Purpose,
    SupportMeasure,
    SupportType,
)
from casework.selectors import may_see_identity
from core.history import authored_by
from core.saving import save_validated, validate_fields

VersionedModel = TypeVar("VersionedModel", Individual, Case)

ADULT_AGE = 18

# What a user is told who lacks the role a service needs (accounts.roles.require_role).
COORDINATORS_ONLY = gettext_lazy("Only regional coordinators can change cases.")
NOT_A_COORDINATOR = gettext_lazy("The responsible person must be a regional coordinator.")
MANAGERS_ONLY = gettext_lazy(
    "Only managers grant and revoke authorisations to see protected identities."
)


class StaleEditError(ValidationError):
    """Someone saved the object after the form was opened; the newer data is kept."""


# --- Numbers --------------------------------------------------------------------------------------


def _next_number(key: str) -> int:
    """The next number in the series `key`. Must run inside the caller's transaction.

    Race: two coordinators open a case at the same moment. The row lock (select_for_update)
    makes the second wait for the first to commit, so both get different numbers, none skipped.
    The first number of a new year creates the row; if two create it at once, the loser's
    insert fails inside get_or_create's savepoint and it updates the winner's row instead.
    """
    # The UPDATE takes the row lock itself (as select_for_update would) and holds it to the end
    # of the transaction: two queries per number instead of four.
    series = NumberSequence.objects.filter(key=key)
    if not series.update(last_value=F("last_value") + 1):
        NumberSequence.objects.get_or_create(key=key)
        series.update(last_value=F("last_value") + 1)
    return int(series.values_list("last_value", flat=True).get())


def format_case_number(year: int, sequence: int) -> str:
    return f"{year}-{sequence:04d}"


# --- Versions -------------------------------------------------------------------------------------


def _lock_for_edit(obj: VersionedModel, expected_version: int | None) -> VersionedModel:
    """Re-read `obj` under a row lock and refuse if it changed since the form was opened.

    Race: two people edit the same case; the second save must not silently overwrite the
    first. The lock serialises the two saves; the version tells the second it is stale.
    """
    locked = type(obj).objects.select_for_update().get(pk=obj.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleEditError(
            _(
                "Someone else saved changes after you opened this form. Your changes were not "
                "saved, so nothing of theirs was overwritten. Open the page again to see the "
                "latest version, then make your changes once more."
            ),
            code="stale",
        )
    return locked


def _save_new_version(obj: Individual | Case, fields: Iterable[str], *, by: User) -> None:
    obj.version += 1
    save_validated(authored_by(obj, by), update_fields=[*fields, "version", "updated_at"])


# --- Individuals ----------------------------------------------------------------------------------

INDIVIDUAL_FIELDS = (
    "given_name",
    "family_name",
    "alias",
    "sex",
    "date_of_birth",
    "birth_year",
    "citizenship",
    "personal_number",
    "phone",
    "protection",
    "notes",
    "interpreter_needed",
    "interpreter_language",
    "interpreter_dialect",
    "interpreter_gender",
    "interpreter_note",
)


@transaction.atomic
def individual_create(*, by: User, languages: Iterable[Language] = (), **fields: Any) -> Individual:
    """Register a person; the reference (IND-000123) is handed out here, never reused."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    unknown = set(fields) - set(INDIVIDUAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown individual fields: {sorted(unknown)}")
    number = _next_number("individual")
    individual = Individual(reference=f"IND-{number:06d}", created_by=by, **fields)
    if individual.personal_number == "":
        individual.personal_number = None
    save_validated(authored_by(individual, by))
    languages = list(languages)
    if languages:  # a new person has none to replace
        individual.languages.set(languages)
    return individual


@transaction.atomic
def individual_update(
    *,
    individual: Individual,
    by: User,
    expected_version: int | None,
    data: Mapping[str, Any],
    languages: Iterable[Language] | None = None,
) -> Individual:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock_for_edit(individual, expected_version)
    was_protected = locked.is_protected
    changed = [name for name in INDIVIDUAL_FIELDS if name in data]
    for name in changed:
        setattr(locked, name, data[name])
    if locked.personal_number == "":
        locked.personal_number = None
    _save_new_version(locked, changed, by=by)
    if languages is not None:
        locked.languages.set(languages)
    if locked.is_protected and not was_protected:
        # Nobody working the person's open cases loses sight of them the moment the protection
        # is recorded; everyone else needs a manager's authorisation from now on.
        open_cases = locked.cases.filter(closed_on__isnull=True).select_related("coordinator")
        for coordinator in {case.coordinator for case in open_cases}:
            _authorisation_record(
                individual=locked,
                user=coordinator,
                basis=IdentityAuthorisation.Basis.PROTECTION_SET,
                by=by,
                source=None,
            )
    if was_protected and not locked.is_protected:
        # From now on every reader of the person's cases sees the identity: a step the managers
        # must hear of, whoever took it (the change itself is in the person's history).
        notify_managers(
            key=f"identity-protection-lifted:{locked.pk}:{locked.version}",
            kind=kinds.PROTECTION_LIFTED,
            params={"by": str(by), "reference": locked.reference},
            url=reverse("casework:individual_detail", args=[locked.pk]),
            besides=by,
        )
    return locked


# --- Cases ----------------------------------------------------------------------------------------


def suggest_category(individual: Individual, opened_on: date) -> str | None:
    """Adult or minor victim from the age when the case opens; None when the age is unknown."""
    age = individual.age_on(opened_on)
    if age is None:
        return None
    return Category.ADULT if age >= ADULT_AGE else Category.MINOR


def _set_purposes(case: Case, purposes: Iterable[str]) -> None:
    wanted = {str(Purpose(p)) for p in purposes}
    case.purposes.exclude(purpose__in=wanted).delete()
    existing = set(case.purposes.values_list("purpose", flat=True))
    CasePurpose.objects.bulk_create(
        CasePurpose(case=case, purpose=p) for p in sorted(wanted - existing)
    )


def _save_unique(obj: models.Model, **kwargs: Any) -> None:
    """Save, turning a constraint violation from a concurrent writer into a ValidationError."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError:
        obj.validate_constraints()
        raise


def case_open(
    *,
    individual: Individual,
    coordinator: User,
    opened_on: date,
    origin: Origin | str,
    by: User,
    category: Category | str | None = None,
    offence: Offence | str = Offence.UNCLEAR,
    purposes: Iterable[str] = (),
    source: AccessSource | None = None,
    **facts: Any,
) -> Case:
    """Open a case for `individual`; the case number (2024-0143) is handed out here.

    Without a category, adult or minor is chosen from the age at opening. For a person with a
    protected identity only a manager or someone authorised to see it may open a case (the
    refusal is recorded and the managers told); opening a case never authorises anyone.
    """
    identity_access_require(individual=individual, by=by, action=OPEN, source=source)
    return _case_open(
        individual=individual,
        coordinator=coordinator,
        opened_on=opened_on,
        origin=origin,
        by=by,
        category=category,
        offence=offence,
        purposes=purposes,
        **facts,
    )


@transaction.atomic
def _case_open(
    *,
    individual: Individual,
    coordinator: User,
    opened_on: date,
    origin: Origin | str,
    by: User,
    category: Category | str | None = None,
    offence: Offence | str = Offence.UNCLEAR,
    purposes: Iterable[str] = (),
    **facts: Any,
) -> Case:
    unknown = set(facts) - set(CASE_FACT_FIELDS)
    if unknown:
        raise TypeError(f"not facts of a case: {sorted(unknown)}")
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    require_role(coordinator, Role.COORDINATOR, NOT_A_COORDINATOR, field="coordinator")
    if not category:
        category = suggest_category(individual, opened_on)
        if category is None:
            raise ValidationError(
                {
                    "category": _(
                        "The age is unknown, so Lotsa cannot suggest adult or minor. "
                        "Choose the category."
                    )
                }
            )
    year = opened_on.year
    case = Case(
        individual=individual,
        coordinator=coordinator,
        category=category,
        opened_on=opened_on,
        origin=origin,
        offence=offence,
        created_by=by,
        year=year,
        sequence=0,
        number="",
        **facts,
    )
    # Everything but the number, which is only handed out once the case's fields are valid; the
    # constraints (one open case per person and category, ...) are checked by its save, and a
    # refusal gives back the number with the savepoint of this function.
    whole = partial(case.full_clean, exclude=["number", "sequence"], validate_unique=False)
    validate_fields(case, exclude=["number", "sequence"], validate=whole)
    case.sequence = _next_number(f"case-{year}")
    case.number = format_case_number(year, case.sequence)
    save_validated(authored_by(case, by), validate=case.validate_constraints, fields_checked=True)
    CasePurpose.objects.bulk_create(  # a new case: nothing to replace (_set_purposes)
        CasePurpose(case=case, purpose=p) for p in sorted({str(Purpose(p)) for p in purposes})
    )
    CaseEvent.objects.create(case=case, kind=CaseEventKind.OPENED, on=opened_on, by=by)
    return case


@transaction.atomic
def case_open_with_new_individual(
    *,
    by: User,
    individual_fields: Mapping[str, Any],
    languages: Iterable[Language] = (),
    send_notifications: bool = True,
    **case_fields: Any,
) -> Case:
    """Register a person and open their first case, both or neither. A person registered with
    protected personal data is seen by the case's coordinator through an authorisation
    recorded here (the registering user typed the identity in; no one else learns it)."""
    individual = individual_create(by=by, languages=languages, **individual_fields)
    case = _case_open(individual=individual, by=by, **case_fields)
    if individual.is_protected:
        _authorisation_record(
            individual=individual,
            user=case.coordinator,
            basis=IdentityAuthorisation.Basis.REGISTERED,
            by=by,
            source=None,
            send_notifications=send_notifications,
        )
    return case


# The facts national reporting needs (NSPM, HTCDS): optional, edited with the case.
CASE_FACT_FIELDS = (
    "suspicion_on",
    "industry",
    "means_of_control",
    "recruitment",
    "trafficker_relationship",
    "exploitation_country",
    "trafficking_status",
    "status_decided_by",
)
CASE_EDIT_FIELDS = ("category", "opened_on", "offence", "origin", *CASE_FACT_FIELDS)


@transaction.atomic
def case_update(
    *,
    case: Case,
    by: User,
    expected_version: int | None,
    data: Mapping[str, Any],
    purposes: Iterable[str] | None = None,
) -> Case:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock_for_edit(case, expected_version)
    changed = [name for name in CASE_EDIT_FIELDS if name in data]
    for name in changed:
        setattr(locked, name, data[name])
    if locked.opened_on.year != locked.year:
        raise ValidationError(
            {
                "opened_on": _(
                    "The opening date must stay in %(year)s, the year of the case number."
                )
                % {"year": locked.year}
            }
        )
    _save_new_version(locked, changed, by=by)
    if purposes is not None:
        _set_purposes(locked, purposes)
    case_touch(case=locked)
    return locked


@transaction.atomic
def case_close(
    *,
    case: Case,
    by: User,
    closed_on: date,
    reason: ClosingReason | str,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock_for_edit(case, expected_version)
    if locked.closed_on is not None:
        raise ValidationError(_("The case is already closed."), code="closed")
    if closed_on > timezone.localdate():
        raise ValidationError({"closed_on": _("A case cannot be closed in the future.")})
    locked.closed_on = closed_on
    locked.closing_reason = reason
    locked.closing_note = note
    _save_new_version(locked, ["closed_on", "closing_reason", "closing_note"], by=by)
    CaseEvent.objects.create(case=locked, kind=CaseEventKind.CLOSED, on=closed_on, by=by, note=note)
    case_touch(case=locked)
    return locked


@transaction.atomic
def case_reopen(*, case: Case, by: User, reason: str, expected_version: int | None = None) -> Case:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the case is reopened.")})
    locked = _lock_for_edit(case, expected_version)
    if locked.closed_on is None:
        raise ValidationError(_("The case is already open."), code="open")
    locked.closed_on = None
    locked.closing_reason = ""
    locked.closing_note = ""
    locked.version += 1
    locked.full_clean(validate_constraints=False)
    locked.validate_constraints()  # one open case per individual and category
    _save_unique(
        locked,
        update_fields=["closed_on", "closing_reason", "closing_note", "version", "updated_at"],
    )
    CaseEvent.objects.create(
        case=locked, kind=CaseEventKind.REOPENED, on=timezone.localdate(), by=by, note=reason
    )
    case_touch(case=locked)
    return locked


def case_reassign(
    *,
    case: Case,
    coordinator: User,
    by: User,
    note: str = "",
    expected_version: int | None = None,
    source: AccessSource | None = None,
) -> Case:
    """Give the case to another coordinator (coordinators and managers may do this). For a
    person with a protected identity only a manager or someone authorised to see it may; the
    new coordinator is not authorised by it."""
    if not has_role(by, Role.COORDINATOR, Role.MANAGER):
        raise ValidationError(_("Only coordinators and managers can reassign cases."))
    identity_access_require(
        individual=case.individual,
        by=by,
        action=REASSIGN,
        source=source,
        params={"case": case.number, "coordinator": str(coordinator)},
    )
    return _case_reassign(
        case=case, coordinator=coordinator, by=by, note=note, expected_version=expected_version
    )


@transaction.atomic
def _case_reassign(
    *, case: Case, coordinator: User, by: User, note: str, expected_version: int | None
) -> Case:
    if not has_role(by, Role.COORDINATOR, Role.MANAGER):
        raise ValidationError(_("Only coordinators and managers can reassign cases."))
    require_role(coordinator, Role.COORDINATOR, NOT_A_COORDINATOR, field="coordinator")
    locked = _lock_for_edit(case, expected_version)
    if locked.coordinator_id == coordinator.pk:
        raise ValidationError({"coordinator": _("The case already belongs to this coordinator.")})
    previous = locked.coordinator
    locked.coordinator = coordinator
    _save_new_version(locked, ["coordinator"], by=by)
    CaseEvent.objects.create(
        case=locked,
        kind=CaseEventKind.REASSIGNED,
        on=timezone.localdate(),
        by=by,
        note=note,
        from_coordinator=previous,
        to_coordinator=coordinator,
    )
    return locked


# --- Who may see a protected identity ----------------------------------------------------------------

OPEN, ACCEPT, REASSIGN = "open", "accept", "reassign"


class IdentityAccessRefused(ValidationError):
    """Someone without an authorisation tried what only a manager or an authorised user may do
    for a person with a protected identity; nothing was saved, the managers were told."""


def _refusal_message(action: str) -> str:
    return {
        OPEN: _(
            "A manager must open this case. Only a manager, or someone a manager has "
            "authorised to see this person's protected identity, may open a case for them. "
            "Nothing was saved; the managers have been told."
        ),
        ACCEPT: _(
            "A manager must accept this referral into the person's case. Only a manager, or "
            "someone a manager has authorised to see this person's protected identity, may "
            "accept a referral into their case. Nothing was saved; the managers have been told."
        ),
        REASSIGN: _(
            "A manager must change the responsible coordinator. Only a manager, or someone a "
            "manager has authorised to see this person's protected identity, may make someone "
            "responsible coordinator of their case. Nothing was saved; the managers have been "
            "told."
        ),
    }[action]


_REFUSAL_KINDS = {
    OPEN: kinds.REFUSED_OPEN,
    ACCEPT: kinds.REFUSED_ACCEPT,
    REASSIGN: kinds.REFUSED_REASSIGN,
}


def identity_access_require(
    *,
    individual: Individual,
    by: User,
    action: str,
    source: AccessSource | None = None,
    params: dict[str, str] | None = None,
) -> None:
    """Refuse unless `by` may see the person's identity (always, if it is not protected).

    A refusal is written to the access log and told to the managers before it is raised:
    call this before the caller's transaction begins, so that the record stays when the
    caller's work is rolled back.
    """
    current = Individual.objects.only("pk", "reference", "protection").get(pk=individual.pk)
    if may_see_identity(by, current):
        return
    access_log_change(
        by=by,
        action=AccessAction.REFUSED,
        obj=current,
        individual_id=current.pk,
        detail=action,
        source=source,
        service="casework.services.identity_access_require",
    )
    notify_managers(
        key=f"identity-refused:{uuid4().hex}",
        kind=_REFUSAL_KINDS[action],
        params={"user": str(by), "reference": current.reference, **(params or {})},
        url=reverse("casework:individual_detail", args=[current.pk]),
    )
    raise IdentityAccessRefused(_refusal_message(action), code="identity_refused")


def identity_match_report(*, by: User, individuals: Iterable[Individual]) -> None:
    """The duplicate check found people whose protected identity `by` may not see (and was not
    told who): tell the managers that `by` needs their help, once a day per person."""
    today = timezone.localdate().isoformat()
    for person in individuals:
        notify_managers(
            key=f"identity-match:{person.pk}:{by.pk}:{today}",
            kind=kinds.MATCH_NEEDS_MANAGER,
            params={"user": str(by), "reference": person.reference},
            url=reverse("casework:individual_detail", args=[person.pk]),
        )


_RECORDED_KINDS = {
    IdentityAuthorisation.Basis.GRANTED: kinds.AUTHORISATION_GRANTED,
    IdentityAuthorisation.Basis.REGISTERED: kinds.AUTHORISATION_REGISTERED,
    IdentityAuthorisation.Basis.PROTECTION_SET: kinds.AUTHORISATION_PROTECTION_SET,
}


def _authorisation_record(
    *,
    individual: Individual,
    user: User,
    basis: IdentityAuthorisation.Basis,
    by: User,
    source: AccessSource | None,
    reason: str = "",
    send_notifications: bool = True,
) -> IdentityAuthorisation | None:
    """Record an authorisation in force (None if the user holds one already), write it to the
    access log and tell the managers (not for the demo data, `send_notifications`). Runs in the
    caller's transaction."""
    if IdentityAuthorisation.objects.filter(
        individual=individual, user=user, revoked_at__isnull=True
    ).exists():
        return None
    authorisation = IdentityAuthorisation(
        individual=individual,
        user=user,
        basis=basis,
        reason=reason,
        granted_at=timezone.now(),
        granted_by=by if basis == IdentityAuthorisation.Basis.GRANTED else None,
    )
    authorisation.full_clean()
    # Race: two managers grant the same authorisation at once. The constraint (one in force
    # per person and user) lets one insert; the other gets its message.
    _save_unique(authored_by(authorisation, by))
    access_log_change(
        by=by,
        action=AccessAction.GRANT,
        obj=authorisation,
        individual_id=individual.pk,
        detail=f"{basis}: user {user.pk}",
        source=source,
        service="casework.services.identity_authorisation_grant",
    )
    if not send_notifications:
        return authorisation
    notify_managers(
        key=f"identity-authorisation:{authorisation.pk}:granted",
        kind=_RECORDED_KINDS[basis],
        params={"by": str(by), "user": str(user), "reference": individual.reference},
        url=reverse("casework:individual_detail", args=[individual.pk]),
        besides=by,
    )
    return authorisation


@transaction.atomic
def identity_authorisation_grant(
    *,
    individual: Individual,
    user: User,
    by: User,
    reason: str,
    source: AccessSource | None = None,
) -> IdentityAuthorisation:
    """A manager authorises a coordinator to see one person's protected identity, and says why."""
    require_role(by, Role.MANAGER, MANAGERS_ONLY)
    if not individual.is_protected:
        raise ValidationError(
            _("The person's identity is not protected: every coordinator sees it already.")
        )
    if not (user.is_active and has_role(user, Role.COORDINATOR)):
        raise ValidationError(
            {"user": _("Only active regional coordinators can be given an authorisation.")}
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the authorisation is needed.")})
    authorisation = _authorisation_record(
        individual=individual,
        user=user,
        basis=IdentityAuthorisation.Basis.GRANTED,
        by=by,
        source=source,
        reason=reason,
    )
    if authorisation is None:
        raise ValidationError(
            {"user": _("This staff member is already authorised to see the person's identity.")}
        )
    return authorisation


@transaction.atomic
def identity_authorisation_revoke(
    *,
    authorisation: IdentityAuthorisation,
    by: User,
    reason: str,
    source: AccessSource | None = None,
) -> IdentityAuthorisation:
    """A manager ends an authorisation, and says why; the record stays."""
    require_role(by, Role.MANAGER, MANAGERS_ONLY)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the authorisation is revoked.")})
    # Race: two managers revoke the same authorisation at once; the second finds it revoked.
    locked = (
        IdentityAuthorisation.objects.select_for_update()
        .select_related("individual", "user")
        .get(pk=authorisation.pk)
    )
    if locked.revoked_at is not None:
        raise ValidationError(_("This authorisation has already been revoked."), code="revoked")
    locked.revoked_at = timezone.now()
    locked.revoked_by = by
    locked.revoke_reason = reason
    locked.full_clean()
    authored_by(locked, by).save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    access_log_change(
        by=by,
        action=AccessAction.REVOKE,
        obj=locked,
        individual_id=locked.individual_id,
        detail=f"user {locked.user_id}",
        source=source,
        service="casework.services.identity_authorisation_revoke",
    )
    notify_managers(
        key=f"identity-authorisation:{locked.pk}:revoked",
        kind=kinds.AUTHORISATION_REVOKED,
        params={"by": str(by), "user": str(locked.user), "reference": locked.individual.reference},
        url=reverse("casework:individual_detail", args=[locked.individual_id]),
        besides=by,
    )
    return locked


def case_touch(*, case: Case) -> None:
    """Mark activity on the case (the start page lists cases by last activity)."""
    Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())


# --- Journal --------------------------------------------------------------------------------------


def _editable_draft(entry: JournalEntry, by: User) -> JournalEntry:
    locked = JournalEntry.objects.select_for_update().get(pk=entry.pk)
    if locked.is_signed:
        raise ValidationError(
            _("A signed journal entry cannot be changed. Write a correction instead."),
            code="signed",
        )
    if locked.author_id != by.pk:
        raise ValidationError(_("Only the author can change a draft."), code="author")
    return locked


@transaction.atomic
def journal_entry_create(
    *,
    case: Case,
    author: User,
    entry_date: date,
    kind: str,
    text: str,
    corrects: JournalEntry | None = None,
) -> JournalEntry:
    """Write a draft entry (a correction when `corrects` is given)."""
    require_role(author, Role.COORDINATOR, COORDINATORS_ONLY)
    if corrects is not None:
        corrects = JournalEntry.objects.get(pk=corrects.pk)  # its state now, not when read
        if corrects.case_id != case.pk:
            raise ValidationError(_("A correction must be in the same case."))
        if not corrects.is_signed:
            raise ValidationError(
                _("Only signed entries are corrected; change the draft itself instead.")
            )
    if entry_date > timezone.localdate():
        raise ValidationError({"entry_date": _("A journal entry cannot be dated in the future.")})
    entry = JournalEntry(
        case=case, author=author, entry_date=entry_date, kind=kind, text=text, corrects=corrects
    )
    entry.full_clean()
    authored_by(entry, author).save()
    case_touch(case=case)
    return entry


@transaction.atomic
def journal_entry_update(
    *, entry: JournalEntry, by: User, entry_date: date, kind: str, text: str
) -> JournalEntry:
    locked = _editable_draft(entry, by)
    if entry_date > timezone.localdate():
        raise ValidationError({"entry_date": _("A journal entry cannot be dated in the future.")})
    locked.entry_date, locked.kind, locked.text = entry_date, kind, text
    locked.full_clean()
    authored_by(locked, by).save(update_fields=["entry_date", "kind", "text", "updated_at"])
    return locked


@transaction.atomic
def journal_entry_delete(*, entry: JournalEntry, by: User) -> None:
    authored_by(_editable_draft(entry, by), by).delete()


@transaction.atomic
def journal_entry_sign(*, entry: JournalEntry, by: User) -> JournalEntry:
    """Sign a draft: from now on it is never changed."""
    locked = _editable_draft(entry, by)
    locked.signed_at = timezone.now()
    locked.signed_by = by
    locked.full_clean()
    authored_by(locked, by).save(update_fields=["signed_at", "signed_by", "updated_at"])
    case_touch(case=locked.case)
    return locked


# --- Support, organisations, consent ---------------------------------------------------------------


@transaction.atomic
def support_measure_create(
    *,
    case: Case,
    by: User,
    type: SupportType | str,
    started_on: date,
    ended_on: date | None = None,
    organisation: Organisation | None = None,
    notes: str = "",
) -> SupportMeasure:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    measure = SupportMeasure(
        case=case,
        type=type,
        started_on=started_on,
        ended_on=ended_on,
        organisation=organisation,
        notes=notes,
        created_by=by,
    )
    save_validated(measure)
    case_touch(case=case)
    return measure


@transaction.atomic
def support_measure_end(*, measure: SupportMeasure, by: User, ended_on: date) -> SupportMeasure:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = SupportMeasure.objects.select_for_update().get(pk=measure.pk)
    locked.ended_on = ended_on
    locked.full_clean()
    locked.save(update_fields=["ended_on"])
    case_touch(case=locked.case)
    return locked


@transaction.atomic
def organisation_link_create(
    *, case: Case, by: User, organisation: Organisation, linked_on: date, purpose: str
) -> CaseOrganisation:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    link = CaseOrganisation(
        case=case, organisation=organisation, linked_on=linked_on, purpose=purpose, created_by=by
    )
    link.full_clean()
    link.save()
    case_touch(case=case)
    return link


@transaction.atomic
def consent_record(
    *, case: Case, by: User, organisation: Organisation, given_on: date, notes: str = ""
) -> Consent:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("A consent cannot be recorded for a future date.")})
    consent = Consent(
        case=case, organisation=organisation, given_on=given_on, notes=notes, recorded_by=by
    )
    consent.full_clean()
    _save_unique(consent)
    case_touch(case=case)
    return consent


@transaction.atomic
def consent_withdraw(*, consent: Consent, by: User, withdrawn_on: date) -> Consent:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = Consent.objects.select_for_update().get(pk=consent.pk)
    if locked.withdrawn_on is not None:
        raise ValidationError(_("The consent is already withdrawn."))
    locked.withdrawn_on = withdrawn_on
    locked.full_clean()
    locked.save(update_fields=["withdrawn_on"])
    case_touch(case=locked.case)
    return locked


def personal_data_cull(
    *, individual_ids: list[int], marker: str, now: datetime
) -> tuple[list[int], int]:
    """Retention: remove these individuals' personal data and their cases' free texts, in the
    live tables and in the change history; journal texts become `marker`. Returns the cases'
    ids and the number of journal entries culled. Written with QuerySet.update(): the journal
    services refuse to change a signed entry, and must keep refusing for everyone else; each
    row's version is raised, so an edit form opened before the cull cannot write the old data
    back. Call inside a transaction (retention.services.run_confirm)."""
    identity = {
        "given_name": "",
        "family_name": "",
        "alias": "",
        "personal_number": None,
        "phone": "",
        "notes": "",
        # Both in one UPDATE: the right-hand side reads the old date of birth.
        "birth_year": Coalesce(
            ExtractYear("date_of_birth"), F("birth_year"), output_field=PositiveSmallIntegerField()
        ),
        "date_of_birth": None,
        # Interpreter needs say something of the person (a language, a community to avoid).
        "interpreter_needed": None,
        "interpreter_language": None,
        "interpreter_dialect": "",
        "interpreter_gender": "",
        "interpreter_note": "",
    }
    # The age on each case's suspicion date, from the date of birth the cull removes: the
    # national figures count adults and children by it (national.selectors).
    aged = list(
        Case.objects.filter(
            individual_id__in=individual_ids, individual__date_of_birth__isnull=False
        ).select_related("individual")
    )
    for case in aged:
        case.age_at_suspicion = case.individual.age_on(case.suspicion_date)
    Case.objects.bulk_update(aged, ["age_at_suspicion"], batch_size=1000)
    # Links between people (IndividualRelation) stay, like the cases: after the cull they join
    # two references with no identity, and the national figures count accompanying children.
    Individual.objects.filter(pk__in=individual_ids).update(
        **identity, version=F("version") + 1, updated_at=now
    )
    Individual.history.filter(id__in=individual_ids).update(**identity)

    case_ids = list(
        Case.objects.filter(individual_id__in=individual_ids).values_list("pk", flat=True)
    )
    Case.objects.filter(pk__in=case_ids).update(
        closing_note="", version=F("version") + 1, updated_at=now
    )
    Case.history.filter(id__in=case_ids).update(closing_note="")
    CaseEvent.objects.filter(case_id__in=case_ids).update(note="")
    # Drafts deleted long ago live on in the history table only: culled by case, not by id.
    entries = JournalEntry.objects.filter(case_id__in=case_ids).update(text=marker, updated_at=now)
    JournalEntry.history.filter(case_id__in=case_ids).update(text=marker)
    SupportMeasure.objects.filter(case_id__in=case_ids).update(notes="")
    Consent.objects.filter(case_id__in=case_ids).update(notes="")
    CaseOrganisation.objects.filter(case_id__in=case_ids).update(purpose=marker)
    # Why someone was authorised to see the person (or no longer): free text, which may tell
    # something of them. The record of who, when and by whom stays.
    authorisations = [IdentityAuthorisation.objects, IdentityAuthorisation.history]
    for rows in (a.filter(individual_id__in=individual_ids) for a in authorisations):
        rows.exclude(reason="").update(reason=marker)
        rows.exclude(revoke_reason="").update(revoke_reason=marker)

    return case_ids, entries


# --- Related persons ------------------------------------------------------------------------------


@transaction.atomic
def relation_create(
    *, individual: Individual, related: Individual, kind: RelationKind | str, by: User
) -> IndividualRelation:
    """Link two people (`individual` is `kind` `related`); one link per pair, either way."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    if IndividualRelation.objects.filter(
        models.Q(individual=individual, related=related)
        | models.Q(individual=related, related=individual)
    ).exists():
        raise ValidationError(
            {"related": _("These two persons are already linked.")}, code="duplicate"
        )
    relation = IndividualRelation(individual=individual, related=related, kind=kind, created_by=by)
    relation.full_clean()
    _save_unique(authored_by(relation, by))
    return relation


@transaction.atomic
def relation_remove(*, relation: IndividualRelation, by: User) -> None:
    """Remove a link made by mistake; the change history keeps that it was there and who
    removed it."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    authored_by(relation, by).delete()


@transaction.atomic
def case_open_accompanying_child(
    *,
    adult_case: Case,
    by: User,
    kind: RelationKind | str,
    individual_fields: Mapping[str, Any],
    languages: Iterable[Language] = (),
    **case_fields: Any,
) -> Case:
    """Register a child or relative who came with the person of `adult_case`, open their case
    and link the two: all of it, or none."""
    if kind not in ACCOMPANYING_KINDS:
        raise ValidationError({"kind": _("Choose how the child is related.")}, code="kind")
    case = case_open_with_new_individual(
        by=by, individual_fields=individual_fields, languages=languages, **case_fields
    )
    relation_create(individual=case.individual, related=adult_case.individual, kind=kind, by=by)
    return case
