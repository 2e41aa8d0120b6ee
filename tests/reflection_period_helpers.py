"""Helpers for the reflection-period tests: cases and applications made through the services."""

from __future__ import annotations

from datetime import date, timedelta

from casework import services as casework_services
from casework.models import Case, Origin, Sex
from reflection_period import services
from reflection_period.models import ReflectionPeriodApplication, Status


def open_case(
    coordinator,
    *,
    opened_on: date = date(2024, 3, 1),
    sex: str = Sex.FEMALE,
    purposes: tuple[str, ...] = ("sexual",),
    offence: str = "trafficking",
    **person,
) -> Case:
    fields = {"alias": "Rosa", "birth_year": 1990, "sex": sex, "citizenship": "RO", **person}
    return casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields=fields,
        coordinator=coordinator,
        opened_on=opened_on,
        origin=Origin.OUTREACH_REFERRAL,
        offence=offence,
        purposes=list(purposes),
    )


def draft(case: Case, **kwargs) -> ReflectionPeriodApplication:
    values = {"offence": "trafficking", "purposes": ["sexual"], **kwargs}
    return services.application_create(case=case, by=case.coordinator, **values)


def submitted(case: Case, on: date, **kwargs) -> ReflectionPeriodApplication:
    return draft(case, submitted_on=on, **kwargs)


def granted(
    case: Case, *, submitted_on: date, valid_from: date, valid_to: date | None = None
) -> ReflectionPeriodApplication:
    application = submitted(case, submitted_on)
    return services.application_record_decision(
        application=application,
        by=case.coordinator,
        decision=Status.GRANTED,
        decided_on=valid_from,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def permit_ending_on(case: Case, valid_to: date) -> ReflectionPeriodApplication:
    valid_from = valid_to - timedelta(days=29)
    return granted(case, submitted_on=valid_from - timedelta(days=2), valid_from=valid_from)
