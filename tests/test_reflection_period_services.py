"""The rules of reflection-period applications, as the services enforce them."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from casework import services as casework_services
from casework.models import ClosingReason
from casework.services import StaleEditError
from reflection_period import services
from reflection_period.models import (
    Applicant,
    ApplicationEvent,
    DueKind,
    EventKind,
    LegalBasis,
    NextStep,
    ReflectionPeriodApplication,
    Status,
)
from tests.reflection_period_helpers import draft, granted, open_case, submitted


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error.value.message_dict


def test_an_application_goes_from_draft_to_a_permit_with_its_deadlines(coordinator):
    case = open_case(coordinator, opened_on=date(2025, 3, 3))
    application = draft(case, circumstances="Tecken på människohandel.")
    assert application.status == Status.DRAFT
    assert application.applied_by == coordinator
    assert application.due_kind == DueKind.SUBMIT

    application = services.application_submit(
        application=application,
        by=coordinator,
        submitted_on=date(2025, 3, 10),
        migration_agency_number="25-123456",
        expected_version=application.version,
    )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert (application.due_kind, application.due_on, application.overdue_on) == (
        DueKind.DECISION,
        date(2025, 3, 12),  # Monday + 2 working days
        date(2025, 3, 17),  # + 5 working days
    )

    application = services.application_record_decision(
        application=application,
        by=coordinator,
        decision=Status.GRANTED,
        decided_on=date(2025, 3, 12),
        valid_from=date(2025, 3, 12),
    )
    application.refresh_from_db()
    # 30 days in all; cost responsibility from the first day unless the decision says otherwise.
    assert (application.valid_from, application.valid_to) == (
        date(2025, 3, 12),
        date(2025, 4, 10),
    )
    assert application.cost_responsibility_on == date(2025, 3, 12)
    assert (application.due_kind, application.due_on, application.overdue_on) == (
        DueKind.NEXT_STEP,
        date(2025, 4, 10),
        date(2025, 4, 11),
    )

    application = services.application_record_permit(
        application=application,
        by=coordinator,
        valid_from=date(2025, 3, 13),
        valid_to=date(2025, 4, 13),
        cost_responsibility_on=date(2025, 3, 13),
    )
    application.refresh_from_db()
    assert application.due_on == date(2025, 4, 13)

    application = services.application_record_next_step(
        application=application,
        by=coordinator,
        next_step=NextStep.POLICE_REPORT,
        next_step_on=date(2025, 4, 1),
        note="Anmälan gjord tillsammans med tolk.",
    )
    application.refresh_from_db()
    assert (application.due_kind, application.due_on, application.overdue_on) == ("", None, None)
    kinds = list(application.events.order_by("at", "pk").values_list("kind", flat=True))
    assert kinds == [
        EventKind.CREATED,
        EventKind.SUBMITTED,
        EventKind.GRANTED,
        EventKind.PERMIT_CHANGED,
        EventKind.NEXT_STEP,
    ]
    assert list(application.purposes.values_list("purpose", flat=True)) == ["sexual"]


def test_a_police_application_is_recorded_already_submitted(coordinator):
    case = open_case(coordinator)
    application = submitted(
        case,
        date(2024, 4, 2),
        applicant=Applicant.POLICE,
        legal_basis=LegalBasis.EXTENSION,
        applicant_contact="Polisen region Stockholm",
    )
    assert application.status == Status.SUBMITTED
    assert application.applied_by is None
    assert ApplicationEvent.objects.filter(application=application).count() == 2
    assert application.events.filter(kind=EventKind.RECORDED).exists()


def test_social_services_apply_only_for_the_30_day_period(coordinator):
    case = open_case(coordinator)
    with pytest.raises(ValidationError) as error:
        draft(case, legal_basis=LegalBasis.LONG_TERM)
    assert "Socialnämnden kan bara ansöka om betänketid i 30 dagar" in " ".join(
        _errors(error)["legal_basis"]
    )
    assert not ReflectionPeriodApplication.objects.exists()


def test_one_pending_application_per_case(coordinator):
    case = open_case(coordinator)
    first = submitted(case, date(2024, 3, 4))
    with pytest.raises(ValidationError) as error:
        draft(case)
    assert "Ärendet har redan en ansökan som inte är beslutad eller återkallad" in str(error.value)
    services.application_withdraw(
        application=first, by=coordinator, withdrawn_on=date(2024, 3, 5), reason="Fel person."
    )
    assert draft(case).status == Status.DRAFT  # a withdrawn one does not block a new one


def test_the_database_refuses_two_pending_applications_even_without_the_services(coordinator):
    case = open_case(coordinator)
    first = draft(case)
    second = ReflectionPeriodApplication(
        case=case, offence=first.offence, created_by=coordinator, status=Status.DRAFT
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save()


@pytest.mark.parametrize(
    ("field", "status", "message"),
    [
        ("decided_on", Status.SUBMITTED, "Ett beslut behöver sitt datum."),
        ("submitted_on", Status.SUBMITTED, "En inskickad ansökan behöver sitt inskickningsdatum"),
        ("withdrawn_on", Status.WITHDRAWN, "En återkallelse behöver sitt datum."),
    ],
)
def test_constraints_name_the_field_in_swedish(coordinator, field, status, message):
    application = draft(open_case(coordinator))
    application.status = status
    if field == "decided_on":
        application.status = Status.GRANTED
        application.submitted_on = date(2024, 3, 4)
    with pytest.raises(ValidationError) as error:
        services.validate_application(application)
    assert message in " ".join(_errors(error)[field])


def test_a_decision_cannot_predate_the_submission(coordinator):
    application = submitted(open_case(coordinator), date(2024, 3, 4))
    with pytest.raises(ValidationError) as error:
        services.application_record_decision(
            application=application,
            by=coordinator,
            decision=Status.REJECTED,
            decided_on=date(2024, 3, 1),
        )
    assert _errors(error)["decided_on"] == [
        "Beslutsdatumet kan inte vara före den dag ansökan skickades in."
    ]
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    assert application.decided_on is None


def test_a_permit_cannot_end_before_it_starts(coordinator):
    application = granted(
        open_case(coordinator), submitted_on=date(2024, 3, 4), valid_from=date(2024, 3, 6)
    )
    with pytest.raises(ValidationError) as error:
        services.application_record_permit(
            application=application,
            by=coordinator,
            valid_from=date(2024, 3, 6),
            valid_to=date(2024, 3, 5),
        )
    assert _errors(error)["valid_to"] == ["Tillståndet kan inte upphöra innan det börjar gälla."]
    application.refresh_from_db()
    assert application.valid_to == date(2024, 4, 4)


def test_a_grant_needs_a_first_day_and_a_rejection_has_none(coordinator):
    application = submitted(open_case(coordinator), date(2024, 3, 4))
    with pytest.raises(ValidationError) as error:
        services.application_record_decision(
            application=application, by=coordinator, decision="granted", decided_on=date(2024, 3, 6)
        )
    assert "valid_from" in _errors(error)
    with pytest.raises(ValidationError):
        services.application_record_decision(
            application=application,
            by=coordinator,
            decision="rejected",
            decided_on=date(2024, 3, 6),
            valid_from=date(2024, 3, 6),
        )


def test_dates_in_the_future_are_refused(coordinator):
    case = open_case(coordinator)
    tomorrow = timezone.localdate() + timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        submitted(case, tomorrow)
    assert "submitted_on" in _errors(error)
    assert not ReflectionPeriodApplication.objects.exists()


def test_the_social_services_cannot_have_applied_before_the_case_opened(coordinator):
    case = open_case(coordinator, opened_on=date(2024, 3, 1))
    with pytest.raises(ValidationError) as error:
        submitted(case, date(2024, 2, 28))
    assert "innan ärendet öppnades (2024-03-01)" in " ".join(_errors(error)["submitted_on"])


def test_a_closed_case_takes_only_applications_sent_while_it_was_open(coordinator):
    case = open_case(coordinator, opened_on=date(2024, 3, 1))
    casework_services.case_close(
        case=case, by=coordinator, closed_on=date(2024, 6, 1), reason=ClosingReason.COMPLETED
    )
    with pytest.raises(ValidationError, match="Ärendet är avslutat"):
        draft(case)
    with pytest.raises(ValidationError, match="Ärendet är avslutat"):
        submitted(case, date(2024, 6, 3))
    assert submitted(case, date(2024, 5, 2)).status == Status.SUBMITTED


def test_only_coordinators_record_applications(coordinator, manager):
    case = open_case(coordinator)
    with pytest.raises(ValidationError, match="Bara regionkoordinatorer"):
        services.application_create(
            case=case, by=manager, offence="trafficking", purposes=["labour"]
        )


def test_at_least_one_purpose_is_needed(coordinator):
    with pytest.raises(ValidationError) as error:
        draft(open_case(coordinator), purposes=[])
    assert "purposes" in _errors(error)
    assert not ReflectionPeriodApplication.objects.exists()


def test_a_stale_form_does_not_overwrite_a_newer_save(coordinator, other_coordinator):
    application = draft(open_case(coordinator))
    opened_version = application.version
    services.application_update(
        application=application,
        by=other_coordinator,
        expected_version=opened_version,
        data={"circumstances": "Samiras text."},
    )
    with pytest.raises(StaleEditError):
        services.application_update(
            application=application,
            by=coordinator,
            expected_version=opened_version,
            data={"circumstances": "Karins text."},
        )
    application.refresh_from_db()
    assert application.circumstances == "Samiras text."


def test_decided_applications_are_not_edited_or_withdrawn(coordinator):
    application = granted(
        open_case(coordinator), submitted_on=date(2024, 3, 4), valid_from=date(2024, 3, 6)
    )
    with pytest.raises(ValidationError):
        services.application_update(
            application=application, by=coordinator, expected_version=None, data={"notes": "x"}
        )
    with pytest.raises(ValidationError):
        services.application_withdraw(
            application=application, by=coordinator, withdrawn_on=date(2024, 3, 7), reason="x"
        )


def test_a_next_step_needs_a_decision(coordinator):
    application = submitted(open_case(coordinator), date(2024, 3, 4))
    with pytest.raises(ValidationError, match="Nästa steg registreras när Migrationsverket"):
        services.application_record_next_step(
            application=application,
            by=coordinator,
            next_step=NextStep.SAFE_RETURN,
            next_step_on=date(2024, 3, 8),
        )


def test_deadlines_are_recomputed_when_the_thresholds_change(coordinator, settings):
    application = submitted(open_case(coordinator), date(2025, 3, 10))
    assert application.due_on == date(2025, 3, 12)
    settings.LOTSA_DECISION_REMINDER_WORKING_DAYS = 3
    assert services.deadlines_recompute() == 1
    application.refresh_from_db()
    assert application.due_on == date(2025, 3, 13)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_applying_for_the_same_case_at_once_make_one_application(
    coordinator, other_coordinator
):
    case = open_case(coordinator)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def apply(user):
        try:
            barrier.wait(timeout=10)
            services.application_create(
                case=case, by=user, offence="trafficking", purposes=["sexual"]
            )
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=apply, args=(u,)) for u in (coordinator, other_coordinator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("created") == 1
    (refused,) = [outcome for outcome in outcomes if outcome != "created"]
    assert refused.startswith("Ärendet har redan en ansökan")
    assert ReflectionPeriodApplication.objects.filter(case=case).count() == 1
