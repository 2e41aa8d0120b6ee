"""The rules of casework, as the services enforce them."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from casework import services
from casework.models import (
    Case,
    CaseEvent,
    Category,
    ClosingReason,
    Consent,
    Individual,
    JournalEntry,
    JournalKind,
    Organisation,
    OrganisationKind,
    Origin,
    Protection,
    Purpose,
    Sex,
    SupportMeasure,
    SupportType,
)
from tests.factories import CaseFactory, IndividualFactory


def _open(by, *, opened_on=date(2024, 3, 1), individual=None, **kwargs):
    individual = individual or IndividualFactory.create(created_by=by)
    defaults = {"origin": Origin.POLICE, "category": Category.ADULT, "coordinator": by}
    defaults.update(kwargs)
    return services.case_open(individual=individual, opened_on=opened_on, by=by, **defaults)


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


# --- Numbers --------------------------------------------------------------------------------------


def test_case_numbers_count_per_year_and_references_never_name_the_person(coordinator):
    first = _open(coordinator, opened_on=date(2024, 1, 5))
    second = _open(coordinator, opened_on=date(2024, 6, 5))
    other_year = _open(coordinator, opened_on=date(2025, 1, 2))
    assert (first.number, second.number, other_year.number) == (
        "2024-0001",
        "2024-0002",
        "2025-0001",
    )
    person = services.individual_create(by=coordinator, given_name="Ana", alias="Rosa")
    assert person.reference.startswith("IND-")
    assert "Ana" not in str(person)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_opening_cases_at_the_same_moment_get_different_numbers(
    coordinator, other_coordinator
):
    individuals = [IndividualFactory.create(created_by=coordinator) for _ in range(8)]
    barrier = threading.Barrier(len(individuals))
    numbers: list[str] = []
    errors: list[BaseException] = []

    def open_case(individual, user):
        try:
            barrier.wait(timeout=10)
            numbers.append(_open(user, individual=individual, opened_on=date(2024, 5, 1)).number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=open_case, args=(ind, coordinator if i % 2 else other_coordinator))
        for i, ind in enumerate(individuals)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(numbers) == [f"2024-{n:04d}" for n in range(1, 9)]


# --- Opening --------------------------------------------------------------------------------------


def test_category_is_suggested_from_the_age_at_opening(coordinator):
    adult = IndividualFactory.create(date_of_birth=date(2006, 3, 1), birth_year=None)
    minor = IndividualFactory.create(date_of_birth=date(2006, 3, 2), birth_year=None)
    # On 2024-03-01 the first turns 18 that very day; the second is still 17.
    assert _open(coordinator, individual=adult, category=None).category == Category.ADULT
    assert _open(coordinator, individual=minor, category=None).category == Category.MINOR


def test_estimated_birth_year_is_enough_to_suggest(coordinator):
    person = IndividualFactory.create(birth_year=2010)
    assert _open(coordinator, individual=person, category=None).category == Category.MINOR


def test_unknown_age_requires_a_chosen_category(coordinator):
    person = IndividualFactory.create(birth_year=None, date_of_birth=None)
    with pytest.raises(ValidationError) as error:
        _open(coordinator, individual=person, category=None)
    assert "category" in error.value.message_dict
    assert not Case.objects.exists()


def test_one_open_case_per_individual_and_category(coordinator):
    person = IndividualFactory.create()
    first = _open(coordinator, individual=person)
    with pytest.raises(ValidationError) as error:
        _open(coordinator, individual=person)
    assert "redan ett öppet ärende" in _messages(error)
    # Another category is fine, and so is a new case once the first is closed.
    _open(coordinator, individual=person, category=Category.RELATIVE)
    services.case_close(
        case=first, by=coordinator, closed_on=date(2024, 4, 1), reason=ClosingReason.COMPLETED
    )
    _open(coordinator, individual=person, opened_on=date(2024, 5, 1))
    assert Case.objects.filter(individual=person).count() == 3


def test_a_failed_opening_hands_out_no_number(coordinator):
    person = IndividualFactory.create(birth_year=None)
    with pytest.raises(ValidationError):
        _open(coordinator, individual=person, category=None)
    assert _open(coordinator).number == "2024-0001"


def test_only_coordinators_open_cases(coordinator, manager, outreach_worker):
    person = IndividualFactory.create()
    for user in (manager, outreach_worker):
        with pytest.raises(ValidationError):
            services.case_open(
                individual=person,
                coordinator=coordinator,
                opened_on=date(2024, 1, 1),
                origin=Origin.SELF,
                category=Category.ADULT,
                by=user,
            )
    with pytest.raises(ValidationError) as error:
        _open(coordinator, coordinator=manager)  # the responsible person must be a coordinator
    assert "coordinator" in error.value.message_dict


def test_open_with_new_individual_is_all_or_nothing(coordinator):
    with pytest.raises(ValidationError):
        services.case_open_with_new_individual(
            by=coordinator,
            individual_fields={"alias": "Nora", "birth_year": None},
            coordinator=coordinator,
            opened_on=date(2024, 2, 2),
            origin=Origin.SELF,
            category=None,
        )
    assert not Individual.objects.exists()
    case = services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Nora", "birth_year": 1990, "sex": Sex.FEMALE},
        coordinator=coordinator,
        opened_on=date(2024, 2, 2),
        origin=Origin.SELF,
        purposes=[Purpose.SEXUAL, Purpose.LABOUR],
    )
    assert case.category == Category.ADULT
    assert sorted(case.purposes.values_list("purpose", flat=True)) == ["labour", "sexual"]
    assert CaseEvent.objects.filter(case=case, kind="opened").count() == 1


def test_birth_date_and_estimated_year_exclude_each_other(coordinator):
    with pytest.raises(ValidationError) as error:
        services.individual_create(by=coordinator, date_of_birth=date(1990, 1, 1), birth_year=1990)
    assert "inte båda" in _messages(error)


def test_personal_number_is_unique(coordinator):
    services.individual_create(by=coordinator, personal_number="198112189876")
    with pytest.raises(ValidationError):
        services.individual_create(by=coordinator, personal_number="198112189876")
    # Several people without a number are fine.
    services.individual_create(by=coordinator)
    services.individual_create(by=coordinator, personal_number="")
    assert Individual.objects.filter(personal_number__isnull=True).count() == 2


# --- Closing, reopening, reassigning ---------------------------------------------------------------


def test_a_case_cannot_close_before_it_opened(coordinator):
    case = _open(coordinator, opened_on=date(2024, 3, 1))
    with pytest.raises(ValidationError) as error:
        services.case_close(
            case=case, by=coordinator, closed_on=date(2024, 2, 1), reason=ClosingReason.COMPLETED
        )
    assert "avslutas innan det öppnades" in _messages(error)
    case.refresh_from_db()
    assert case.closed_on is None


def test_close_and_reopen_with_reason(coordinator):
    case = _open(coordinator)
    services.case_close(
        case=case,
        by=coordinator,
        closed_on=date(2024, 5, 1),
        reason=ClosingReason.SAFE_RETURN,
        note="IOM",
    )
    case.refresh_from_db()
    assert (case.closed_on, case.closing_reason) == (date(2024, 5, 1), "safe_return")
    with pytest.raises(ValidationError):
        services.case_reopen(case=case, by=coordinator, reason="  ")
    services.case_reopen(case=case, by=coordinator, reason="Personen kom tillbaka")
    case.refresh_from_db()
    assert case.closed_on is None
    assert case.closing_reason == ""
    assert list(case.events.values_list("kind", flat=True).order_by("at")) == [
        "opened",
        "closed",
        "reopened",
    ]


def test_reopen_refused_when_another_case_in_the_category_is_open(coordinator):
    person = IndividualFactory.create()
    first = _open(coordinator, individual=person)
    services.case_close(
        case=first, by=coordinator, closed_on=date(2024, 4, 1), reason=ClosingReason.COMPLETED
    )
    _open(coordinator, individual=person, opened_on=date(2024, 6, 1))
    with pytest.raises(ValidationError) as error:
        services.case_reopen(case=first, by=coordinator, reason="Nytt")
    assert "redan ett öppet ärende" in _messages(error)
    first.refresh_from_db()
    assert first.closed_on == date(2024, 4, 1)


def test_reassign_by_coordinator_or_manager(
    coordinator, other_coordinator, manager, outreach_worker
):
    case = _open(coordinator)
    services.case_reassign(case=case, coordinator=other_coordinator, by=manager)
    case.refresh_from_db()
    assert case.coordinator == other_coordinator
    with pytest.raises(ValidationError):
        services.case_reassign(case=case, coordinator=coordinator, by=outreach_worker)
    with pytest.raises(ValidationError):
        services.case_reassign(case=case, coordinator=manager, by=coordinator)


# --- Stale edits ----------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_and_the_newer_data_kept(coordinator, other_coordinator):
    case = _open(coordinator, offence="unclear")
    opened_version = case.version
    services.case_update(
        case=case,
        by=other_coordinator,
        expected_version=opened_version,
        data={"offence": "trafficking"},
    )
    with pytest.raises(services.StaleEditError) as error:
        services.case_update(
            case=case,
            by=coordinator,
            expected_version=opened_version,
            data={"offence": "exploitation"},
        )
    assert "Någon annan har sparat" in _messages(error)
    case.refresh_from_db()
    assert case.offence == "trafficking"
    assert case.version == opened_version + 1


def test_stale_individual_edit_is_refused(coordinator):
    person = services.individual_create(by=coordinator, alias="A")
    services.individual_update(
        individual=person, by=coordinator, expected_version=1, data={"alias": "B"}
    )
    with pytest.raises(services.StaleEditError):
        services.individual_update(
            individual=person, by=coordinator, expected_version=1, data={"alias": "C"}
        )
    person.refresh_from_db()
    assert person.alias == "B"


def test_the_opening_date_stays_in_the_year_of_the_number(coordinator):
    case = _open(coordinator, opened_on=date(2024, 3, 1))
    with pytest.raises(ValidationError):
        services.case_update(
            case=case,
            by=coordinator,
            expected_version=case.version,
            data={"opened_on": date(2023, 12, 1)},
        )


# --- Journal --------------------------------------------------------------------------------------


def test_signed_entries_are_immutable_and_corrections_keep_both(coordinator):
    case = _open(coordinator)
    entry = services.journal_entry_create(
        case=case,
        author=coordinator,
        entry_date=date(2024, 3, 2),
        kind=JournalKind.MEETING,
        text="Första",
    )
    services.journal_entry_update(
        entry=entry,
        by=coordinator,
        entry_date=date(2024, 3, 2),
        kind="meeting",
        text="Första samtalet",
    )
    services.journal_entry_sign(entry=entry, by=coordinator)
    for change in (
        lambda: services.journal_entry_update(
            entry=entry, by=coordinator, entry_date=date(2024, 3, 2), kind="meeting", text="X"
        ),
        lambda: services.journal_entry_delete(entry=entry, by=coordinator),
        lambda: services.journal_entry_sign(entry=entry, by=coordinator),
    ):
        with pytest.raises(ValidationError) as error:
            change()
        assert "signerad" in _messages(error)
    correction = services.journal_entry_create(
        case=case,
        author=coordinator,
        entry_date=date(2024, 3, 3),
        kind="meeting",
        text="Rättelse",
        corrects=entry,
    )
    entry.refresh_from_db()
    assert entry.text == "Första samtalet"
    assert list(entry.corrections.all()) == [correction]
    assert JournalEntry.objects.filter(case=case).count() == 2


def test_drafts_belong_to_their_author(coordinator, other_coordinator):
    case = _open(coordinator)
    entry = services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2024, 3, 2), kind="phone", text="Utkast"
    )
    with pytest.raises(ValidationError):
        services.journal_entry_sign(entry=entry, by=other_coordinator)
    with pytest.raises(ValidationError):
        services.journal_entry_delete(entry=entry, by=other_coordinator)
    services.journal_entry_delete(entry=entry, by=coordinator)
    assert not JournalEntry.objects.exists()


def test_only_signed_entries_are_corrected(coordinator):
    case = _open(coordinator)
    draft = services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2024, 3, 2), kind="phone", text="Utkast"
    )
    with pytest.raises(ValidationError):
        services.journal_entry_create(
            case=case,
            author=coordinator,
            entry_date=date(2024, 3, 2),
            kind="phone",
            text="R",
            corrects=draft,
        )


def test_journal_entries_cannot_be_dated_in_the_future(coordinator):
    case = _open(coordinator)
    with pytest.raises(ValidationError) as error:
        services.journal_entry_create(
            case=case, author=coordinator, entry_date=date(2099, 1, 1), kind="phone", text="x"
        )
    assert "entry_date" in error.value.message_dict


# --- Support, organisations, consent ---------------------------------------------------------------


def test_support_cannot_end_before_it_started(coordinator):
    case = _open(coordinator)
    with pytest.raises(ValidationError) as error:
        services.support_measure_create(
            case=case,
            by=coordinator,
            type=SupportType.PROTECTED_HOUSING,
            started_on=date(2024, 3, 5),
            ended_on=date(2024, 3, 1),
        )
    assert "avslutas innan den började" in _messages(error)
    measure = services.support_measure_create(
        case=case, by=coordinator, type=SupportType.COUNSELLING, started_on=date(2024, 3, 5)
    )
    with pytest.raises(ValidationError):
        services.support_measure_end(measure=measure, by=coordinator, ended_on=date(2024, 3, 4))
    services.support_measure_end(measure=measure, by=coordinator, ended_on=date(2024, 4, 4))
    assert SupportMeasure.objects.get().ended_on == date(2024, 4, 4)


def test_one_consent_in_force_per_organisation(coordinator):
    case = _open(coordinator)
    organisation = Organisation.objects.create(
        name="Föreningen Test", kind=OrganisationKind.ASSOCIATION
    )
    consent = services.consent_record(
        case=case, by=coordinator, organisation=organisation, given_on=date(2024, 3, 2)
    )
    with pytest.raises(ValidationError):
        services.consent_record(
            case=case, by=coordinator, organisation=organisation, given_on=date(2024, 3, 3)
        )
    with pytest.raises(ValidationError):
        services.consent_withdraw(consent=consent, by=coordinator, withdrawn_on=date(2024, 3, 1))
    services.consent_withdraw(consent=consent, by=coordinator, withdrawn_on=date(2024, 4, 1))
    services.consent_record(
        case=case, by=coordinator, organisation=organisation, given_on=date(2024, 5, 1)
    )
    assert Consent.objects.filter(case=case).count() == 2


def test_protected_individual_keeps_reference_as_name(coordinator):
    person = services.individual_create(
        by=coordinator,
        given_name="Ana",
        family_name="Sandu",
        protection=Protection.PROTECTED_REGISTRATION,
    )
    assert person.is_protected
    assert str(person) == person.reference


def test_case_factory_numbers_do_not_meet_service_numbers(coordinator):
    CaseFactory.create()
    assert _open(coordinator).number == "2024-0001"
