"""Every figure of the annual report on small hand-built data, with its edge cases."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casework.models import Case, Category, Individual, Origin, Sex, SupportMeasure
from outreach.models import OutreachContact
from reflection_period.models import (
    Applicant,
    LegalBasis,
    ReflectionPeriodApplication,
    Status,
)
from reporting.models import Training
from reporting.selectors import annual_statistics
from tests.factories import (
    ApplicationFactory,
    CaseFactory,
    IndividualFactory,
    OutreachContactFactory,
    ReferralFactory,
    UserFactory,
)

A = date(2025, 3, 31)


def stats(year=2024, as_of=A):
    return annual_statistics(year=year, as_of=as_of)


def application(case, *, submitted_on, status=Status.SUBMITTED, age=30, sex=Sex.FEMALE, **fields):
    """An application as the services leave it (built directly: these tests are about counting);
    granted ones are valid from their decision to the 28th of its month."""
    if status == Status.GRANTED:
        decided_on = fields["decided_on"]
        fields["valid_from"] = decided_on
        fields["valid_to"] = decided_on.replace(day=28) if decided_on.day < 28 else decided_on
    return ApplicationFactory.create(
        case=case,
        submitted=True,
        status=status,
        submitted_on=submitted_on,
        person_age=age,
        person_sex=sex,
        **fields,
    )


# --- Question 7: cases worked --------------------------------------------------------------------


def test_cases_worked_in_the_year(db):
    CaseFactory.create(
        opened_on=date(2023, 5, 1),
        year=2023,
        closed_on=date(2025, 2, 1),
        closing_reason="completed",
    )
    CaseFactory.create(
        opened_on=date(2023, 5, 1),
        year=2023,
        closed_on=date(2024, 1, 1),
        closing_reason="completed",
    )
    CaseFactory.create(opened_on=date(2024, 12, 31))
    # Not worked in 2024:
    CaseFactory.create(
        opened_on=date(2023, 5, 1),
        year=2023,
        closed_on=date(2023, 12, 31),
        closing_reason="completed",
    )
    CaseFactory.create(opened_on=date(2025, 1, 1), year=2025)
    assert stats().q7.cases == 3


def test_as_of_inside_the_year_ends_the_period(db):
    CaseFactory.create(opened_on=date(2024, 3, 1))
    CaseFactory.create(opened_on=date(2024, 9, 1))
    assert stats(as_of=date(2024, 6, 30)).q7.cases == 1
    assert stats(as_of=date(2024, 6, 30)).period.end == date(2024, 6, 30)


def test_categories_and_unknown_age(db):
    person = IndividualFactory.create(birth_year=None, date_of_birth=None)
    CaseFactory.create(individual=person, category=Category.ADULT)  # age unknown
    CaseFactory.create(category=Category.ADULT)
    CaseFactory.create(category=Category.MINOR, individual__birth_year=2010)
    CaseFactory.create(category=Category.RELATIVE, individual__birth_year=None)
    q7 = stats().q7
    assert q7.by_category == {"adult": 1, "minor": 1, "relative": 1, "age_unknown": 1}
    assert sum(q7.by_category.values()) == q7.cases == 4


def test_cases_count_under_their_current_category(db, coordinator):
    """The definition says what the code does: the category recorded on the case now, not the
    one it was opened with."""
    from casework import services
    from reporting.selectors import DEFINITIONS

    case = services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "A", "date_of_birth": date(2007, 6, 1)},
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin=Origin.SELF,
    )
    assert case.category == Category.MINOR
    services.case_update(
        case=case, by=coordinator, expected_version=None, data={"category": Category.RELATIVE}
    )
    assert stats().q7.by_category == {"adult": 0, "minor": 0, "relative": 1, "age_unknown": 0}
    definition = str(DEFINITIONS["q7.cases"])
    assert "efter ärendets kategori så som den är registrerad nu" in definition
    assert "den kategori som registrerades när ärendet öppnades" not in definition


def test_distinct_individuals_in_cases(db):
    person = IndividualFactory.create()
    CaseFactory.create(individual=person, category=Category.ADULT)
    CaseFactory.create(individual=person, category=Category.RELATIVE)
    CaseFactory.create()
    q7 = stats().q7
    assert (q7.cases, q7.individuals) == (3, 2)


def test_age_exactly_18_at_opening_is_an_adult(db, coordinator):
    from casework import services

    born = date(2006, 3, 1)
    case = services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "A", "date_of_birth": born},
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin=Origin.SELF,
    )
    younger = services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "B", "date_of_birth": date(2006, 3, 2)},
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin=Origin.SELF,
    )
    assert (case.category, younger.category) == (Category.ADULT, Category.MINOR)
    assert stats().q7.by_category["adult"] == 1
    assert stats().q7.by_category["minor"] == 1


# --- Question 1: applications ---------------------------------------------------------------------


def test_outcomes_are_counted_as_of_the_as_of_date(db):
    cases = [CaseFactory.create() for _ in range(5)]
    application(
        cases[0], submitted_on=date(2024, 3, 1), status=Status.GRANTED, decided_on=date(2024, 3, 4)
    )
    application(
        cases[1], submitted_on=date(2024, 5, 1), status=Status.REJECTED, decided_on=date(2024, 5, 6)
    )
    # Decided after the as-of date: still pending in this report.
    application(
        cases[2],
        submitted_on=date(2024, 12, 20),
        status=Status.GRANTED,
        decided_on=date(2025, 4, 8),
    )
    application(
        cases[3],
        submitted_on=date(2024, 6, 1),
        status=Status.WITHDRAWN,
        withdrawn_on=date(2024, 6, 3),
    )
    application(
        cases[4],
        submitted_on=date(2024, 7, 1),
        status=Status.WITHDRAWN,
        withdrawn_on=date(2025, 5, 1),
    )
    q1 = stats().q1
    assert q1.applications == 5
    assert q1.outcomes == {"granted": 1, "rejected": 1, "pending": 2, "withdrawn": 1}
    later = stats(as_of=date(2025, 6, 1)).q1
    assert later.outcomes == {"granted": 2, "rejected": 1, "pending": 0, "withdrawn": 2}


def test_police_applications_are_not_the_citys(db):
    application(CaseFactory.create(), submitted_on=date(2024, 3, 1))
    application(
        CaseFactory.create(),
        submitted_on=date(2024, 5, 1),
        applicant=Applicant.POLICE,
        legal_basis=LegalBasis.LONG_TERM,
    )
    application(
        CaseFactory.create(),
        submitted_on=date(2024, 6, 1),
        applicant=Applicant.PROSECUTOR,
        legal_basis=LegalBasis.EXTENSION,
    )
    s = stats()
    assert s.q1.applications == 1
    assert s.q1.police_applications == 2
    assert s.q1.by_applicant == {"social_services": 1, "police": 1, "prosecutor": 1}
    assert s.q3.by_legal_basis == {"ch5_s15_p2": 1, "ch5_s15_p1": 0, "extension": 0}


def test_one_individual_with_two_applications(db):
    person = IndividualFactory.create()
    first = CaseFactory.create(
        individual=person, closed_on=date(2024, 4, 1), closing_reason="completed"
    )
    second = CaseFactory.create(individual=person, opened_on=date(2024, 6, 1))
    application(first, submitted_on=date(2024, 3, 2))
    application(second, submitted_on=date(2024, 6, 2))
    q1 = stats().q1
    assert (q1.applications, q1.individuals) == (2, 1)


def test_purposes_by_sex_and_age_at_submission(db):
    for sex, purposes, age in [
        (Sex.FEMALE, ("sexual",), 25),
        (Sex.FEMALE, ("sexual", "criminality"), 17),
        (Sex.MALE, ("labour",), 18),
        (Sex.MALE, ("labour",), None),
    ]:
        application(
            CaseFactory.create(), submitted_on=date(2024, 4, 1), sex=sex, purposes=purposes, age=age
        )
    q1 = stats().q1
    assert q1.purposes["sexual"] == 2
    assert q1.purposes["labour"] == 2
    assert q1.purposes["criminality"] == 1
    assert q1.sexual_by_gender == {"female": 2, "male": 0, "other": 0, "unknown": 0}
    assert (q1.adults, q1.minors) == (2, 1)
    assert q1.by_gender_age["male"] == {"adult": 1, "minor": 0, "unknown": 1}


def test_applications_outside_the_period_and_drafts_are_not_counted(db):
    application(CaseFactory.create(), submitted_on=date(2023, 12, 31))
    application(CaseFactory.create(), submitted_on=date(2025, 1, 2))
    ApplicationFactory.create()  # a draft
    s = stats()
    assert s.q1.applications == 0
    assert s.ytd_year == 2025
    assert s.ytd_applications == 1


def test_per_month(db):
    for day in (date(2024, 1, 5), date(2024, 1, 20), date(2024, 12, 1)):
        application(CaseFactory.create(), submitted_on=day)
    assert stats().q1.per_month == [2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]


# --- Question 2 ------------------------------------------------------------------------------------


def test_rights_activated_counts_individuals_granted_in_the_period(db):
    person = IndividualFactory.create()
    case = CaseFactory.create(individual=person)
    application(
        case, submitted_on=date(2024, 2, 1), status=Status.GRANTED, decided_on=date(2024, 2, 3)
    )
    # The same person again (a police application for a longer permit): still one individual.
    application(
        case,
        submitted_on=date(2024, 3, 1),
        status=Status.GRANTED,
        decided_on=date(2024, 3, 5),
        applicant=Applicant.POLICE,
        legal_basis=LegalBasis.LONG_TERM,
    )
    # Granted in January 2025 for a December 2024 application: counts for 2025, not 2024.
    application(
        CaseFactory.create(),
        submitted_on=date(2024, 12, 28),
        status=Status.GRANTED,
        decided_on=date(2025, 1, 3),
    )
    application(
        CaseFactory.create(),
        submitted_on=date(2024, 5, 1),
        status=Status.REJECTED,
        decided_on=date(2024, 5, 3),
    )
    assert stats().q2.individuals_granted == 1
    assert stats(year=2025, as_of=A).q2.individuals_granted == 1


def test_support_measures_started_in_the_period(db):
    case = CaseFactory.create()
    for started, kind in [
        (date(2024, 1, 1), "protected_housing"),
        (date(2024, 6, 1), "counselling"),
        (date(2023, 12, 31), "counselling"),
    ]:
        SupportMeasure.objects.create(
            case=case, type=kind, started_on=started, created_by=case.coordinator
        )
    measures = stats().q2.support_measures
    assert measures["protected_housing"] == 1
    assert measures["counselling"] == 1


# --- Questions 4 and 5 ------------------------------------------------------------------------------


def _moment(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_outreach_figures(db, outreach_worker, coordinator):
    UserFactory.create(roles=["outreach"], is_active=False)  # left before: not counted
    case = CaseFactory.create()
    for day in (date(2024, 1, 1), date(2024, 12, 31), date(2025, 1, 1)):
        OutreachContactFactory.create(contacted_at=_moment(day), created_by=outreach_worker)
    contacts = list(OutreachContact.objects.order_by("contacted_at"))
    ReferralFactory.create(
        contact=contacts[0],
        referred_at=_moment(date(2024, 1, 1)),
        accepted=True,
        accepted_at=_moment(date(2024, 1, 1), 18),
        accepted_by=coordinator,
        case=case,
    )
    ReferralFactory.create(
        contact=contacts[1],
        referred_at=_moment(date(2024, 12, 31)),
        declined=True,
        declined_at=_moment(date(2024, 12, 31), 14),
        declined_by=coordinator,
    )
    q4 = stats().q4
    assert q4.outreach_staff == 1
    assert q4.contacts == 2
    assert q4.referrals == {"made": 2, "accepted": 1, "declined": 1}
    assert q4.median_hours == pytest.approx(6.0)


def test_trainings(db, manager):
    for day, participants in [
        (date(2024, 3, 1), 20),
        (date(2024, 10, 1), 30),
        (date(2025, 1, 10), 5),
    ]:
        Training.objects.create(
            held_on=day,
            title="T",
            audience="Socialsekreterare",
            organiser="Enheten",
            participants=participants,
            created_by=manager,
        )
    q5 = stats().q5
    assert (q5.trainings, q5.participants) == (2, 50)


# --- Cost -------------------------------------------------------------------------------------------


def _bulk_cases(count: int, coordinator) -> None:
    people = Individual.objects.bulk_create(
        Individual(
            reference=f"IND-B{n:06d}", alias=f"B{n}", birth_year=1990, created_by=coordinator
        )
        for n in range(count)
    )
    Case.objects.bulk_create(
        Case(
            number=f"2024-{5000 + n}",
            year=2024,
            sequence=5000 + n,
            individual=person,
            category=Category.ADULT,
            opened_on=date(2024, 2, 1),
            coordinator=coordinator,
            origin=Origin.POLICE,
            created_by=coordinator,
        )
        for n, person in enumerate(people)
    )
    ReflectionPeriodApplication.objects.bulk_create(
        ReflectionPeriodApplication(
            case=case,
            applicant=Applicant.SOCIAL_SERVICES,
            offence="trafficking",
            status=Status.SUBMITTED,
            submitted_on=date(2024, 3, 1),
            person_age=30,
            person_sex=Sex.FEMALE,
            created_by=coordinator,
        )
        for case in Case.objects.filter(sequence__gte=5000, sequence__lt=5000 + count // 10)
    )


def test_query_count_does_not_grow_from_100_to_2000_cases(db, coordinator):
    _bulk_cases(100, coordinator)
    with CaptureQueriesContext(connection) as small:
        assert stats().q7.cases == 100
    ReflectionPeriodApplication.objects.all().delete()
    Case.objects.all().delete()
    Individual.objects.all().delete()
    _bulk_cases(2000, coordinator)
    with CaptureQueriesContext(connection) as large:
        s = stats()
    assert s.q7.cases == 2000
    assert s.q1.applications == 200
    assert len(large) == len(small)
    assert len(large) <= 16
