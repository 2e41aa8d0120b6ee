"""Casework pages: who may open them, what they show, and bad input."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.models import AccessLogEntry
from casework import services
from casework.models import (
    Case,
    CaseOrganisation,
    Category,
    Consent,
    Individual,
    JournalEntry,
    Organisation,
    OrganisationKind,
    Origin,
    SupportMeasure,
)
from casework.timeline import TIMELINE_LENGTH
from tests.factories import CaseFactory, IndividualFactory


@pytest.fixture
def case(coordinator):
    return services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Rosa", "given_name": "Ana", "birth_year": 1990},
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin=Origin.POLICE,
        purposes=["sexual"],
    )


@pytest.fixture
def organisation(db):
    return Organisation.objects.create(
        name="Föreningen Ljusglimten", kind=OrganisationKind.ASSOCIATION
    )


def _urls(case):
    entry = services.journal_entry_create(
        case=case, author=case.coordinator, entry_date=date(2024, 3, 2), kind="phone", text="x"
    )
    read = [
        reverse("casework:case_list"),
        reverse("casework:case_export"),
        reverse("casework:case_detail", args=[case.pk]),
        reverse("casework:individual_detail", args=[case.individual_id]),
        reverse("casework:case_reassign", args=[case.pk]),
    ]
    write = [
        reverse("casework:case_create"),
        reverse("casework:case_edit", args=[case.pk]),
        reverse("casework:case_close", args=[case.pk]),
        reverse("casework:case_reopen", args=[case.pk]),
        reverse("casework:journal_create", args=[case.pk]),
        reverse("casework:journal_edit", args=[case.pk, entry.pk]),
        reverse("casework:journal_correct", args=[case.pk, entry.pk]),
        reverse("casework:support_create", args=[case.pk]),
        reverse("casework:organisation_link_create", args=[case.pk]),
        reverse("casework:consent_create", args=[case.pk]),
        reverse("casework:individual_edit", args=[case.individual_id]),
        reverse("casework:case_open_for_individual", args=[case.individual_id]),
    ]
    return read, write


def test_coordinator_reaches_every_casework_page(client, case, coordinator):
    read, write = _urls(case)
    client.force_login(coordinator)
    for url in read + write:
        # The draft journal entry can be edited by its author; correcting needs a signed entry.
        expected = 403 if "correct" in url else 200
        assert client.get(url).status_code == expected, url


def test_manager_reads_but_cannot_change(client, case, manager):
    read, write = _urls(case)
    client.force_login(manager)
    for url in read:
        assert client.get(url).status_code == 200, url
    for url in write:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {}).status_code == 403, url


@pytest.mark.parametrize("persona", ["outreach_worker", "outsider", "admin_user"])
def test_other_roles_get_404_for_every_case_url(request, client, db, case, persona):
    read, write = _urls(case)
    client.force_login(request.getfixturevalue(persona))
    for url in read + write:
        assert client.get(url).status_code == 404, url
    for url in write:
        assert client.post(url, {}).status_code == 404, url


def test_anonymous_users_are_sent_to_login(client, case):
    read, write = _urls(case)
    for url in read + write:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/accounts/login/" in response.url, url


def test_unknown_case_is_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("casework:case_detail", args=[999999])).status_code == 404


# --- Creating -------------------------------------------------------------------------------------


def _create_data(**overrides):
    data = {
        "ind-alias": "Lilja",
        "ind-given_name": "",
        "ind-family_name": "",
        "ind-sex": "female",
        "ind-date_of_birth": "",
        "ind-birth_year": "1998",
        "ind-citizenship": "RO",
        "ind-personal_number": "",
        "ind-phone": "",
        "ind-protection": "none",
        "ind-notes": "",
        "case-category": "",
        "case-opened_on": "2024-04-02",
        "case-offence": "trafficking",
        "case-purposes": ["sexual"],
        "case-origin": "outreach_referral",
    }
    data.update(overrides)
    return data


def test_create_individual_and_case_in_one_flow(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:case_create"), _create_data(**{"case-coordinator": coordinator.pk})
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response.url == reverse("casework:case_detail", args=[case.pk])
    assert case.number == "2024-0001"
    assert case.category == Category.ADULT  # suggested from the birth year
    assert case.individual.alias == "Lilja"
    assert case.individual.citizenship.code == "RO"
    page = client.get(response.url).content.decode()
    assert "Ärende 2024-0001" in page
    assert "Lilja" in page


def test_possible_duplicate_is_shown_before_creating(client, coordinator):
    existing = services.individual_create(by=coordinator, alias="Lilja", birth_year=1998)
    client.force_login(coordinator)
    data = _create_data(**{"case-coordinator": coordinator.pk})
    response = client.post(reverse("casework:case_create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Personen kan redan vara registrerad" in page
    assert existing.reference in page
    assert not Case.objects.exists()
    assert Individual.objects.count() == 1

    # Choosing the existing person opens the case for them.
    response = client.post(reverse("casework:case_create"), {**data, "use_individual": existing.pk})
    assert response.status_code == 302
    assert Case.objects.get().individual == existing
    assert Individual.objects.count() == 1


def test_duplicate_check_can_be_overridden(client, coordinator):
    services.individual_create(by=coordinator, alias="Lilja", birth_year=1998)
    client.force_login(coordinator)
    data = _create_data(**{"case-coordinator": coordinator.pk, "confirm_new": "1"})
    assert client.post(reverse("casework:case_create"), data).status_code == 302
    assert Individual.objects.count() == 2


def test_same_id_number_is_refused_with_a_clear_message(client, coordinator):
    services.individual_create(by=coordinator, personal_number="198112189876")
    client.force_login(coordinator)
    data = _create_data(
        **{
            "case-coordinator": coordinator.pk,
            "ind-personal_number": "811218-9876",
            "ind-birth_year": "",
        }
    )
    response = client.post(reverse("casework:case_create"), data)
    assert response.status_code == 400
    assert "En annan individ har redan detta nummer" in response.content.decode()
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ind-personal_number": "19811218-9875"}, "Kontrollsiffran stämmer inte"),
        ({"ind-personal_number": "19810230-1234"}, "inte ett verkligt datum"),
        ({"ind-date_of_birth": "1998-01-01"}, "inte båda"),
        ({"ind-birth_year": "", "case-category": ""}, "Åldern är okänd"),
        ({"case-opened_on": ""}, "Detta fält måste fyllas i"),
        ({"case-opened_on": "2099-01-01"}, "kan inte öppnas i framtiden"),
        ({"case-opened_on": "igår"}, "Fyll i ett giltigt datum"),
        ({"case-origin": "spaceship"}, "giltigt alternativ"),
        ({"ind-sex": ""}, "Detta fält måste fyllas i"),
        ({"ind-birth_year": "1850"}, "mellan 1900 och 2100"),
    ],
)
def test_bad_input_gets_a_swedish_error_and_saves_nothing(client, coordinator, overrides, message):
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:case_create"),
        _create_data(**{"case-coordinator": coordinator.pk, **overrides}),
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Formuläret kunde inte sparas" in page  # the summary at the top
    assert not Case.objects.exists()
    assert not Individual.objects.exists()


def test_a_failed_form_keeps_what_was_typed(client, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:case_create"),
        _create_data(
            **{"case-coordinator": coordinator.pk, "case-opened_on": "", "ind-alias": "Kvar"}
        ),
    )
    assert 'value="Kvar"' in response.content.decode()


# --- Case page and edits --------------------------------------------------------------------------


def test_a_long_case_page_shows_the_newest_events_and_links_to_the_whole_timeline(
    client, case, coordinator
):
    def write(day: date, text: str, corrects=None):
        entry = services.journal_entry_create(
            case=case,
            author=coordinator,
            entry_date=day,
            kind="meeting",
            text=text,
            corrects=corrects,
        )
        return services.journal_entry_sign(entry=entry, by=coordinator)

    first = write(date(2024, 3, 2), "Anteckning 0")
    for day in range(1, 60):
        write(date(2024, 3, 2) + timedelta(days=day), f"Anteckning {day}")
    # A correction written last, of the first entry (which is no longer on the first page).
    correction = write(date(2025, 1, 10), "Rättelse", corrects=first)
    client.force_login(coordinator)
    url = reverse("casework:case_detail", args=[case.pk])
    page = client.get(url).content.decode()
    assert page.count('class="timeline-item') == TIMELINE_LENGTH
    assert "Anteckning 59" in page
    assert "Rättelse" in page
    assert "Anteckning 0<" not in page
    assert "De 50 senaste händelserna visas." in page
    assert 'href="?timeline=all#timeline-older"' in page
    assert f'href="?timeline=all#journal-{first.pk}"' in page  # the corrected entry's link
    whole = client.get(url, {"timeline": "all"}).content.decode()
    # 61 entries, and the case's opening event
    assert whole.count('class="timeline-item') == 62
    assert 'id="timeline-older"' in whole
    assert "De 50 senaste händelserna visas." not in whole
    assert f'href="#journal-{first.pk}"' in whole
    assert f'href="#journal-{correction.pk}"' in whole  # "Corrected by" on the first entry


def test_case_page_tells_the_story_newest_first(client, case, coordinator, organisation):
    services.journal_entry_sign(
        entry=services.journal_entry_create(
            case=case,
            author=coordinator,
            entry_date=date(2024, 3, 5),
            kind="meeting",
            text="Första mötet",
        ),
        by=coordinator,
    )
    services.support_measure_create(
        case=case,
        by=coordinator,
        type="protected_housing",
        started_on=date(2024, 3, 10),
        organisation=organisation,
    )
    services.organisation_link_create(
        case=case,
        by=coordinator,
        organisation=organisation,
        linked_on=date(2024, 3, 8),
        purpose="Boende",
    )
    client.force_login(coordinator)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    housing = page.index("Skyddat boende")
    link = page.index("Boende</p>") if "Boende</p>" in page else page.index(": Boende")
    meeting = page.index("Första mötet")
    opened = page.index("Ärendet öppnat")
    assert housing < link < meeting < opened


def test_journal_entry_create_sign_and_correct_through_the_pages(client, case, coordinator):
    client.force_login(coordinator)
    url = reverse("casework:journal_create", args=[case.pk])
    response = client.post(
        url, {"entry_date": "2024-03-05", "kind": "meeting", "text": "Samtal", "sign": "1"}
    )
    assert response.status_code == 302
    entry = JournalEntry.objects.get()
    assert entry.is_signed
    assert client.get(reverse("casework:journal_edit", args=[case.pk, entry.pk])).status_code == 403
    response = client.post(
        reverse("casework:journal_correct", args=[case.pk, entry.pk]),
        {
            "entry_date": "2024-03-06",
            "kind": "meeting",
            "text": "Rättat: samtal med tolk",
            "sign": "1",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "Samtal" in page
    assert "Rättat: samtal med tolk" in page
    assert "Rättar anteckningen" in page


def test_journal_form_errors_are_swedish(client, case, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:journal_create", args=[case.pk]),
        {"entry_date": "2099-01-01", "kind": "meeting", "text": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Detta fält måste fyllas i" in page
    assert not JournalEntry.objects.exists()


def test_stale_edit_form_is_refused_with_a_clear_message(
    client, case, coordinator, other_coordinator
):
    client.force_login(coordinator)
    url = reverse("casework:case_edit", args=[case.pk])
    form = {
        "category": "adult",
        "opened_on": "2024-03-01",
        "offence": "exploitation",
        "purposes": ["labour"],
        "origin": "police",
        "version": str(case.version),
    }
    services.case_update(
        case=case,
        by=other_coordinator,
        expected_version=case.version,
        data={"offence": "trafficking"},
    )
    response = client.post(url, form)
    assert response.status_code == 400
    assert "Någon annan har sparat" in response.content.decode()
    case.refresh_from_db()
    assert case.offence == "trafficking"
    assert list(case.purposes.values_list("purpose", flat=True)) == ["sexual"]


def test_edit_then_close_and_reopen_through_the_pages(client, case, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:case_edit", args=[case.pk]),
        {
            "category": "adult",
            "opened_on": "2024-03-01",
            "offence": "exploitation",
            "purposes": ["labour", "begging"],
            "origin": "police",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.offence == "exploitation"
    response = client.post(
        reverse("casework:case_close", args=[case.pk]),
        {"closed_on": "2024-02-01", "reason": "completed", "note": "", "version": case.version},
    )
    assert response.status_code == 400
    assert "avslutas innan det öppnades" in response.content.decode()
    response = client.post(
        reverse("casework:case_close", args=[case.pk]),
        {
            "closed_on": "2024-06-01",
            "reason": "completed",
            "note": "Klart",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.closed_on == date(2024, 6, 1)
    response = client.post(
        reverse("casework:case_reopen", args=[case.pk]), {"reason": "", "version": case.version}
    )
    assert response.status_code == 400
    response = client.post(
        reverse("casework:case_reopen", args=[case.pk]),
        {"reason": "Återkom", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_open


def test_manager_reassigns_a_case(client, case, manager, other_coordinator):
    client.force_login(manager)
    response = client.post(
        reverse("casework:case_reassign", args=[case.pk]),
        {"coordinator": other_coordinator.pk, "note": "Semester", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.coordinator == other_coordinator


def test_support_link_and_consent_pages(client, case, coordinator, organisation):
    client.force_login(coordinator)
    assert (
        client.post(
            reverse("casework:support_create", args=[case.pk]),
            {
                "type": "counselling",
                "started_on": "2024-03-02",
                "ended_on": "2024-03-01",
                "organisation": organisation.pk,
            },
        ).status_code
        == 400
    )
    assert not SupportMeasure.objects.exists()
    assert (
        client.post(
            reverse("casework:support_create", args=[case.pk]),
            {"type": "counselling", "started_on": "2024-03-02", "organisation": organisation.pk},
        ).status_code
        == 302
    )
    measure = SupportMeasure.objects.get()
    assert (
        client.post(
            reverse("casework:support_end", args=[case.pk, measure.pk]), {"ended_on": "2024-04-01"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("casework:organisation_link_create", args=[case.pk]),
            {"organisation": organisation.pk, "linked_on": "2024-03-02", "purpose": "Samtalsstöd"},
        ).status_code
        == 302
    )
    assert CaseOrganisation.objects.get().purpose == "Samtalsstöd"
    assert (
        client.post(
            reverse("casework:consent_create", args=[case.pk]),
            {"organisation": organisation.pk, "given_on": "2024-03-02", "notes": ""},
        ).status_code
        == 302
    )
    consent = Consent.objects.get()
    assert (
        client.post(
            reverse("casework:consent_withdraw", args=[case.pk, consent.pk]),
            {"withdrawn_on": "2024-03-01"},
        ).status_code
        == 400
    )
    assert (
        client.post(
            reverse("casework:consent_withdraw", args=[case.pk, consent.pk]),
            {"withdrawn_on": "2024-05-01"},
        ).status_code
        == 302
    )


def test_individual_edit_carries_a_version(client, case, coordinator):
    client.force_login(coordinator)
    url = reverse("casework:individual_edit", args=[case.individual_id])
    data = {
        "alias": "Ny",
        "sex": "female",
        "birth_year": "1990",
        "protection": "none",
        "version": "1",
    }
    assert client.post(url, data).status_code == 302
    assert (
        client.post(url, {**data, "alias": "Gammal"}).status_code == 400
    )  # version 1 is stale now
    case.individual.refresh_from_db()
    assert case.individual.alias == "Ny"


# --- The list -------------------------------------------------------------------------------------


def test_list_filters_and_search(client, coordinator, other_coordinator):
    mine = CaseFactory.create(coordinator=coordinator, individual__alias="Stella")
    theirs = CaseFactory.create(coordinator=other_coordinator, individual__alias="Vera", year=2023)
    closed = CaseFactory.create(
        coordinator=coordinator,
        individual__alias="Ida",
        closed_on=date(2024, 5, 1),
        closing_reason="completed",
    )
    client.force_login(coordinator)
    url = reverse("casework:case_list")

    def numbers(**params):
        # Search text travels in a POST body, never in the address (core.search).
        send = client.post if "q" in params else client.get
        page = send(url, params).content.decode()
        return {case.number for case in (mine, theirs, closed) if case.number in page}

    assert numbers() == {mine.number, theirs.number}  # open cases by default
    assert numbers(status="") == {mine.number, theirs.number, closed.number}
    assert numbers(status="closed") == {closed.number}
    assert numbers(mine="on", status="") == {mine.number, closed.number}
    assert numbers(year="2023", status="") == {theirs.number}
    assert numbers(q="stell", status="") == {mine.number}
    assert numbers(q=theirs.number, status="") == {theirs.number}
    assert numbers(q=mine.individual.reference, status="") == {mine.number}


def test_searched_lists_are_paged_in_order_with_the_full_count(
    client, coordinator, django_assert_max_num_queries
):
    """A search reads the matching ids first and then one page of rows (core.paging): the
    count, the order and the pages must be the list's own."""
    cases = [
        CaseFactory.create(coordinator=coordinator, individual__alias=f"Lovisa {i}")
        for i in range(30)
    ]
    CaseFactory.create(coordinator=coordinator, individual__alias="Someone else")
    client.force_login(coordinator)
    url = reverse("casework:case_list")
    client.get(url)  # warm the session
    newest_first = sorted(cases, key=lambda case: case.sequence, reverse=True)

    def shown(page: str) -> list[str]:
        return re.findall(r'href="/cases/\d+/">(\d{4}-\d{4})</a>', page)

    # session, user, roles, rate limit, matching ids, page rows, purposes, access log,
    # coordinators, notifications, waiting referrals
    with django_assert_max_num_queries(11):
        first = client.post(url, {"q": "lovisa", "status": "", "sort": "-number"})
    first_page = first.content.decode()
    assert "30 ärenden" in first_page
    assert shown(first_page) == [case.number for case in newest_first[:25]]
    second = client.post(url, {"q": "lovisa", "status": "", "sort": "-number", "page": "2"})
    assert shown(second.content.decode()) == [case.number for case in newest_first[25:]]
    oldest = client.post(url, {"q": "lovisa", "status": "", "sort": "number"}).content.decode()
    assert shown(oldest)[0] == newest_first[-1].number


def test_list_htmx_request_gets_only_the_table(client, coordinator):
    CaseFactory.create(coordinator=coordinator)
    client.force_login(coordinator)
    response = client.get(reverse("casework:case_list"), {"status": ""}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "<table" in page
    assert "<html" not in page


def test_list_query_count_does_not_grow_with_200_cases(
    client, coordinator, django_assert_max_num_queries
):
    for i in range(200):
        CaseFactory.create(
            coordinator=coordinator, individual__created_by=coordinator, individual__alias=f"P{i}"
        )
    client.force_login(coordinator)
    client.get(reverse("casework:case_list"))  # warm the session
    # session, user, roles, unread notifications, waiting referrals (the navigation's count),
    # count, page, purposes, access log, coordinators
    with django_assert_max_num_queries(10):
        response = client.get(reverse("casework:case_list"), {"status": "", "sort": "-number"})
    assert response.status_code == 200
    assert "200 ärenden" in response.content.decode()


def test_export_is_csv_for_swedish_excel(client, case, coordinator):
    client.force_login(coordinator)
    response = client.get(reverse("casework:case_export"), {"status": ""})
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Ärendenummer;Referens;Alias;Namn")
    assert lines[1].startswith(f"{case.number};{case.individual.reference};Rosa;Ana;")


def test_reads_are_logged(client, case, coordinator):
    client.force_login(coordinator)
    client.get(reverse("casework:case_detail", args=[case.pk]))
    client.get(reverse("casework:individual_detail", args=[case.individual_id]))
    client.get(reverse("casework:case_export"), {"status": ""})
    entries = AccessLogEntry.objects.filter(user=coordinator).order_by("at", "pk")
    assert [(e.action, e.object_type, e.individual_id) for e in entries] == [
        ("view", "casework.case", case.individual_id),
        ("view", "casework.individual", case.individual_id),
        ("export", "casework.case", case.individual_id),
    ]
    assert entries[0].view_name == "casework:case_detail"
    assert entries[0].ip_address == "127.0.0.1"


def test_coordinator_start_page_lists_my_open_cases(client, case, coordinator, other_coordinator):
    theirs = CaseFactory.create(coordinator=other_coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("home:start_coordinator")).content.decode()
    assert case.number in page
    assert theirs.number not in page


def test_individual_factory_builds_valid_people(db):
    person = IndividualFactory.create()
    person.full_clean()


def test_signing_or_deleting_someone_elses_draft_is_refused_with_a_message(
    client, case, coordinator, other_coordinator
):
    entry = services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2024, 3, 2), kind="phone", text="Utkast"
    )
    client.force_login(other_coordinator)
    for name in ("casework:journal_sign", "casework:journal_delete"):
        response = client.post(reverse(name, args=[case.pk, entry.pk]), follow=True)
        assert response.status_code == 200
        assert "Bara författaren kan ändra ett utkast." in response.content.decode()
    entry.refresh_from_db()
    assert not entry.is_signed


def test_export_does_not_let_excel_run_typed_text_as_a_formula(client, coordinator):
    services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": '=HYPERLINK("http://x")', "birth_year": 1990},
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin=Origin.POLICE,
    )
    client.force_login(coordinator)
    body = client.get(reverse("casework:case_export"), {"status": ""}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body), delimiter=";"))
    assert rows[1][2] == """'=HYPERLINK("http://x")"""
