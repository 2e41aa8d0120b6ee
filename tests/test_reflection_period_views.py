"""Reflection-period pages: who may open them, what they show, and bad input."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessAction, AccessLogEntry, Notification
from casework.models import Protection
from reflection_period import services
from reflection_period.models import (
    Applicant,
    LegalBasis,
    NextStep,
    ReflectionPeriodApplication,
    Reminder,
    Status,
)
from reflection_period.workdays import subtract_working_days
from tests.factories import UserFactory
from tests.reflection_period_helpers import draft, granted, open_case, submitted

TODAY = timezone.localdate


@pytest.fixture
def case(coordinator):
    return open_case(
        coordinator,
        opened_on=date(2025, 3, 3),
        given_name="Ana",
        family_name="Popescu",
        date_of_birth=date(1994, 5, 17),
        birth_year=None,
    )


@pytest.fixture
def application(case):
    return draft(case, circumstances="Hon har tvingats sälja sex i Stockholm.")


@pytest.fixture
def permit(coordinator):
    other_case = open_case(coordinator, opened_on=date(2025, 2, 3), alias="Lilja")
    return granted(other_case, submitted_on=date(2025, 2, 10), valid_from=date(2025, 2, 12))


def _urls(application, permit):
    read = [
        reverse("reflection_period:application_detail", args=[application.pk]),
        reverse("reflection_period:deadline_board"),
        reverse("reflection_period:application_pdf", args=[application.pk]),
    ]
    write = [
        reverse("reflection_period:application_create", args=[application.case_id]),
        reverse("reflection_period:application_edit", args=[application.pk]),
        reverse("reflection_period:application_submit", args=[application.pk]),
        reverse("reflection_period:application_decide", args=[application.pk]),
        reverse("reflection_period:application_withdraw", args=[application.pk]),
        reverse("reflection_period:application_permit", args=[permit.pk]),
        reverse("reflection_period:application_next_step", args=[permit.pk]),
    ]
    return read, write


# --- Who may open what ----------------------------------------------------------------------------


def test_coordinator_reaches_every_page(client, coordinator, application, permit):
    read, write = _urls(application, permit)
    client.force_login(coordinator)
    for url in read + write:
        assert client.get(url).status_code == 200, url


def test_manager_reads_but_cannot_change(client, manager, application, permit):
    read, write = _urls(application, permit)
    client.force_login(manager)
    for url in read:
        assert client.get(url).status_code == 200, url
    for url in write:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url
    application.refresh_from_db()
    assert application.status == Status.DRAFT


@pytest.mark.parametrize("persona", ["outreach_worker", "outsider", "admin_user"])
def test_other_roles_get_404_everywhere(request, client, application, permit, persona):
    read, write = _urls(application, permit)
    client.force_login(request.getfixturevalue(persona))
    for url in read + write:
        assert client.get(url).status_code == 404, url
    for url in write:
        assert client.post(url, {}).status_code == 404, url


def test_anonymous_users_are_sent_to_login(client, application, permit):
    read, write = _urls(application, permit)
    for url in read + write:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response.url, url


def test_unknown_application_is_404(client, coordinator):
    client.force_login(coordinator)
    assert (
        client.get(reverse("reflection_period:application_detail", args=[9999])).status_code == 404
    )


def test_a_reminder_is_acknowledged_only_by_its_recipient(
    client, coordinator, other_coordinator, manager, case, django_capture_on_commit_callbacks
):
    submitted(case, subtract_working_days(TODAY(), 6))
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_scan()
    reminder = Reminder.objects.get()
    url = reverse("reflection_period:reminder_acknowledge", args=[reminder.pk])
    for person in (other_coordinator, manager):
        client.force_login(person)
        assert client.post(url).status_code == 404
    client.force_login(coordinator)
    assert client.get(url).status_code == 405
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "kvitterad" in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.acknowledged_at is not None
    assert Notification.objects.get(recipient=coordinator).read_at is not None
    assert Notification.objects.get(recipient=manager).read_at is None


# --- Applying and recording -----------------------------------------------------------------------


def test_the_application_form_is_prefilled_from_the_case(client, coordinator, case):
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:application_create", args=[case.pk]))
    form = page.context["form"]
    assert form["offence"].value() == "trafficking"
    assert form["purposes"].value() == ["sexual"]
    assert form["applicant"].value() == Applicant.SOCIAL_SERVICES
    assert form["legal_basis"].value() == LegalBasis.REFLECTION_PERIOD
    assert "Ansök om betänketid" in page.content.decode()


def test_a_whole_application_through_the_pages(client, coordinator, case):
    client.force_login(coordinator)
    response = client.post(
        reverse("reflection_period:application_create", args=[case.pk]),
        {
            "applicant": "social_services",
            "legal_basis": "ch5_s15_p2",
            "offence": "trafficking",
            "purposes": ["sexual", "criminality"],
            "circumstances": "Rekryterad med löfte om arbete.",
        },
    )
    application = ReflectionPeriodApplication.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reflection_period:application_detail", args=[application.pk])
    page = client.get(response.url).content.decode()
    assert "Utkast" in page
    assert "Rekryterad med löfte om arbete." in page
    assert "Utkastet ska skickas senast" in page

    def post(name, data):
        application.refresh_from_db()
        url = reverse(f"reflection_period:application_{name}", args=[application.pk])
        response = client.post(url, {"version": application.version, **data})
        assert response.status_code == 302, response.content.decode()[:3000]

    post("submit", {"submitted_on": "2025-03-10", "migration_agency_number": "25-1234"})
    post(
        "decide",
        {"decision": "granted", "decided_on": "2025-03-12", "valid_from": "2025-03-12"},
    )
    post(
        "permit",
        {
            "valid_from": "2025-03-12",
            "valid_to": "2025-04-12",
            "cost_responsibility_on": "2025-03-12",
        },
    )
    post("next_step", {"next_step": NextStep.POLICE_REPORT, "next_step_on": "2025-04-01"})
    application.refresh_from_db()
    assert application.status == Status.GRANTED
    assert application.valid_to == date(2025, 4, 12)
    assert application.next_step == NextStep.POLICE_REPORT
    assert application.due_kind == ""

    case_page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Betänketid i 30 dagar (5 kap. 15 § andra stycket UtlL)" in case_page
    assert "Beviljad" in case_page
    assert "Ansökan skickad till Migrationsverket" in case_page  # timeline
    assert "Tillstånd beviljat" in case_page
    assert "Nästa steg registrerat" in case_page
    assert "Polisanmälan gjord" in case_page
    # Decided: a new application may be started again.
    assert reverse("reflection_period:application_create", args=[case.pk]) in case_page


def test_the_case_page_offers_to_apply_only_when_possible(client, coordinator, manager, case):
    client.force_login(coordinator)
    apply_url = reverse("reflection_period:application_create", args=[case.pk])
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Ingen ansökan om betänketid i detta ärende." in page
    assert apply_url in page
    draft(case)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert apply_url not in page  # one pending application per case
    assert "Utkast" in page
    client.force_login(manager)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Utkast" in page
    assert apply_url not in page


def test_a_decision_before_the_submission_gets_a_swedish_error_by_the_field(
    client, coordinator, case
):
    application = submitted(case, date(2025, 3, 10))
    client.force_login(coordinator)
    response = client.post(
        reverse("reflection_period:application_decide", args=[application.pk]),
        {"version": application.version, "decision": "rejected", "decided_on": "2025-03-07"},
    )
    assert response.status_code == 400
    message = "Beslutsdatumet kan inte vara före den dag ansökan skickades in."
    assert response.context["form"].errors["decided_on"] == [message]
    page = response.content.decode()
    assert "Formuläret kunde inte sparas" in page  # the summary at the top
    assert page.count(message) == 2  # in the summary and next to the field
    application.refresh_from_db()
    assert (application.status, application.decided_on) == (Status.SUBMITTED, None)


def test_a_permit_ending_before_it_starts_is_refused(client, coordinator, permit):
    client.force_login(coordinator)
    response = client.post(
        reverse("reflection_period:application_permit", args=[permit.pk]),
        {"version": permit.version, "valid_from": "2025-02-12", "valid_to": "2025-02-11"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["valid_to"] == [
        "Tillståndet kan inte upphöra innan det börjar gälla."
    ]
    permit.refresh_from_db()
    assert permit.valid_to == date(2025, 3, 13)


def test_a_second_pending_application_is_refused(client, coordinator, application):
    client.force_login(coordinator)
    response = client.post(
        reverse("reflection_period:application_create", args=[application.case_id]),
        {
            "applicant": "social_services",
            "legal_basis": "ch5_s15_p2",
            "offence": "trafficking",
            "purposes": ["sexual"],
        },
    )
    assert response.status_code == 400
    assert "Ärendet har redan en ansökan som inte är beslutad eller återkallad" in (
        response.content.decode()
    )
    assert ReflectionPeriodApplication.objects.count() == 1


def test_the_social_services_cannot_apply_for_an_extension(client, coordinator, case):
    client.force_login(coordinator)
    response = client.post(
        reverse("reflection_period:application_create", args=[case.pk]),
        {
            "applicant": "social_services",
            "legal_basis": "extension",
            "offence": "trafficking",
            "purposes": ["sexual"],
        },
    )
    assert response.status_code == 400
    assert "Socialnämnden kan bara ansöka om betänketid i 30 dagar" in " ".join(
        response.context["form"].errors["legal_basis"]
    )
    assert not ReflectionPeriodApplication.objects.exists()


def test_missing_input_is_named_in_swedish(client, coordinator, application):
    client.force_login(coordinator)
    response = client.post(
        reverse("reflection_period:application_withdraw", args=[application.pk]),
        {"version": application.version, "withdrawn_on": "", "reason": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Detta fält måste fyllas i."]
    application.refresh_from_db()
    assert application.status == Status.DRAFT


def test_a_stale_form_is_refused_and_the_newer_data_kept(client, coordinator, application):
    client.force_login(coordinator)
    old_version = application.version
    services.application_update(
        application=application,
        by=coordinator,
        expected_version=old_version,
        data={"notes": "Ändrat av en kollega."},
    )
    response = client.post(
        reverse("reflection_period:application_submit", args=[application.pk]),
        {"version": old_version, "submitted_on": "2025-03-10"},
    )
    assert response.status_code == 400
    assert "Någon annan har sparat ändringar efter att du öppnade formuläret" in (
        response.content.decode()
    )
    application.refresh_from_db()
    assert application.status == Status.DRAFT


# --- The deadline board ---------------------------------------------------------------------------


@pytest.fixture
def unit_deadlines(coordinator, other_coordinator):
    today = TODAY()
    mine = submitted(
        open_case(coordinator, opened_on=today - timedelta(days=90), alias="Mira"),
        subtract_working_days(today, 6),
    )
    theirs = submitted(
        open_case(other_coordinator, opened_on=today - timedelta(days=90), alias="Vera"),
        subtract_working_days(today, 1),
    )
    return mine, theirs


def test_the_board_shows_my_cases_first_and_the_unit_on_request(
    client, coordinator, unit_deadlines
):
    mine, theirs = unit_deadlines
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:deadline_board")).content.decode()
    assert mine.case.number in page
    assert theirs.case.number not in page
    assert "Försenad" in page  # six working days: overdue
    assert "Regler för påminnelser" in page
    assert "Inget beslut 2 arbetsdagar efter inskickad ansökan" in page
    unit = client.get(reverse("reflection_period:deadline_board"), {"scope": "unit"})
    text = unit.content.decode()
    assert mine.case.number in text
    assert theirs.case.number in text
    assert text.index(mine.case.number) < text.index(theirs.case.number)  # soonest first
    assert "Väntar" in text
    partial = client.get(
        reverse("reflection_period:deadline_board"), {"scope": "unit"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode()
    assert theirs.case.number in partial.content.decode()
    only_overdue = client.get(
        reverse("reflection_period:deadline_board"), {"scope": "unit", "overdue": "on"}
    ).content.decode()
    assert theirs.case.number not in only_overdue
    logged = AccessLogEntry.objects.filter(view_name="reflection_period:deadline_board")
    assert logged.filter(object_id=str(mine.pk), action=AccessAction.VIEW).exists()


def test_the_board_shows_each_deadlines_latest_reminder(client, coordinator, unit_deadlines):
    mine, theirs = unit_deadlines
    for rule, days_ago in [("decision_pending", 4), ("decision_overdue", 1)]:
        Reminder.objects.create(
            application=mine,
            rule=rule,
            key=f"{mine.pk}:{rule}",
            recipient=coordinator,
            due_on=TODAY(),
        )
        Reminder.objects.filter(application=mine, rule=rule).update(
            created_at=timezone.now() - timedelta(days=days_ago)
        )
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:deadline_board"), {"scope": "unit"})
    rows = {
        number: row
        for row in page.content.decode().split("<tr")
        for number in (mine.case.number, theirs.case.number)
        if number in row
    }
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1)).date()
    assert f"Beslutet dröjer ({yesterday.isoformat()})" in rows[mine.case.number]
    assert "Inget beslut ännu (" not in rows[mine.case.number]
    assert "–</td>" in rows[theirs.case.number]  # no reminder yet


def test_managers_see_the_whole_unit(client, manager, unit_deadlines):
    mine, theirs = unit_deadlines
    client.force_login(manager)
    page = client.get(reverse("reflection_period:deadline_board")).content.decode()
    assert mine.case.number in page
    assert theirs.case.number in page


def test_the_board_pages_by_25_soonest_first(client, coordinator):
    today = TODAY()
    applications = [
        submitted(
            open_case(coordinator, opened_on=today - timedelta(days=90), alias=f"P{number}"),
            subtract_working_days(today, number % 5),
        )
        for number in range(30)
    ]
    client.force_login(coordinator)
    board = reverse("reflection_period:deadline_board")
    first = client.get(board).content.decode()
    second = client.get(board, {"page": "2"}).content.decode()
    assert "30 bevakningar" in first
    assert "Sida 1 av 2" in first
    assert "Sida 2 av 2" in second

    def shown(page: str) -> list[str]:
        return [a.case.number for a in applications if a.case.number in page]

    assert len(shown(first)) == 25
    assert len(shown(second)) == 5
    assert not set(shown(first)) & set(shown(second))
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', first + second)
    assert dates == sorted(dates)


def test_the_board_and_the_start_page_run_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    today = TODAY()

    def add(count, start):
        for number in range(start, start + count):
            case = open_case(coordinator, opened_on=today - timedelta(days=90), alias=f"P{number}")
            submitted(case, subtract_working_days(today, number % 7))
        services.reminders_scan()

    add(3, 0)
    client.force_login(coordinator)
    board = reverse("reflection_period:deadline_board")
    start = reverse("home:start_coordinator")
    client.get(board)  # warm the session
    for size in (3, 23):
        # Board: session, user, roles, count, page (with each row's latest reminder), access
        # log, unread notifications, the navigation's count of waiting referrals.
        with django_assert_max_num_queries(8):
            page = client.get(board).content.decode()
        assert f"{size} bevakningar" in page
        # Start page: session, user, roles, my cases, my deadlines, my unacknowledged
        # reminders, the access log of the cases they show, unread notifications, and
        # outreach's new referrals, their count (the navigation's too) and their access log.
        with django_assert_max_num_queries(12):
            assert client.get(start).status_code == 200
        if size == 3:
            add(20, 3)


def test_the_case_page_runs_a_fixed_number_of_queries(
    client, coordinator, django_assert_max_num_queries
):
    today = TODAY()
    case = open_case(coordinator, opened_on=today - timedelta(days=200))
    client.force_login(coordinator)
    url = reverse("casework:case_detail", args=[case.pk])
    client.get(url)
    for round_ in range(3):
        # casework's 12, plus the applications' events, reminders, applications and purposes,
        # and outreach's referrals on the timeline and the navigation's count of waiting referrals,
        # and the change history's two (the case's versions and its journal's).
        with django_assert_max_num_queries(20):
            assert client.get(url).status_code == 200
        application = granted(
            case,
            submitted_on=today - timedelta(days=60 - 20 * round_),
            valid_from=today - timedelta(days=58 - 20 * round_),
        )
        services.reminders_scan()
        services.application_record_next_step(
            application=application,
            by=coordinator,
            next_step=NextStep.SAFE_RETURN,
            next_step_on=today,
        )
    assert ReflectionPeriodApplication.objects.filter(case=case).count() == 3


def test_protected_identities_stay_masked_on_the_board(client, coordinator, other_coordinator):
    case = open_case(
        other_coordinator,
        opened_on=TODAY() - timedelta(days=90),
        given_name="Hemlig",
        family_name="Person",
        protection=Protection.PROTECTED_REGISTRATION,
    )
    submitted(case, subtract_working_days(TODAY(), 1))
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:deadline_board"), {"scope": "unit"})
    text = page.content.decode()
    assert case.number in text
    assert "Hemlig" not in text
    assert "Skyddad" in text


# --- Start pages ----------------------------------------------------------------------------------


def test_the_coordinator_start_page_lists_my_deadlines_and_reminders(
    client, coordinator, unit_deadlines, django_capture_on_commit_callbacks
):
    mine, _theirs = unit_deadlines
    today = TODAY()
    soon = granted(
        open_case(coordinator, opened_on=today - timedelta(days=90), alias="Iris"),
        submitted_on=today - timedelta(days=30),
        valid_from=today - timedelta(days=26),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_scan()
    client.force_login(coordinator)
    page = client.get(reverse("home:start_coordinator")).content.decode()
    assert "Mina bevakningar" in page
    assert page.index(mine.case.number) < page.index(soon.case.number)  # overdue first
    assert "Går snart ut" in page
    assert "Påminnelser som inte är kvitterade" in page
    assert "Beslutet dröjer" in page
    assert "Kvittera" in page


def test_the_manager_start_page_counts_overdue_deadlines(client, manager, unit_deadlines):
    mine, theirs = unit_deadlines
    client.force_login(manager)
    page = client.get(reverse("home:start_manager")).content.decode()
    assert "Försenade bevakningar i enheten" in page
    assert mine.case.number in page
    assert theirs.case.number not in page  # not overdue


# --- The application PDF --------------------------------------------------------------------------


def _pdf_text(response) -> str:
    reader = PdfReader(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_application_pdf_holds_the_case_data_unmasked_and_the_download_is_logged(
    client, coordinator
):
    case = open_case(
        coordinator,
        opened_on=date(2025, 3, 3),
        given_name="Ana",
        family_name="Popescu",
        date_of_birth=date(1994, 5, 17),
        birth_year=None,
        protection=Protection.CONFIDENTIALITY_MARK,
    )
    application = submitted(
        case,
        date(2025, 3, 10),
        circumstances="Rekryterad i Constanța med löfte om arbete på restaurang.",
        purposes=["sexual", "criminality"],
    )
    client.force_login(coordinator)
    response = client.get(reverse("reflection_period:application_pdf", args=[application.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"ansokan-betanketid-{case.number}.pdf" in response["Content-Disposition"]
    text = " ".join(_pdf_text(response).split())
    for expected in [
        "Ansökan om betänketid",
        "Socialnämnden",
        "Enheten mot prostitution och människohandel",
        "Karin",
        case.number,
        "Popescu",  # protected, yet unmasked: the PDF is for Migrationsverket
        "Ana",
        "1994-05-17",
        "Rumänien",
        "Kvinna",
        "Sexuella ändamål",
        "Brottslig verksamhet",
        "Människohandel (BrB 4:1 a)",
        "5 kap. 15 § andra stycket UtlL",
        "Rekryterad i Constanța med löfte om arbete på restaurang.",
    ]:
        assert expected in text, expected
    assert "*****" not in text
    log = AccessLogEntry.objects.get(action=AccessAction.PRINT)
    assert log.user == coordinator
    assert log.individual_id == case.individual_id
    assert log.object_id == str(application.pk)


def test_the_pdf_is_refused_to_those_who_may_not_see_the_identity(
    client, coordinator, other_coordinator
):
    case = open_case(
        coordinator,
        given_name="Ana",
        protection=Protection.PROTECTED_REGISTRATION,
    )
    application = draft(case)
    client.force_login(other_coordinator)
    detail = client.get(reverse("reflection_period:application_detail", args=[application.pk]))
    assert detail.status_code == 200
    pdf_url = reverse("reflection_period:application_pdf", args=[application.pk])
    assert pdf_url not in detail.content.decode()
    assert client.get(pdf_url).status_code == 403
    assert not AccessLogEntry.objects.filter(action=AccessAction.PRINT).exists()


def test_police_applications_have_no_social_services_pdf(client, coordinator, case):
    application = submitted(
        case, date(2025, 3, 10), applicant=Applicant.POLICE, legal_basis=LegalBasis.EXTENSION
    )
    client.force_login(coordinator)
    assert (
        client.get(reverse("reflection_period:application_pdf", args=[application.pk])).status_code
        == 404
    )


def test_a_new_coordinator_account_sees_nothing_of_others_until_given_the_role(client, application):
    newcomer = UserFactory.create(username="nils")
    client.force_login(newcomer)
    url = reverse("reflection_period:application_detail", args=[application.pk])
    assert client.get(url).status_code == 404
