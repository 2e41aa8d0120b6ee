"""Data sets for the statistics tests, written through the services as users write them:
people and their cases, applications (sent, decided, withdrawn, drafts; by the coordinators or
recorded from the police), support measures, outreach contacts and their referrals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from casework import services as casework
from casework.models import Case
from outreach import services as outreach
from outreach.models import Environment, ReferralConsent
from reflection_period import services as reflection_period
from reflection_period.models import Applicant, LegalBasis, Status


@dataclass(frozen=True)
class ApplicationSpec:
    submitted_on: date
    outcome: str = "pending"  # pending, granted, rejected, withdrawn, draft
    decided_after: int = 3  # days from submission to the decision or withdrawal
    purposes: tuple[str, ...] = ("sexual",)
    applicant: str = Applicant.SOCIAL_SERVICES


@dataclass(frozen=True)
class PersonSpec:
    opened_on: date
    sex: str = "female"
    born: date | None = date(1995, 5, 5)
    year_only: bool = False  # only the estimated birth year is known
    category: str | None = None  # None: from the age when the case opens
    closed_on: date | None = None
    applications: tuple[ApplicationSpec, ...] = ()
    support: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True)
class ContactSpec:
    contacted_at: datetime
    referral: str | None = None  # None, pending, accepted, declined
    after_hours: int = 5


@dataclass(frozen=True)
class DataSet:
    people: tuple[PersonSpec, ...] = ()
    contacts: tuple[ContactSpec, ...] = field(default_factory=tuple)


def moment(day: date, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def build(data: DataSet, *, coordinator: User, outreach_worker: User) -> list[Case]:
    """Write the data set through the services; the cases opened, in order."""
    cases = []
    for n, person in enumerate(data.people):
        fields: dict[str, object] = {"alias": f"Person {n}", "sex": person.sex}
        if person.born is not None:
            if person.year_only:
                fields["birth_year"] = person.born.year
            else:
                fields["date_of_birth"] = person.born
        case = casework.case_open_with_new_individual(
            by=coordinator,
            individual_fields=fields,
            coordinator=coordinator,
            opened_on=person.opened_on,
            origin="police",
            category=person.category,
        )
        cases.append(case)
        _applications(case, person.applications, coordinator)
        for kind, started_on in person.support:
            casework.support_measure_create(
                case=case, by=coordinator, type=kind, started_on=started_on
            )
        if person.closed_on is not None:
            case.refresh_from_db()
            casework.case_close(
                case=case, by=coordinator, closed_on=person.closed_on, reason="completed"
            )
    for n, contact in enumerate(data.contacts):
        _contact(n, contact, coordinator=coordinator, outreach_worker=outreach_worker)
    return cases


def _applications(case: Case, specs: tuple[ApplicationSpec, ...], by: User) -> None:
    ordered = sorted(specs, key=lambda spec: spec.submitted_on)
    for index, spec in enumerate(ordered):
        last = index == len(ordered) - 1
        if spec.outcome == "draft":
            if last:  # a draft keeps the case's one open application: only the last may be one
                reflection_period.application_create(
                    case=case, by=by, offence="trafficking", purposes=spec.purposes
                )
            continue
        police = spec.applicant != Applicant.SOCIAL_SERVICES
        application = reflection_period.application_create(
            case=case,
            by=by,
            offence="trafficking",
            purposes=spec.purposes,
            applicant=spec.applicant,
            legal_basis=LegalBasis.LONG_TERM if police else LegalBasis.REFLECTION_PERIOD,
            submitted_on=spec.submitted_on,
        )
        outcome = spec.outcome
        if outcome == "pending" and not last:
            outcome = "withdrawn"  # one open application per case: the earlier one ends
        day = spec.submitted_on + timedelta(days=spec.decided_after)
        if outcome in (Status.GRANTED, Status.REJECTED):
            reflection_period.application_record_decision(
                application=application,
                by=by,
                decision=outcome,
                decided_on=day,
                valid_from=day if outcome == Status.GRANTED else None,
            )
        elif outcome == Status.WITHDRAWN:
            reflection_period.application_withdraw(
                application=application, by=by, withdrawn_on=day, reason="Återtagen"
            )


def _contact(n: int, spec: ContactSpec, *, coordinator: User, outreach_worker: User) -> None:
    contact = outreach.contact_create(
        by=outreach_worker,
        contacted_at=spec.contacted_at,
        environment=Environment.ONLINE,
        district=None,
        staff=[outreach_worker],
        consent=ReferralConsent.YES,
    )
    if spec.referral is None:
        return
    referred_at = spec.contacted_at + timedelta(hours=1)
    referral = outreach.referral_create(
        contact=contact, by=outreach_worker, at=referred_at, send_notifications=False
    )
    handled_at = referred_at + timedelta(hours=spec.after_hours)
    if spec.referral == "accepted":
        outreach.referral_accept_with_new_individual(
            referral=referral,
            by=coordinator,
            individual_fields={"alias": f"Contact {n}", "birth_year": 1990},
            coordinator=coordinator,
            opened_on=timezone.localdate(handled_at),
            at=handled_at,
            send_notifications=False,
        )
    elif spec.referral == "declined":
        outreach.referral_decline(
            referral=referral,
            by=coordinator,
            reason="Ingen kontakt",
            at=handled_at,
            send_notifications=False,
        )
