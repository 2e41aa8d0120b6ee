"""Impossible dates are refused, field by field, with a Swedish message and nothing saved.

A date of birth from 1900 to today; a date of the unit's work from 1 January 2000, to today for
what has happened and to two years ahead for what may be planned (core/dates.py). The
database holds the fixed bounds too (named constraints), and a date far in the future no
longer overflows the deadline arithmetic or the log review's period into a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.models import Case, Consent, Individual, JournalEntry, SupportMeasure
from outreach.models import District, OutreachContact
from reflection_period import services as rp_services
from reflection_period.models import ReflectionPeriodApplication, Status
from reporting.models import Training
from tests.hardening_helpers import World, build_world

TOO_EARLY_WORK = "kan inte ligga före 1 januari 2000"
FUTURE = "kan inte ligga i framtiden"
TOO_FAR = "kan inte ligga mer än 2 år fram i tiden"
BIRTH_TOO_EARLY = "Ett födelsedatum före 1 januari 1900 är inte rimligt"
FAR_FUTURE = "9999-12-31"
TOO_FAR_AHEAD = "2099-06-01"


@pytest.fixture
def world(db) -> World:
    return build_world()


def _client(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def _today() -> str:
    return timezone.localdate().isoformat()


def _submitted(world: World) -> ReflectionPeriodApplication:
    return rp_services.application_submit(
        application=world.application,
        by=world.users["coordinator"],
        submitted_on=timezone.localdate() - timedelta(days=3),
    )


def _granted(world: World) -> ReflectionPeriodApplication:
    submitted = _submitted(world)
    return rp_services.application_record_decision(
        application=submitted,
        by=world.users["coordinator"],
        decision=Status.GRANTED,
        decided_on=timezone.localdate() - timedelta(days=1),
        valid_from=timezone.localdate(),
    )


def _draft_withdrawn(world: World) -> None:
    """A case has one open application at most: the world's draft makes way for a new one."""
    rp_services.application_withdraw(
        application=world.application,
        by=world.users["coordinator"],
        withdrawn_on=timezone.localdate(),
        reason="Ersatt.",
    )


@dataclass(frozen=True)
class DateForm:
    """A form with a date: who posts it, where, a valid submission, and the state it changes."""

    role: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    state: Callable[[World], Any]
    prepare: Callable[[World], Any] = lambda world: None


def _individual_state(world: World) -> Any:
    person = Individual.objects.get(pk=world.individual.pk)
    return (person.version, person.date_of_birth, person.birth_year, Individual.objects.count())


def _case_state(world: World) -> Any:
    case = Case.objects.get(pk=world.case.pk)
    return (case.version, case.opened_on, case.closed_on, Case.objects.count())


def _application_state(world: World) -> Any:
    application = ReflectionPeriodApplication.objects.get(pk=world.application.pk)
    return (application.version, ReflectionPeriodApplication.objects.count())


def _new_case_data(world: World) -> dict[str, Any]:
    return {
        "ind-alias": "Ny",
        "ind-sex": "female",
        "ind-protection": "none",
        "case-coordinator": world.users["coordinator"].pk,
        "case-opened_on": _today(),
        "case-origin": "police",
        "case-offence": "trafficking",
        "case-category": "adult",
        "confirm_new": "1",
    }


def _individual_data(world: World) -> dict[str, Any]:
    person = Individual.objects.get(pk=world.individual.pk)
    return {
        "alias": person.alias,
        "sex": person.sex,
        "date_of_birth": "",
        "personal_number": "",
        "protection": person.protection,
        "version": person.version,
    }


def _version(model: Any, pk_of: Callable[[World], int]) -> Callable[[World], int]:
    return lambda world: model.objects.get(pk=pk_of(world)).version


FORMS: dict[str, DateForm] = {
    "new case": DateForm(
        "coordinator",
        lambda w: reverse("casework:case_create"),
        _new_case_data,
        lambda w: (Individual.objects.count(), Case.objects.count()),
    ),
    "individual": DateForm(
        "coordinator",
        lambda w: reverse("casework:individual_edit", args=[w.individual.pk]),
        _individual_data,
        _individual_state,
    ),
    "case edit": DateForm(
        "coordinator",
        lambda w: reverse("casework:case_edit", args=[w.case.pk]),
        lambda w: {
            "category": "adult",
            "opened_on": "2025-03-01",
            "offence": "trafficking",
            "origin": "police",
            "version": Case.objects.get(pk=w.case.pk).version,
        },
        _case_state,
    ),
    "close case": DateForm(
        "coordinator",
        lambda w: reverse("casework:case_close", args=[w.case.pk]),
        lambda w: {
            "closed_on": _today(),
            "reason": "completed",
            "version": Case.objects.get(pk=w.case.pk).version,
        },
        _case_state,
    ),
    "journal entry": DateForm(
        "coordinator",
        lambda w: reverse("casework:journal_create", args=[w.case.pk]),
        lambda w: {"entry_date": _today(), "kind": "meeting", "text": "Samtal."},
        lambda w: JournalEntry.objects.count(),
    ),
    "support": DateForm(
        "coordinator",
        lambda w: reverse("casework:support_create", args=[w.case.pk]),
        lambda w: {"type": "interpreter", "started_on": _today()},
        lambda w: SupportMeasure.objects.count(),
    ),
    "support end": DateForm(
        "coordinator",
        lambda w: reverse("casework:support_end", args=[w.case.pk, w.measure.pk]),
        lambda w: {"ended_on": _today()},
        lambda w: SupportMeasure.objects.get(pk=w.measure.pk).ended_on,
    ),
    "organisation link": DateForm(
        "coordinator",
        lambda w: reverse("casework:organisation_link_create", args=[w.case.pk]),
        lambda w: {
            "organisation": w.consent.organisation_id,
            "linked_on": _today(),
            "purpose": "B",
        },
        lambda w: type(w.link).objects.count(),
    ),
    "consent": DateForm(
        "coordinator",
        lambda w: reverse("casework:consent_create", args=[w.case.pk]),
        lambda w: {
            "organisation": type(w.link.organisation)
            .objects.filter(active=True)
            .exclude(pk=w.consent.organisation_id)[0]
            .pk,
            "given_on": _today(),
        },
        lambda w: Consent.objects.count(),
    ),
    "consent withdrawal": DateForm(
        "coordinator",
        lambda w: reverse("casework:consent_withdraw", args=[w.case.pk, w.consent.pk]),
        lambda w: {"withdrawn_on": _today()},
        lambda w: Consent.objects.get(pk=w.consent.pk).withdrawn_on,
    ),
    "application already sent": DateForm(
        "coordinator",
        lambda w: reverse("reflection_period:application_create", args=[w.case.pk]),
        lambda w: {
            "applicant": "police",
            "legal_basis": "ch5_s15_p1",
            "offence": "trafficking",
            "purposes": ["sexual"],
            "submitted_on": _today(),
        },
        lambda w: ReflectionPeriodApplication.objects.count(),
        prepare=_draft_withdrawn,
    ),
    "application submit": DateForm(
        "coordinator",
        lambda w: reverse("reflection_period:application_submit", args=[w.application.pk]),
        lambda w: {
            "submitted_on": _today(),
            "version": ReflectionPeriodApplication.objects.get(pk=w.application.pk).version,
        },
        _application_state,
    ),
    "decision": DateForm(
        "coordinator",
        lambda w: reverse("reflection_period:application_decide", args=[w.application.pk]),
        lambda w: {
            "decision": "granted",
            "decided_on": _today(),
            "valid_from": _today(),
            "version": ReflectionPeriodApplication.objects.get(pk=w.application.pk).version,
        },
        _application_state,
        prepare=_submitted,
    ),
    "permit": DateForm(
        "coordinator",
        lambda w: reverse("reflection_period:application_permit", args=[w.application.pk]),
        lambda w: {
            "valid_from": _today(),
            "valid_to": (timezone.localdate() + timedelta(days=29)).isoformat(),
            "version": ReflectionPeriodApplication.objects.get(pk=w.application.pk).version,
        },
        _application_state,
        prepare=_granted,
    ),
    "next step": DateForm(
        "coordinator",
        lambda w: reverse("reflection_period:application_next_step", args=[w.application.pk]),
        lambda w: {
            "next_step": "safe_return",
            "next_step_on": _today(),
            "version": ReflectionPeriodApplication.objects.get(pk=w.application.pk).version,
        },
        _application_state,
        prepare=_granted,
    ),
    "withdrawal": DateForm(
        "coordinator",
        lambda w: reverse("reflection_period:application_withdraw", args=[w.application.pk]),
        lambda w: {
            "withdrawn_on": _today(),
            "reason": "Rest.",
            "version": ReflectionPeriodApplication.objects.get(pk=w.application.pk).version,
        },
        _application_state,
    ),
    "training": DateForm(
        "manager",
        lambda w: reverse("reporting:training_create"),
        lambda w: {
            "held_on": _today(),
            "title": "Utbildning",
            "audience": "Socialsekreterare",
            "organiser": "Enheten",
            "participants": 10,
        },
        lambda w: Training.objects.count(),
    ),
    "outreach contact": DateForm(
        "outreach",
        lambda w: reverse("outreach:contact_create"),
        lambda w: {
            "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "environment": "street",
            "district": District.objects.get(code="norrmalm").pk,
            "staff": [w.users["outreach"].pk],
            "sex": "female",
            "age_group": "26_35",
            "consent": "yes",
        },
        lambda w: OutreachContact.objects.count(),
    ),
}

# (form, field, typed value, a part of the Swedish message)
CASES = [
    ("new case", "ind-date_of_birth", "1800-05-05", BIRTH_TOO_EARLY),
    ("new case", "ind-date_of_birth", "2099-01-01", "Födelsedatumet kan inte ligga i framtiden"),
    ("new case", "ind-birth_year", "2099", "Födelseåret kan inte ligga i framtiden"),
    ("new case", "ind-birth_year", "1850", "mellan 1900 och 2100"),
    ("new case", "case-opened_on", "1900-01-01", TOO_EARLY_WORK),
    ("new case", "case-opened_on", FAR_FUTURE, "kan inte öppnas i framtiden"),
    ("individual", "date_of_birth", "1800-05-05", BIRTH_TOO_EARLY),
    ("individual", "date_of_birth", FAR_FUTURE, "Födelsedatumet kan inte ligga i framtiden"),
    ("individual", "birth_year", "2099", "Födelseåret kan inte ligga i framtiden"),
    ("case edit", "opened_on", "1999-12-31", TOO_EARLY_WORK),
    ("close case", "closed_on", "1900-01-01", TOO_EARLY_WORK),
    ("close case", "closed_on", FAR_FUTURE, FUTURE),
    ("journal entry", "entry_date", "1900-01-01", TOO_EARLY_WORK),
    ("journal entry", "entry_date", FAR_FUTURE, FUTURE),
    ("support", "started_on", "1900-01-01", TOO_EARLY_WORK),
    ("support", "started_on", TOO_FAR_AHEAD, TOO_FAR),
    ("support", "ended_on", FAR_FUTURE, TOO_FAR),
    ("support end", "ended_on", FAR_FUTURE, TOO_FAR),
    ("support end", "ended_on", "1900-01-01", TOO_EARLY_WORK),
    ("organisation link", "linked_on", "1900-01-01", TOO_EARLY_WORK),
    ("organisation link", "linked_on", FAR_FUTURE, TOO_FAR),
    ("consent", "given_on", "1900-01-01", TOO_EARLY_WORK),
    ("consent", "given_on", FAR_FUTURE, FUTURE),
    ("consent withdrawal", "withdrawn_on", FAR_FUTURE, FUTURE),
    ("application already sent", "submitted_on", "1900-01-01", TOO_EARLY_WORK),
    ("application submit", "submitted_on", "1900-01-01", TOO_EARLY_WORK),
    ("application submit", "submitted_on", FAR_FUTURE, FUTURE),
    ("decision", "decided_on", "1900-01-01", TOO_EARLY_WORK),
    ("decision", "valid_from", FAR_FUTURE, TOO_FAR),
    ("decision", "valid_to", FAR_FUTURE, TOO_FAR),
    ("decision", "cost_responsibility_on", "1900-01-01", TOO_EARLY_WORK),
    ("permit", "valid_from", "1900-01-01", TOO_EARLY_WORK),
    ("permit", "valid_to", FAR_FUTURE, TOO_FAR),
    ("permit", "cost_responsibility_on", TOO_FAR_AHEAD, TOO_FAR),
    ("next step", "next_step_on", "1900-01-01", TOO_EARLY_WORK),
    ("next step", "next_step_on", FAR_FUTURE, FUTURE),
    ("withdrawal", "withdrawn_on", "1900-01-01", TOO_EARLY_WORK),
    ("training", "held_on", TOO_FAR_AHEAD, TOO_FAR),
    ("training", "held_on", "1900-01-01", "från 2015"),
    ("outreach contact", "contacted_at", "1900-01-01T10:00", "kan inte ligga före 1 januari 2000"),
]


@pytest.mark.parametrize(("form", "name", "value", "message"), CASES)
def test_an_impossible_date_is_refused_in_swedish_and_nothing_is_saved(
    world, form, name, value, message
):
    spec = FORMS[form]
    spec.prepare(world)
    client = _client(world, spec.role)
    url = spec.url(world)
    # The spec is right: the valid data saves (rolled back), so the refusal below is the date's.
    with transaction.atomic():
        accepted = client.post(url, spec.data(world))
        assert accepted.status_code == 302, accepted.content.decode()[:2000]
        transaction.set_rollback(True)
    before = spec.state(world)
    response = client.post(url, {**spec.data(world), name: value})
    page = response.content.decode()
    assert response.status_code == 400, page[:2000]
    assert message in page
    assert spec.state(world) == before


def test_the_last_plausible_days_are_accepted(world):
    """The bounds themselves are allowed: the first day of 2000, today, two years ahead."""
    client = _client(world, "coordinator")
    ahead = timezone.localdate().replace(year=timezone.localdate().year + 2)
    response = client.post(
        reverse("casework:support_create", args=[world.case.pk]),
        {"type": "interpreter", "started_on": "2000-01-01", "ended_on": ahead.isoformat()},
    )
    assert response.status_code == 302
    assert SupportMeasure.objects.filter(started_on=date(2000, 1, 1), ended_on=ahead).exists()
    born = client.post(
        reverse("casework:case_create"),
        {**_new_case_data(world), "ind-date_of_birth": "1900-01-01", "case-category": "adult"},
    )
    assert born.status_code == 302


# --- The services refuse them too, before any date arithmetic -------------------------------------


def test_a_service_refuses_a_far_future_permit_without_overflowing(world):
    submitted = _submitted(world)
    with pytest.raises(ValidationError) as refused:
        rp_services.application_record_decision(
            application=submitted,
            by=world.users["coordinator"],
            decision=Status.GRANTED,
            decided_on=timezone.localdate(),
            valid_from=date(9999, 12, 31),
        )
    assert "valid_from" in refused.value.message_dict


def test_a_service_refuses_an_early_journal_date(world):
    from casework import services

    with pytest.raises(ValidationError) as refused:
        services.journal_entry_create(
            case=world.case,
            author=world.users["coordinator"],
            entry_date=date(1900, 1, 1),
            kind="meeting",
            text="x",
        )
    assert "entry_date" in refused.value.message_dict


# --- The database's fixed bounds ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "pk_of", "updates"),
    [
        (Individual, lambda w: w.individual.pk, {"date_of_birth": date(1899, 12, 31)}),
        (Case, lambda w: w.case.pk, {"opened_on": date(1999, 12, 31)}),
        (JournalEntry, lambda w: w.signed_entry.pk, {"entry_date": date(1999, 12, 31)}),
        (SupportMeasure, lambda w: w.measure.pk, {"ended_on": date(2101, 1, 1)}),
        (Consent, lambda w: w.consent.pk, {"given_on": date(1999, 12, 31)}),
        (
            ReflectionPeriodApplication,
            lambda w: w.application.pk,
            {"status": Status.SUBMITTED, "submitted_on": date(1999, 1, 1)},
        ),
        (Training, lambda w: w.training.pk, {"held_on": date(2101, 1, 1)}),
        (
            OutreachContact,
            lambda w: w.contact.pk,
            {"contacted_at": datetime(1999, 12, 31, 12, tzinfo=timezone.get_current_timezone())},
        ),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_the_database_refuses_dates_outside_the_fixed_bounds(world, model, pk_of, updates):
    assert model.objects.filter(pk=pk_of(world)).exists()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=pk_of(world)).update(**updates)


# --- The log review's period -----------------------------------------------------------------------


@pytest.mark.parametrize("params", [{"date_to": FAR_FUTURE}, {"date_from": "0001-01-01"}])
def test_the_log_review_refuses_a_period_outside_the_bounds(world, params):
    client = _client(world, "manager")
    for view in ("audit:access_log", "audit:access_log_export"):
        response = client.get(reverse(view), params)
        assert response.status_code == 400, view
        assert "Välj ett datum mellan 1 januari 2000 och 31 december 2100" in (
            response.content.decode()
        )
