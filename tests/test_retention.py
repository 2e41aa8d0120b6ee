"""Retention (gallring): which individuals are due, what a confirmed run removes and keeps, and
that nothing is culled without a manager's confirmation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry, Notification
from accounts.roles import Role
from casework import services as casework_services
from casework.models import (
    Case,
    ClosingReason,
    IdentityAuthorisation,
    Individual,
    JournalEntry,
    JournalKind,
    Origin,
)
from casework.personal_number import luhn_check_digit
from exportjobs.models import ExportJob
from outreach import services as outreach_services
from outreach.models import District, OutreachContact, Referral
from reflection_period import services as reflection_services
from reflection_period.models import ReflectionPeriodApplication
from retention import services, views
from retention.models import RetentionItem, RetentionRun
from retention.selectors import find_candidates, retention_cutoff
from retention.tasks import propose_retention
from tests.factories import CaseFactory, IndividualFactory, UserFactory
from tests.hardening_helpers import (
    POST,
    ROLES,
    all_routes,
    build_world,
    expectation_for,
    outcome,
    request_and_undo,
    user_for,
)

FAR = date(2040, 1, 1)  # a day when everything closed today is long due

# --- Who is due -------------------------------------------------------------------------------


def _closed_case(
    coordinator, *, closed_on: date, entries: tuple[date, ...] = (), born: date | None = None
) -> Case:
    individual = IndividualFactory.create(
        created_by=coordinator, date_of_birth=born, birth_year=None if born else 1990
    )
    case = CaseFactory.create(
        individual=individual,
        coordinator=coordinator,
        year=closed_on.year - 1,
        opened_on=date(closed_on.year - 1, 1, 10),
        closed_on=closed_on,
        closing_reason=ClosingReason.COMPLETED,
    )
    for day in entries:
        JournalEntry.objects.create(
            case=case, entry_date=day, kind=JournalKind.MEETING, text="x", author=coordinator
        )
    return case


def _due_ids(today: date) -> set[int]:
    return {c.individual_id for c in find_candidates(today=today).cull}


def test_the_cutoff_is_the_retention_years_back_and_29_february_becomes_28():
    assert retention_cutoff(date(2031, 6, 10), 5) == date(2026, 6, 10)
    assert retention_cutoff(date(2028, 2, 29), 5) == date(2023, 2, 28)


def test_last_journal_entry_more_than_five_years_ago_is_due_exactly_five_years_is_not(
    coordinator,
):
    today = date(2031, 6, 10)
    older = _closed_case(
        coordinator, closed_on=date(2026, 1, 10), entries=(date(2025, 1, 1), date(2026, 6, 9))
    )
    exactly = _closed_case(coordinator, closed_on=date(2026, 1, 10), entries=(date(2026, 6, 10),))
    due = _due_ids(today)
    assert older.individual_id in due
    assert exactly.individual_id not in due
    assert older.individual_id not in _due_ids(today - timedelta(days=1))


def test_without_journal_entries_the_closing_date_counts(coordinator):
    case = _closed_case(coordinator, closed_on=date(2026, 6, 10))
    assert case.individual_id not in _due_ids(date(2031, 6, 10))
    assert case.individual_id in _due_ids(date(2031, 6, 11))
    candidate = find_candidates(today=date(2031, 6, 11)).cull[0]
    assert (candidate.reference, candidate.case_numbers) == (
        case.individual.reference,
        (case.number,),
    )
    assert candidate.last_activity == date(2026, 6, 10)


def test_a_case_closed_after_its_last_entry_counts_from_the_closing(coordinator):
    case = _closed_case(coordinator, closed_on=date(2026, 6, 10), entries=(date(2025, 1, 1),))
    assert case.individual_id not in _due_ids(date(2031, 6, 10))


def test_an_open_case_keeps_the_individual_even_if_another_case_is_old(coordinator):
    case = _closed_case(coordinator, closed_on=date(2020, 1, 10))
    CaseFactory.create(
        individual=case.individual, coordinator=coordinator, category="minor", year=2021
    )
    assert case.individual_id not in _due_ids(FAR)


def test_a_recent_entry_in_any_case_of_the_individual_keeps_them(coordinator):
    case = _closed_case(coordinator, closed_on=date(2020, 1, 10))
    other = CaseFactory.create(
        individual=case.individual,
        coordinator=coordinator,
        year=2021,
        category="minor",
        opened_on=date(2021, 1, 1),
        closed_on=date(2021, 2, 1),
        closing_reason=ClosingReason.COMPLETED,
    )
    JournalEntry.objects.create(
        case=other, entry_date=date(2029, 1, 1), kind="other", text="x", author=coordinator
    )
    assert case.individual_id in _due_ids(date(2034, 1, 2))
    assert case.individual_id not in _due_ids(date(2034, 1, 1))


def test_born_on_the_5th_15th_or_25th_is_kept_for_research(coordinator, settings):
    kept = _closed_case(coordinator, closed_on=date(2020, 1, 10), born=date(1990, 3, 15))
    culled = _closed_case(coordinator, closed_on=date(2020, 1, 10), born=date(1990, 3, 14))
    unknown = _closed_case(coordinator, closed_on=date(2020, 1, 10))  # only a birth year
    candidates = find_candidates(today=FAR)
    assert [c.individual_id for c in candidates.keep] == [kept.individual_id]
    assert {c.individual_id for c in candidates.cull} == {
        culled.individual_id,
        unknown.individual_id,
    }
    settings.LOTSA_RETENTION_KEEP_BIRTH_DAYS = [14]
    assert [c.individual_id for c in find_candidates(today=FAR).keep] == [culled.individual_id]


def test_the_retention_years_are_a_setting(coordinator, settings):
    case = _closed_case(coordinator, closed_on=date(2020, 1, 10))
    assert case.individual_id not in _due_ids(date(2024, 1, 11))
    settings.LOTSA_RETENTION_YEARS = 3
    assert case.individual_id in _due_ids(date(2024, 1, 11))


# --- A whole person, culled -------------------------------------------------------------------

SECRET = {
    "given_name": "Vendela",
    "family_name": "Östgårdsmyr",
    "alias": "Kråkvinge",
    "phone": "070-555 19 73",
    "notes": "Anteckning-om-bostaden-vid-Slussen",
    "journal": "Journal-om-mötet-på-caféet",
    "corrected": "Rättelse-med-hemligt-namn",
    "draft": "Utkast-som-raderades",
    "closing": "Avslutad-efter-flytt-till-Malmö",
    "circumstances": "Omständigheter-i-ansökan",
    "agency_number": "MIG-4711-0815",
    "contact_alias": "Tranfjäder",
    "contact_description": "Grön-mössa-vid-Centralen",
    "contact_notes": "Kontaktanteckning-hemlig",
    "referral_note": "Meddelande-till-koordinatorn",
    "authorisation_reason": "Behörighet-för-att-hon-bor-hos-syster",
    "revoke_reason": "Återkallad-efter-flytt-till-Kiruna",
}
BORN = date(1990, 3, 14)


def _personal_number() -> str:
    base = f"{BORN:%y%m%d}238"
    return f"{BORN:%Y%m%d}238{luhn_check_digit(base)}"


def _person(coordinator, outreach_worker) -> Case:
    """Someone the unit worked with in 2026, through the services as the pages do it."""
    case = casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "given_name": "Vera",
            "family_name": SECRET["family_name"],
            "alias": SECRET["alias"],
            "personal_number": _personal_number(),
            "date_of_birth": BORN,
            "phone": SECRET["phone"],
            "notes": SECRET["notes"],
            "sex": "female",
            "citizenship": "NG",
        },
        coordinator=coordinator,
        opened_on=date(2026, 1, 5),
        origin=Origin.OUTREACH_REFERRAL,
        offence="trafficking",
        purposes=["sexual"],
    )
    individual = case.individual
    # An authorisation to see the identity (from when it was protected), since revoked by a
    # manager who has left the unit since.
    manager = UserFactory.create(username="retention-manager", roles=[Role.MANAGER])
    authorisation = IdentityAuthorisation.objects.create(
        individual=individual,
        user=coordinator,
        basis=IdentityAuthorisation.Basis.GRANTED,
        granted_by=manager,
        granted_at=timezone.now(),
        reason=SECRET["authorisation_reason"],
    )
    casework_services.identity_authorisation_revoke(
        authorisation=authorisation, by=manager, reason=SECRET["revoke_reason"]
    )
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    # A change, so the history holds an old and a new version of the name.
    casework_services.individual_update(
        individual=individual,
        by=coordinator,
        expected_version=individual.version,
        data={"given_name": SECRET["given_name"]},
    )
    entry = casework_services.journal_entry_create(
        case=case,
        author=coordinator,
        entry_date=date(2026, 1, 6),
        kind="meeting",
        text=SECRET["journal"],
    )
    casework_services.journal_entry_sign(entry=entry, by=coordinator)
    correction = casework_services.journal_entry_create(
        case=case,
        author=coordinator,
        entry_date=date(2026, 1, 7),
        kind="other",
        text=SECRET["corrected"],
        corrects=entry,
    )
    casework_services.journal_entry_sign(entry=correction, by=coordinator)
    draft = casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2026, 1, 8), kind="phone", text="x"
    )
    casework_services.journal_entry_update(
        entry=draft, by=coordinator, entry_date=date(2026, 1, 8), kind="phone", text=SECRET["draft"]
    )
    casework_services.journal_entry_delete(entry=draft, by=coordinator)
    casework_services.support_measure_create(
        case=case, by=coordinator, type="counselling", started_on=date(2026, 1, 6), notes="x"
    )
    application = reflection_services.application_create(
        case=case,
        by=coordinator,
        offence="trafficking",
        purposes=["sexual"],
        circumstances=SECRET["circumstances"],
    )
    application = reflection_services.application_submit(
        application=application,
        by=coordinator,
        submitted_on=date(2026, 1, 8),
        migration_agency_number=SECRET["agency_number"],
    )
    reflection_services.application_record_decision(
        application=application,
        by=coordinator,
        decision="granted",
        decided_on=date(2026, 1, 9),
        valid_from=date(2026, 1, 9),
    )
    contact = outreach_services.contact_create(
        by=outreach_worker,
        contacted_at=timezone.make_aware(datetime.combine(date(2026, 1, 2), time(22))),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[outreach_worker],
        alias=SECRET["contact_alias"],
        description=SECRET["contact_description"],
        notes=SECRET["contact_notes"],
        sex="female",
        consent="yes",
    )
    referral = outreach_services.referral_create(
        contact=contact, by=outreach_worker, note=SECRET["referral_note"], send_notifications=False
    )
    outreach_services.referral_accept_into_case(
        referral=referral, by=coordinator, case=case, send_notifications=False
    )
    case.refresh_from_db()
    casework_services.case_close(
        case=case,
        by=coordinator,
        closed_on=date(2026, 2, 1),
        reason=ClosingReason.LEFT_COUNTRY,
        note=SECRET["closing"],
    )
    case.refresh_from_db()
    return case


def _tables_containing(text: str) -> list[str]:
    """Every table of the database (live and history, every app) whose rows mention `text`."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            # The table names come from the database's own catalogue, quoted.
            query = f"SELECT 1 FROM {quoted} AS t WHERE t::text ILIKE %s LIMIT 1"  # noqa: S608
            cursor.execute(query, [f"%{text}%"])
            if cursor.fetchone():
                found.append(table)
    return found


@pytest.fixture
def person(coordinator, outreach_worker):
    return _person(coordinator, outreach_worker)


def test_before_the_cull_the_data_is_everywhere_a_test_would_look(person):
    assert _tables_containing(SECRET["given_name"]) == [
        "casework_casesearch",  # the search's copy of an unprotected person's names
        "casework_historicalindividual",
        "casework_individual",
    ]
    assert "casework_historicaljournalentry" in _tables_containing(SECRET["draft"])


def test_a_proposal_changes_nothing(person, manager):
    run = services.run_propose(by=manager, today=FAR)
    assert run.status == RetentionRun.Status.PROPOSED
    assert run.individuals_count == 1
    assert run.cases_count == 1
    assert run.cutoff == date(2035, 1, 1)
    item = run.items.get()
    assert (item.reference, item.case_numbers) == (person.individual.reference, person.number)
    assert item.last_activity == date(2026, 2, 1)
    person.individual.refresh_from_db()
    assert person.individual.given_name == SECRET["given_name"]
    for key in ("given_name", "journal", "circumstances", "contact_alias"):
        assert _tables_containing(SECRET[key]), key


def test_confirming_removes_the_personal_data_everywhere_also_from_the_history(person, manager):
    run = services.run_propose(by=manager, today=FAR)
    run = services.run_confirm(run=run, by=manager)
    assert run.status == RetentionRun.Status.DONE
    assert (run.culled_individuals, run.culled_journal_entries, run.skipped_count) == (1, 2, 0)
    assert run.confirmed_by == manager
    leaks = {key: _tables_containing(text) for key, text in SECRET.items()}
    assert leaks == {key: [] for key in SECRET}
    assert not _tables_containing(_personal_number())

    individual = Individual.objects.get(pk=person.individual_id)
    assert (individual.given_name, individual.family_name, individual.alias) == ("", "", "")
    assert (individual.personal_number, individual.phone, individual.notes) == (None, "", "")
    assert (individual.date_of_birth, individual.birth_year) == (None, 1990)
    assert (individual.sex, individual.citizenship.code) == ("female", "NG")
    assert individual.reference == person.individual.reference
    marker = f"[Gallrad {timezone.localdate():%Y-%m-%d}]"
    texts = set(JournalEntry.objects.filter(case=person).values_list("text", flat=True))
    assert texts == {marker}
    assert set(JournalEntry.history.filter(case_id=person.pk).values_list("text", flat=True)) == {
        marker
    }
    # The signed entries stay signed, and the correction still points to what it corrects.
    assert JournalEntry.objects.filter(case=person, signed_at__isnull=False).count() == 2
    assert JournalEntry.objects.filter(case=person, corrects__isnull=False).count() == 1
    history = list(individual.history.order_by("history_date"))
    assert len(history) >= 2
    assert {(h.given_name, h.date_of_birth, h.birth_year) for h in history} == {("", None, 1990)}

    case = Case.objects.get(pk=person.pk)
    assert (case.closed_on, case.closing_reason, case.category) == (
        date(2026, 2, 1),
        ClosingReason.LEFT_COUNTRY,
        "adult",
    )
    assert list(case.purposes.values_list("purpose", flat=True)) == ["sexual"]
    assert case.support_measures.get().type == "counselling"
    application = ReflectionPeriodApplication.objects.get(case=person)
    assert (application.status, application.submitted_on, application.decided_on) == (
        "granted",
        date(2026, 1, 8),
        date(2026, 1, 9),
    )
    assert (application.person_sex, application.person_age) == ("female", 35)
    assert (application.circumstances, application.migration_agency_number) == ("", "")
    contact = OutreachContact.objects.get(referrals__case=person)
    assert (contact.alias, contact.description, contact.notes) == ("", "", "")
    assert (contact.sex, contact.environment) == ("female", "street")
    assert Referral.objects.get(case=person).status == "accepted"


def test_a_culled_individual_is_never_listed_again(person, manager):
    services.run_confirm(run=services.run_propose(by=manager, today=FAR), by=manager)
    assert find_candidates(today=FAR).cull == []


def test_an_edit_form_opened_before_the_cull_cannot_write_the_old_data_back(
    person, manager, coordinator
):
    individual = person.individual
    stale_version = individual.version
    services.run_confirm(run=services.run_propose(by=manager, today=FAR), by=manager)
    with pytest.raises(ValidationError):
        casework_services.individual_update(
            individual=individual,
            by=coordinator,
            expected_version=stale_version,
            data={"given_name": SECRET["given_name"]},
        )


def test_a_case_reopened_after_the_proposal_is_skipped(person, manager, coordinator):
    run = services.run_propose(by=manager, today=FAR)
    casework_services.case_reopen(case=person, by=coordinator, reason="Ny kontakt")
    run = services.run_confirm(run=run, by=manager)
    assert (run.culled_individuals, run.skipped_count) == (0, 1)
    assert run.items.get().decision == RetentionItem.Decision.SKIPPED
    assert Individual.objects.get(pk=person.individual_id).given_name == SECRET["given_name"]


def test_a_kept_individual_is_listed_apart_and_keeps_everything(coordinator, manager):
    kept = _closed_case(coordinator, closed_on=date(2020, 1, 10), born=date(1990, 3, 25))
    run = services.run_confirm(run=services.run_propose(by=manager, today=FAR), by=manager)
    assert (run.kept_count, run.culled_individuals) == (1, 0)
    assert run.items.get().decision == RetentionItem.Decision.KEEP
    kept.individual.refresh_from_db()
    assert kept.individual.alias
    assert kept.individual.date_of_birth == date(1990, 3, 25)


def test_only_managers_propose_confirm_or_cancel(person, coordinator, manager, admin_user):
    for user in (coordinator, admin_user):
        with pytest.raises(PermissionDenied):
            services.run_propose(by=user, today=FAR)
    run = services.run_propose(by=manager, today=FAR)
    for user in (coordinator, admin_user):
        with pytest.raises(PermissionDenied):
            services.run_confirm(run=run, by=user)
        with pytest.raises(PermissionDenied):
            services.run_cancel(run=run, by=user)
    services.run_cancel(run=run, by=manager)
    with pytest.raises(ValidationError):
        services.run_confirm(run=run, by=manager)
    assert Individual.objects.get(pk=person.individual_id).given_name == SECRET["given_name"]


def test_a_new_proposal_replaces_the_waiting_one(person, manager):
    first = services.run_propose(by=manager, today=FAR)
    second = services.run_propose(by=None, today=FAR)
    first.refresh_from_db()
    assert first.status == RetentionRun.Status.CANCELLED
    assert first.cancelled_by is None
    assert second.is_proposed
    with pytest.raises(ValidationError):
        services.run_confirm(run=first, by=manager)


# --- The monthly task and the command ---------------------------------------------------------


def test_the_monthly_task_only_proposes_and_notifies_managers_without_personal_data(
    person, manager, coordinator, settings, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to(datetime(2040, 1, 1, 4, tzinfo=timezone.get_current_timezone()))
    with django_capture_on_commit_callbacks(execute=True):
        run_id = propose_retention.delay().get()
    run = RetentionRun.objects.get(pk=run_id)
    assert run.status == RetentionRun.Status.PROPOSED
    assert run.proposed_by is None
    assert run.individuals_count == 1
    assert Individual.objects.get(pk=person.individual_id).given_name == SECRET["given_name"]
    notification = Notification.objects.get(kind="retention.run_proposed")
    assert notification.recipient == manager
    assert notification.url == reverse("retention:run_detail", kwargs={"pk": run.pk})
    assert [message.to for message in mail.outbox] == [[manager.email]]
    message = mail.outbox[0]
    for text in [*SECRET.values(), person.individual.reference, person.number]:
        assert text not in message.subject
        assert text not in message.body
    schedule = settings.CELERY_BEAT_SCHEDULE["retention-monthly-proposal"]
    assert schedule["task"] == propose_retention.name == "retention.tasks.propose_retention"


def test_the_command_dry_runs_proposes_lists_and_confirms(person, manager, coordinator, capsys):
    call_command("retention", "--today", "2040-01-01")
    out = capsys.readouterr().out
    assert person.individual.reference in out
    assert "1 individuals in 1 cases due" in out
    assert SECRET["given_name"] not in out
    assert not RetentionRun.objects.exists()

    call_command("retention", "--propose", "--today", "2040-01-01")
    run = RetentionRun.objects.get()
    assert f"Proposal {run.pk}" in capsys.readouterr().out
    call_command("retention", "--list")
    assert "proposed" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("retention", "--confirm", str(run.pk))
    with pytest.raises(CommandError):
        call_command("retention", "--confirm", str(run.pk), "--user", coordinator.username)
    assert Individual.objects.get(pk=person.individual_id).given_name == SECRET["given_name"]
    call_command("retention", "--confirm", str(run.pk), "--user", manager.username)
    assert "1 individuals culled" in capsys.readouterr().out
    assert Individual.objects.get(pk=person.individual_id).given_name == ""


# --- The pages --------------------------------------------------------------------------------


def test_the_runs_and_the_dry_run_list_are_for_managers_only(
    person, manager, coordinator, outreach_worker, admin_user, outsider, client
):
    run = services.run_propose(by=manager, today=FAR)
    urls = [reverse("retention:run_list"), reverse("retention:run_detail", args=[run.pk])]
    for url in urls:
        client.logout()
        assert client.get(url).status_code == 302  # to the sign-in page
        for user in (coordinator, outreach_worker, admin_user, outsider):
            client.force_login(user)
            assert client.get(url).status_code == 403
        client.force_login(manager)
        page = client.get(url)
        assert page.status_code == 200
    assert person.individual.reference in page.content.decode()
    assert person.number in page.content.decode()
    for text in SECRET.values():
        assert text not in page.content.decode()
    # The list names individuals (by reference): reading it is logged.
    assert AccessLogEntry.objects.filter(
        user=manager, individual_id=person.individual_id, view_name="retention:run_detail"
    ).exists()


def test_confirming_needs_post_the_checkbox_and_a_csrf_token(person, manager, coordinator):
    run = services.run_propose(by=manager, today=FAR)
    url = reverse("retention:run_confirm", args=[run.pk])
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager)
    assert browser.get(url).status_code == 405
    assert browser.post(url, {"confirm": "on"}).status_code == 403  # no CSRF token
    page = browser.get(reverse("retention:run_detail", args=[run.pk]))
    token = page.cookies["csrftoken"].value
    unticked = browser.post(url, {"csrfmiddlewaretoken": token})
    assert unticked.status_code == 400
    assert "Kryssa i rutan" in unticked.content.decode()
    other = Client()
    other.force_login(coordinator)
    assert other.post(url, {"confirm": "on"}).status_code == 403
    run.refresh_from_db()
    assert run.is_proposed
    assert Individual.objects.get(pk=person.individual_id).given_name == SECRET["given_name"]

    done = browser.post(url, {"csrfmiddlewaretoken": token, "confirm": "on"}, follow=True)
    assert done.status_code == 200
    run.refresh_from_db()
    assert run.status == RetentionRun.Status.DONE
    assert run.confirmed_by == manager
    assert Individual.objects.get(pk=person.individual_id).given_name == ""


def test_cancelling_culls_nothing(person, manager, client):
    run = services.run_propose(by=manager, today=FAR)
    client.force_login(manager)
    response = client.post(reverse("retention:run_cancel", args=[run.pk]), follow=True)
    assert "Ingenting gallrades" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RetentionRun.Status.CANCELLED
    assert run.cancelled_by == manager
    assert Individual.objects.get(pk=person.individual_id).given_name == SECRET["given_name"]


def test_a_manager_makes_a_proposal_from_the_list(person, manager, client):
    client.force_login(manager)
    page = client.get(reverse("retention:run_list"))
    assert "Gallring" in page.content.decode()
    # A worker makes it (in-process here, once the request has committed); the job's page
    # leads to the list when it is ready.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("retention:run_propose"))
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("exportjobs:job", args=[job.pk])
    run = RetentionRun.objects.get()
    page = client.get(response["Location"])
    assert page["Location"] == reverse("retention:run_detail", args=[run.pk])
    polled = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert polled["HX-Redirect"] == reverse("retention:run_detail", args=[run.pk])
    assert "Ett nytt förslag tas fram" in client.get(page["Location"]).content.decode()
    assert run.proposed_by == manager
    assert run.today == timezone.localdate()


# --- The authorisation audit's rules, for these pages -----------------------------------------
# (tests/test_hardening_authorisation.py walks every URL; these walk retention's alone, against
# the same declared expectations, so a failure elsewhere in the walk cannot hide one here.)


@pytest.mark.parametrize("role", ROLES)
def test_the_retention_pages_answer_each_role_as_declared(db, role):
    world = build_world()
    user = user_for(world, role)
    routes = [route for route in all_routes() if route.key.startswith("retention:")]
    assert len(routes) == 5
    for route in routes:
        expected = expectation_for(route)
        assert expected is not None, route.key
        url = expected.url(route.key, world)
        got = outcome(request_and_undo(user, expected.method, url))
        assert got == expected.outcomes[role], f"{expected.method} {url}"


def test_every_retention_post_refuses_a_missing_csrf_token(db):
    world = build_world()
    for route in all_routes():
        if not route.key.startswith("retention:"):
            continue
        expected = expectation_for(route)
        assert expected is not None
        url = expected.url(route.key, world)
        response = request_and_undo(
            world.users["manager"], POST, url, client=Client(enforce_csrf_checks=True)
        )
        assert response.status_code == 403, url


def test_the_pages_of_a_culled_case_still_open_and_show_the_marker(person, manager, coordinator):
    services.run_confirm(run=services.run_propose(by=manager, today=FAR), by=manager)
    marker = f"[Gallrad {timezone.localdate():%Y-%m-%d}]"
    browser = Client()
    browser.force_login(coordinator)
    case_page = browser.get(reverse("casework:case_detail", args=[person.pk]))
    assert case_page.status_code == 200
    assert marker in case_page.content.decode()
    individual_page = browser.get(
        reverse("casework:individual_detail", args=[person.individual_id])
    )
    assert individual_page.status_code == 200
    for page in (case_page, individual_page):
        for text in SECRET.values():
            assert text not in page.content.decode()


def test_the_run_page_shows_one_list_at_a_time_paged_and_logs_only_what_it_shows(
    coordinator, manager, client, monkeypatch
):
    # National scale listed tens of thousands in one page (4.46 MB); now 25 a page.
    assert views.ITEMS_PER_PAGE == 25
    monkeypatch.setattr(views, "ITEMS_PER_PAGE", 2)
    due = [
        _closed_case(coordinator, closed_on=date(2020, 1, day), born=date(1990, 1, 1))
        for day in (1, 2, 3)
    ]
    kept = _closed_case(coordinator, closed_on=date(2020, 1, 4), born=date(1990, 1, 5))
    run = services.run_propose(by=manager, today=FAR)
    client.force_login(manager)
    url = reverse("retention:run_detail", args=[run.pk])

    first = client.get(url).content.decode()
    assert "Att gallra (3)" in first
    assert "Sparas för forskning (1)" in first
    assert "Sida 1 av 2" in first
    shown = [case.individual.reference for case in due]
    assert shown[0] in first
    assert shown[1] in first
    assert shown[2] not in first
    assert kept.individual.reference not in first
    logged = AccessLogEntry.objects.filter(view_name="retention:run_detail")
    assert [row.individual_id for row in logged.order_by("individual_id")] == sorted(
        case.individual_id for case in due[:2]
    )

    second = client.get(url, {"list": "cull", "page": "2"}).content.decode()
    assert shown[2] in second
    assert shown[0] not in second
    research = client.get(url, {"list": "keep"}).content.decode()
    assert kept.individual.reference in research
    assert shown[0] not in research
    # An unknown list or page falls back to the first list's first or last page.
    assert shown[0] in client.get(url, {"list": "nonsense", "page": "x"}).content.decode()
    assert AccessLogEntry.objects.filter(view_name="retention:run_detail").count() == 2 + 1 + 1 + 2


def test_the_dry_run_list_costs_the_same_queries_for_many_people(
    coordinator, manager, client, django_assert_max_num_queries
):
    for day in range(1, 29):
        _closed_case(coordinator, closed_on=date(2020, 1, day), born=date(1990, 1, 1))
    run = services.run_propose(by=manager, today=FAR)
    assert run.individuals_count == 28
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("retention:run_detail", args=[run.pk]))
    assert response.status_code == 200
    # The first page's rows, each logged (25 a page).
    assert AccessLogEntry.objects.filter(view_name="retention:run_detail").count() == 25
