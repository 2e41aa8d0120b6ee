"""Writes to reflection_period: every rule about applications, deadlines and reminders.

Each function is keyword-only, runs in one transaction, validates the application with its
database constraints (Swedish messages, attached to the form field they concern) and recomputes
the application's deadline before saving, so the stored deadline is never stale. Views, the
Celery tasks, the management command and the demo call these, never `save()`.

Reminders are exactly-once in two steps, each idempotent:
1. create: under the application's row lock, the rule due today gets one `Reminder` row; the
   unique (application, rule) key makes a second scan, a second worker or a retry a no-op;
2. send: under the reminder's row lock, `notify()` (idempotent per recipient and key) creates
   the in-app notifications and `sent_at` is set in the same transaction; e-mails follow after
   commit and are retried by their own task. A crash between 1 and 2 leaves an unsent reminder
   that the next scan sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Notification, User
from accounts.notifications import notification_acknowledge, notify
from accounts.roles import Role, require_role
from casework.models import Case, Purpose
from casework.services import StaleEditError, case_touch
from core.history import authored_by
from core.queueing import enqueue_on_commit
from core.saving import save_validated
from reflection_period.deadlines import FINAL_RULE, Thresholds, deadline_for, rule_due
from reflection_period.models import (
    APPLICATION_DATES,
    DECIDED,
    OPEN,
    PERMIT_DAYS,
    Applicant,
    ApplicationEvent,
    ApplicationPurpose,
    DueKind,
    EventKind,
    LegalBasis,
    NextStep,
    ReflectionPeriodApplication,
    Reminder,
    ReminderRule,
    Status,
)

Application = ReflectionPeriodApplication

# Which form field a violated constraint is about, so its message shows next to that field.
CONSTRAINT_FIELDS = {
    "rp_decided_not_before_submitted": "decided_on",
    "rp_withdrawn_not_before_submitted": "withdrawn_on",
    "rp_valid_to_not_before_valid_from": "valid_to",
    "rp_decision_has_date": "decided_on",
    "rp_submission_has_date": "submitted_on",
    "rp_withdrawal_has_date": "withdrawn_on",
    "rp_permit_dates_when_granted": "valid_from",
    "rp_cost_responsibility_when_granted": "cost_responsibility_on",
    "rp_next_step_has_date": "next_step_on",
    "rp_next_step_after_decision": "next_step",
    "rp_social_services_apply_for_30_days": "legal_basis",
    "rp_offence_named": "offence",
    **{f"rp_{field}_plausible": field for field in APPLICATION_DATES},
}

EDIT_FIELDS = (
    "applicant",
    "applicant_contact",
    "legal_basis",
    "offence",
    "circumstances",
    "notes",
    "migration_agency_number",
)


# --- Helpers --------------------------------------------------------------------------------------


# What a user is told who lacks the role a service needs (accounts.roles.require_role).
COORDINATORS_ONLY = gettext_lazy(
    "Only regional coordinators can record reflection-period applications."
)


def _not_in_future(field: str, day: date, message: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: message})


def validate_application(application: Application) -> None:
    """full_clean(), with each violated constraint's message on the field it concerns."""
    errors: dict[str, list[ValidationError]] = {}
    try:
        application.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    for constraint in application._meta.constraints:
        if CONSTRAINT_FIELDS.get(constraint.name) in errors:
            continue  # one message per field: its own validators' first
        try:
            # django-stubs 5.2 lacks BaseConstraint.validate (in Django since 4.1).
            constraint.validate(type(application), application)  # type: ignore[attr-defined]
        except ValidationError as error:
            field = CONSTRAINT_FIELDS.get(constraint.name, NON_FIELD_ERRORS)
            errors.setdefault(field, []).extend(error.error_list)
    if errors:
        raise ValidationError(errors)


def _check_dates(**dates: date | None) -> None:
    """The entered dates within their bounds (core.dates), checked before any date
    arithmetic (a permit's 30 days, a deadline), which a year 9999 would overflow."""
    errors: dict[str, list[ValidationError]] = {}
    for name, value in dates.items():
        field = Application._meta.get_field(name)
        if value is None or not isinstance(field, models.Field):
            continue
        try:
            field.run_validators(value)
        except ValidationError as error:
            errors[name] = error.error_list
    if errors:
        raise ValidationError(errors)


def _apply_deadline(application: Application, thresholds: Thresholds | None = None) -> None:
    deadline = deadline_for(application, thresholds or Thresholds.current())
    application.due_kind = deadline.kind
    application.due_on = deadline.due_on
    application.overdue_on = deadline.overdue_on


DEADLINE_FIELDS = ["due_kind", "due_on", "overdue_on"]


def _save(application: Application, fields: Iterable[str], *, by: User) -> None:
    """Recompute the deadline, validate and save a new version of a locked application."""
    _check_dates(**{name: getattr(application, name) for name in APPLICATION_DATES})
    _apply_deadline(application)
    application.version += 1
    # The constraints are checked by the save; a refusal is explained by validate_application
    # (also when a writer that did not take the case lock won a uniqueness race).
    save_validated(
        authored_by(application, by),
        validate=partial(validate_application, application),
        update_fields=[*fields, *DEADLINE_FIELDS, "version", "updated_at"],
    )


def _lock(application: Application, expected_version: int | None) -> Application:
    """Re-read the application under a row lock; refuse a stale form.

    Race: two coordinators record on the same application (or one records the decision while
    the reminder scan evaluates it). The lock serialises them; the version tells a form opened
    before the other's save that it is stale, instead of overwriting what was recorded.
    """
    locked = Application.objects.select_for_update().get(pk=application.pk)
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


def _event(
    application: Application,
    kind: EventKind,
    on: date,
    by: User,
    note: str = "",
    *,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> None:
    ApplicationEvent.objects.create(
        application=application,
        kind=kind,
        on=on,
        by=by,
        note=note,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def _set_purposes(application: Application, purposes: Iterable[str]) -> None:
    wanted = {str(Purpose(p)) for p in purposes}
    if not wanted:
        raise ValidationError(
            {"purposes": _("Name at least one suspected purpose of exploitation.")}
        )
    application.purposes.exclude(purpose__in=wanted).delete()
    existing = set(application.purposes.values_list("purpose", flat=True))
    ApplicationPurpose.objects.bulk_create(
        ApplicationPurpose(application=application, purpose=p) for p in sorted(wanted - existing)
    )


# --- Applications ---------------------------------------------------------------------------------


@transaction.atomic
def application_create(
    *,
    case: Case,
    by: User,
    offence: str,
    purposes: Iterable[str],
    applicant: Applicant | str = Applicant.SOCIAL_SERVICES,
    legal_basis: LegalBasis | str = LegalBasis.REFLECTION_PERIOD,
    circumstances: str = "",
    notes: str = "",
    applicant_contact: str = "",
    submitted_on: date | None = None,
    migration_agency_number: str = "",
) -> Application:
    """Start an application on a case: a draft, or (with `submitted_on`) one already sent, as
    when the unit records an application made by the police or a prosecutor."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    # Race: two coordinators apply for the same case at the same moment. The case row lock
    # makes the second wait and then meet the first's pending application as a clear error.
    locked_case = Case.objects.select_for_update().get(pk=case.pk)
    closed_on = locked_case.closed_on
    if closed_on is not None and (submitted_on is None or submitted_on > closed_on):
        raise ValidationError(
            _(
                "The case is closed. Reopen it before starting an application (an application "
                "sent before the case was closed can be recorded with its date)."
            ),
            code="closed",
        )
    application = Application(
        case=locked_case,
        applicant=applicant,
        applicant_contact=applicant_contact,
        applied_by=by if applicant == Applicant.SOCIAL_SERVICES else None,
        legal_basis=legal_basis,
        offence=offence,
        circumstances=circumstances,
        notes=notes,
        migration_agency_number=migration_agency_number,
        status=Status.DRAFT,
        created_by=by,
    )
    _apply_deadline(application)
    save_validated(
        authored_by(application, by), validate=partial(validate_application, application)
    )
    _set_purposes(application, purposes)
    today = timezone.localdate()
    if application.is_social_services:
        _event(application, EventKind.CREATED, today, by)
    else:
        _event(application, EventKind.RECORDED, today, by)
    if submitted_on is not None:
        application = application_submit(
            application=application,
            by=by,
            submitted_on=submitted_on,
            migration_agency_number=migration_agency_number,
        )
    case_touch(case=locked_case)
    return application


@transaction.atomic
def application_update(
    *,
    application: Application,
    by: User,
    expected_version: int | None,
    data: Mapping[str, Any],
    purposes: Iterable[str] | None = None,
) -> Application:
    """Change the grounds of an application that is not yet decided."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock(application, expected_version)
    if locked.status not in OPEN:
        raise ValidationError(
            _("A decided or withdrawn application cannot be changed."), code="decided"
        )
    changed = [name for name in EDIT_FIELDS if name in data]
    for name in changed:
        setattr(locked, name, data[name])
    if locked.applicant == Applicant.SOCIAL_SERVICES and locked.applied_by_id is None:
        locked.applied_by = by
    elif locked.applicant != Applicant.SOCIAL_SERVICES:
        locked.applied_by = None
    _save(locked, [*changed, "applied_by"], by=by)
    if purposes is not None:
        _set_purposes(locked, purposes)
    _event(locked, EventKind.EDITED, timezone.localdate(), by)
    case_touch(case=locked.case)
    return locked


@transaction.atomic
def application_submit(
    *,
    application: Application,
    by: User,
    submitted_on: date,
    migration_agency_number: str = "",
    expected_version: int | None = None,
) -> Application:
    """Record that the application was sent to Migrationsverket."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock(application, expected_version)
    if locked.status != Status.DRAFT:
        raise ValidationError(_("The application is already submitted."), code="submitted")
    _not_in_future("submitted_on", submitted_on, _("The submission date cannot be in the future."))
    if locked.is_social_services and submitted_on < locked.case.opened_on:
        raise ValidationError(
            {
                "submitted_on": _(
                    "The application cannot be submitted before the case was opened (%(opened)s)."
                )
                % {"opened": locked.case.opened_on.isoformat()}
            }
        )
    locked.status = Status.SUBMITTED
    locked.submitted_on = submitted_on
    person = locked.case.individual
    locked.person_sex = person.sex
    locked.person_age = person.age_on(submitted_on)
    if migration_agency_number:
        locked.migration_agency_number = migration_agency_number
    if locked.is_social_services:
        locked.applied_by = by
    _save(
        locked,
        [
            "status",
            "submitted_on",
            "person_sex",
            "person_age",
            "migration_agency_number",
            "applied_by",
        ],
        by=by,
    )
    _event(locked, EventKind.SUBMITTED, submitted_on, by)
    case_touch(case=locked.case)
    return locked


@transaction.atomic
def application_record_decision(
    *,
    application: Application,
    by: User,
    decision: Status | str,
    decided_on: date,
    valid_from: date | None = None,
    valid_to: date | None = None,
    cost_responsibility_on: date | None = None,
    migration_agency_number: str = "",
    expected_version: int | None = None,
) -> Application:
    """Record Migrationsverket's decision. A grant starts the permit: valid_to defaults to
    valid_from + 29 days (30 days in all), cost responsibility to valid_from."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock(application, expected_version)
    if locked.status != Status.SUBMITTED:
        raise ValidationError(
            _("Only a submitted application awaiting a decision can be decided."),
            code="not_submitted",
        )
    if decision not in DECIDED:
        raise ValidationError({"decision": _("Choose granted or rejected.")})
    _not_in_future("decided_on", decided_on, _("The decision date cannot be in the future."))
    _check_dates(
        decided_on=decided_on,
        valid_from=valid_from,
        valid_to=valid_to,
        cost_responsibility_on=cost_responsibility_on,
    )
    locked.status = Status(decision)
    locked.decided_on = decided_on
    if migration_agency_number:
        locked.migration_agency_number = migration_agency_number
    if locked.status == Status.GRANTED:
        if valid_from is None:
            raise ValidationError(
                {"valid_from": _("A granted permit needs the day it is valid from.")}
            )
        locked.valid_from = valid_from
        locked.valid_to = valid_to or valid_from + timedelta(days=PERMIT_DAYS - 1)
        locked.cost_responsibility_on = cost_responsibility_on or valid_from
    elif valid_from or valid_to or cost_responsibility_on:
        raise ValidationError({"valid_from": _("A rejected application has no permit dates.")})
    _save(
        locked,
        [
            "status",
            "decided_on",
            "migration_agency_number",
            "valid_from",
            "valid_to",
            "cost_responsibility_on",
        ],
        by=by,
    )
    if locked.status == Status.GRANTED:
        _event(
            locked,
            EventKind.GRANTED,
            decided_on,
            by,
            valid_from=locked.valid_from,
            valid_to=locked.valid_to,
        )
    else:
        _event(locked, EventKind.REJECTED, decided_on, by)
    case_touch(case=locked.case)
    return locked


@transaction.atomic
def application_record_permit(
    *,
    application: Application,
    by: User,
    valid_from: date,
    valid_to: date,
    cost_responsibility_on: date | None = None,
    expected_version: int | None = None,
) -> Application:
    """Correct the permit's dates to what the decision says."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock(application, expected_version)
    if locked.status != Status.GRANTED:
        raise ValidationError(_("Only a granted application has permit dates."), code="status")
    locked.valid_from = valid_from
    locked.valid_to = valid_to
    locked.cost_responsibility_on = cost_responsibility_on
    _save(locked, ["valid_from", "valid_to", "cost_responsibility_on"], by=by)
    _event(
        locked,
        EventKind.PERMIT_CHANGED,
        timezone.localdate(),
        by,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    case_touch(case=locked.case)
    return locked


@transaction.atomic
def application_record_next_step(
    *,
    application: Application,
    by: User,
    next_step: NextStep | str,
    next_step_on: date,
    note: str = "",
    expected_version: int | None = None,
) -> Application:
    """Record what follows the permit (police report, longer permit, safe return, ...)."""
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    locked = _lock(application, expected_version)
    if locked.status not in DECIDED:
        raise ValidationError(
            _("A next step is recorded once Migrationsverket has decided."), code="status"
        )
    _not_in_future("next_step_on", next_step_on, _("The date cannot be in the future."))
    locked.next_step = next_step
    locked.next_step_on = next_step_on
    locked.next_step_note = note
    _save(locked, ["next_step", "next_step_on", "next_step_note"], by=by)
    _event(
        locked,
        EventKind.NEXT_STEP,
        next_step_on,
        by,
        f"{NextStep(next_step).label}. {note}".strip(),
    )
    case_touch(case=locked.case)
    return locked


@transaction.atomic
def application_withdraw(
    *,
    application: Application,
    by: User,
    withdrawn_on: date,
    reason: str,
    expected_version: int | None = None,
) -> Application:
    require_role(by, Role.COORDINATOR, COORDINATORS_ONLY)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the application is withdrawn.")})
    locked = _lock(application, expected_version)
    if locked.status not in OPEN:
        raise ValidationError(
            _("Only a draft or a submitted application awaiting a decision can be withdrawn."),
            code="status",
        )
    _not_in_future("withdrawn_on", withdrawn_on, _("The date cannot be in the future."))
    locked.status = Status.WITHDRAWN
    locked.withdrawn_on = withdrawn_on
    locked.withdrawal_reason = reason
    _save(locked, ["status", "withdrawn_on", "withdrawal_reason"], by=by)
    _event(locked, EventKind.WITHDRAWN, withdrawn_on, by, reason)
    case_touch(case=locked.case)
    return locked


@transaction.atomic
def application_refresh_deadline(*, application: Application) -> Application:
    """Recompute the stored deadline (after the thresholds changed)."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    _apply_deadline(locked)
    locked.save(update_fields=DEADLINE_FIELDS)
    return locked


def deadlines_recompute() -> int:
    """Recompute the deadline of every application that can still have one."""
    pending = Application.objects.filter(Q(status__in=OPEN) | Q(status=Status.GRANTED))
    count = 0
    for application in pending.only("pk").iterator():
        application_refresh_deadline(application=application)
        count += 1
    return count


# --- Reminders ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScanResult:
    created: int  # reminders created (each sent right after its transaction commits)
    recovered: int  # reminders found unsent from an earlier pass (a crash, a lost task) and sent
    acknowledged: int  # acknowledgements copied from the notification list


def reminders_scan(*, today: date | None = None) -> ScanResult:
    """One pass of the reminder scan: create what is due, send what is unsent, and copy
    acknowledgements made in the notification list. Safe to run at any time, any number of
    times, in any number of processes at once."""
    today = today or timezone.localdate()
    created = reminders_create_due(today=today)
    recovered = reminders_send_unsent()
    acknowledged = reminders_sync_acknowledged()
    return ScanResult(created=len(created), recovered=recovered, acknowledged=acknowledged)


def _due_candidates(today: date, thresholds: Thresholds) -> list[int]:
    """Applications that may have a reminder due: one indexed query on the stored deadlines,
    leaving out those whose last reminder already exists."""
    window = Q(due_kind__in=[DueKind.SUBMIT, DueKind.DECISION], due_on__lte=today) | Q(
        due_kind=DueKind.NEXT_STEP,
        due_on__lte=today + timedelta(days=thresholds.permit_ending_first_days),
    )
    unfinished = Q()
    for kind, rule in FINAL_RULE.items():
        final = Reminder.objects.filter(application=OuterRef("pk"), rule=rule)
        unfinished |= Q(due_kind=kind) & ~Q(Exists(final))
    return list(
        Application.objects.filter(window)
        .filter(unfinished)
        .order_by("due_on", "pk")
        .values_list("pk", flat=True)
    )


def reminders_create_due(*, today: date) -> list[Reminder]:
    thresholds = Thresholds.current()
    created = []
    for application_id in _due_candidates(today, thresholds):
        reminder = reminder_create_for(
            application_id=application_id, today=today, thresholds=thresholds
        )
        if reminder is not None:
            created.append(reminder)
    return created


def _responsible(application: Application, rule: ReminderRule) -> User:
    if rule == ReminderRule.DRAFT_FORGOTTEN:
        return application.created_by
    return application.case.coordinator


@transaction.atomic
def reminder_create_for(
    *, application_id: int, today: date, thresholds: Thresholds | None = None
) -> Reminder | None:
    """Create the reminder due today for one application, if it does not exist yet.

    Race: two scans (two workers, or beat and `run_reminders`) reach the same application, or a
    coordinator records the decision while the scan runs. The row lock serialises them: the
    second scan finds the first's reminder; the scan sees the decision and creates nothing.
    """
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("case__coordinator", "created_by")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        return None
    due = rule_due(application, today, thresholds or Thresholds.current())
    if due is None:
        return None
    rule, due_on = due
    key = Reminder.key_for(application.pk, rule)
    if Reminder.objects.filter(key=key).exists():
        return None
    reminder = Reminder(
        application=application,
        rule=rule,
        key=key,
        recipient=_responsible(application, rule),
        due_on=due_on,
    )
    try:
        with transaction.atomic():
            reminder.save()
    except IntegrityError:
        return None  # created meanwhile by a writer that did not take the lock
    # Here, not at the top: reflection_period.tasks imports this module (its task calls us).
    from reflection_period.tasks import send_reminder

    # A broker that is down leaves it unsent: the next scan's reminders_send_unsent sends it.
    enqueue_on_commit(send_reminder, reminder.pk)
    return reminder


def _managers() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=Role.MANAGER).distinct())


def _params(reminder: Reminder, application: Application) -> dict[str, str | int]:
    """What the notification text needs: case number and dates, never a person's name."""
    thresholds = Thresholds.current()
    params: dict[str, str | int] = {"case": application.case.number}
    if application.submitted_on:
        params["submitted"] = application.submitted_on.isoformat()
        params["days"] = thresholds.decision_escalation_working_days
    if application.valid_to:
        params["valid_to"] = application.valid_to.isoformat()
    params["drafted"] = timezone.localdate(application.created_at).isoformat()
    return params


def reminder_send(*, reminder_id: int) -> bool:
    """Deliver one reminder (in-app, and e-mail after commit). True if it was sent now."""
    with transaction.atomic():
        # Race: the reminder's own task and a scan's sweep may deliver it at the same moment.
        # The row lock lets one deliver; the other skips the locked row, or, once the first has
        # committed, no longer finds it unsent.
        reminder = (
            Reminder.objects.select_for_update(skip_locked=True)
            .filter(pk=reminder_id, sent_at__isnull=True)
            .first()
        )
        if reminder is None:
            return False
        application = Application.objects.select_related("case").get(pk=reminder.application_id)
        recipients = [reminder.recipient]
        if reminder.is_escalation:
            recipients += _managers()
        notify(
            recipients=recipients,
            key=reminder.key,
            kind=f"reflection_period.{reminder.rule}",
            params=_params(reminder, application),
            url=reverse("reflection_period:application_detail", args=[application.pk]),
        )
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    return True


def reminders_send_unsent(*, limit: int = 500) -> int:
    """Send reminders that were created but not sent (a crash, a lost task)."""
    unsent = Reminder.objects.filter(sent_at__isnull=True).order_by("created_at")
    return sum(reminder_send(reminder_id=pk) for pk in unsent.values_list("pk", flat=True)[:limit])


@transaction.atomic
def reminder_acknowledge(*, reminder: Reminder, by: User) -> Reminder:
    """The recipient confirms they have seen the reminder; its notification is read too."""
    if reminder.recipient_id != by.pk:
        raise ValidationError(_("Only the recipient can acknowledge a reminder."), code="owner")
    locked = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if locked.sent_at is None:
        raise ValidationError(_("The reminder has not been sent yet."), code="unsent")
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.save(update_fields=["acknowledged_at"])
    for notification in Notification.objects.filter(
        recipient=by, key=locked.key, read_at__isnull=True
    ):
        notification_acknowledge(notification=notification, by=by)
    return locked


def reminders_sync_acknowledged() -> int:
    """Acknowledge reminders whose recipient marked the notification read in the list."""
    read = Notification.objects.filter(
        recipient=OuterRef("recipient"), key=OuterRef("key"), read_at__isnull=False
    ).values("read_at")[:1]
    return (
        Reminder.objects.filter(acknowledged_at__isnull=True, sent_at__isnull=False)
        .filter(Exists(read))
        .update(acknowledged_at=Subquery(read))
    )


def application_texts_cull(*, case_ids: list[int], now: datetime) -> None:
    """Retention: blank the free texts of these cases' applications (live tables and change
    history); dates, statuses and the sex and age recorded at submission stay for the
    statistics. Call inside a transaction (retention.services.run_confirm)."""
    application_texts = {
        "applicant_contact": "",
        "circumstances": "",
        "migration_agency_number": "",
        "withdrawal_reason": "",
        "next_step_note": "",
        "notes": "",
    }
    ReflectionPeriodApplication.objects.filter(case_id__in=case_ids).update(
        **application_texts, version=F("version") + 1, updated_at=now
    )
    ReflectionPeriodApplication.history.filter(case_id__in=case_ids).update(**application_texts)
    ApplicationEvent.objects.filter(application__case_id__in=case_ids).update(note="")
