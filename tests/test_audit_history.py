"""The change history ("Ändringshistorik") on object pages: who changed what, when, old → new,
in Swedish, to coordinators and managers only, masked where the page masks the identity, and
in a fixed number of queries."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessLogEntry
from accounts.roles import user_roles
from casework import services as casework_services
from casework.history import case_history, individual_history
from casework.models import Protection
from outreach import services as outreach_services
from reflection_period import services as reflection_services
from tests.factories import OutreachContactFactory
from tests.reflection_period_helpers import draft, open_case

HISTORY = "Ändringshistorik"


def _page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def _history(page: str) -> str:
    """The history section of a page, as text without tags."""
    match = re.search(r'<details class="card mb-3 change-history"[^>]*>(.*?)</details>', page, re.S)
    assert match, "no change history on the page"
    text = re.sub(r"<[^>]+>", " ", match.group(1)).replace("→", " ")  # the arrow is for the eye
    return re.sub(r"\s+", " ", text.replace("&gt;", ">"))


@pytest.fixture
def case(coordinator):
    return open_case(coordinator, given_name="Ana", family_name="Popescu", alias="Rosa")


def _edit_case(client, user, case, **changes):
    client.force_login(user)
    case.refresh_from_db()
    data = {
        "category": case.category,
        "opened_on": case.opened_on.isoformat(),
        "offence": case.offence,
        "purposes": ["sexual"],
        "origin": case.origin,
        "version": str(case.version),
        **changes,
    }
    response = client.post(reverse("casework:case_edit", args=[case.pk]), data)
    assert response.status_code == 302, response.content.decode()


def _edit_individual(client, user, individual, **changes):
    client.force_login(user)
    individual.refresh_from_db()
    data = {
        "alias": individual.alias,
        "given_name": individual.given_name,
        "family_name": individual.family_name,
        "sex": individual.sex,
        "birth_year": individual.birth_year or "",
        "citizenship": individual.citizenship.code or "",
        "phone": individual.phone,
        "protection": individual.protection,
        "notes": individual.notes,
        "version": str(individual.version),
        **changes,
    }
    response = client.post(reverse("casework:individual_edit", args=[individual.pk]), data)
    assert response.status_code == 302, response.content.decode()


# --- The case page: the case and its journal --------------------------------------------------------


def test_the_case_page_shows_who_changed_what_old_and_new(client, coordinator, manager, case):
    _edit_case(client, coordinator, case, offence="exploitation", origin="health_care")
    page = _page(client.get(reverse("casework:case_history", args=[case.pk])))
    history = _history(page)
    assert HISTORY in page
    assert "Ändring Ärendet" in history
    assert str(coordinator) in history  # who: the service's `by`
    assert (
        "Misstänkt brott : Människohandel (BrB 4:1 a) ändrades till "
        "Människoexploatering (BrB 4:1 b)" in history
    )
    assert "Kom in via : Länkning från uppsökande arbete ändrades till Hälso- och sjukvården" in (
        history
    )
    # Opened through the service outside any request: the service names the author all the same.
    assert f"{coordinator} Registrering Ärendet" in history
    assert "Lotsa (automatiskt)" not in history
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", history)  # when
    client.force_login(manager)
    assert "Människoexploatering (BrB 4:1 b)" in _history(
        _page(client.get(reverse("casework:case_history", args=[case.pk])))
    )


def test_the_case_page_shows_the_journals_history_also_of_deleted_drafts(client, coordinator, case):
    kept = casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2024, 3, 2), kind="phone", text="Första"
    )
    casework_services.journal_entry_update(
        entry=kept, by=coordinator, entry_date=date(2024, 3, 2), kind="meeting", text="Rättad"
    )
    casework_services.journal_entry_sign(entry=kept, by=coordinator)
    dropped = casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2024, 3, 5), kind="phone", text="Utkast"
    )
    casework_services.journal_entry_delete(entry=dropped, by=coordinator)
    client.force_login(coordinator)
    history = _history(_page(client.get(reverse("casework:case_history", args=[case.pk]))))
    assert "Journalanteckning 2024-03-02" in history
    assert "Typ : Telefonsamtal ändrades till Möte" in history
    assert "Text : Första ändrades till Rättad" in history
    assert f"Signerad av : – ändrades till {coordinator}" in history
    assert "Borttagning Journalanteckning 2024-03-05" in history
    # Newest first: the deletion above the entry's creation.
    assert history.index("Borttagning") < history.index("Registrering Journalanteckning 2024-03-02")


def test_bookkeeping_saves_are_not_listed(client, coordinator, case):
    casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2024, 3, 2), kind="phone", text="x"
    )  # touches the case's last activity, nothing a person changed
    history = case_history(case, coordinator)
    assert history is not None
    assert [(entry.kind, entry.subject) for entry in history] == [
        ("+", "Journalanteckning 2024-03-02"),
        ("+", "Ärendet"),
    ]


# --- The individual page, and masking ------------------------------------------------------------


@pytest.fixture
def protected(coordinator):
    return open_case(
        coordinator,
        given_name="Ana",
        family_name="Popescu",
        alias="Rosa",
        phone="070-111 22 33",
        protection=Protection.PROTECTED_REGISTRATION,
    )


def test_the_individual_page_shows_identity_changes_to_those_who_may_see_them(
    client, coordinator, manager, case
):
    _edit_individual(client, coordinator, case.individual, given_name="Anna", phone="070-1")
    for user in (coordinator, manager):
        client.force_login(user)
        url = reverse("casework:individual_detail", args=[case.individual_id])
        history = _history(_page(client.get(url)))
        assert "Ändring Individen" in history
        assert "Förnamn : Ana ändrades till Anna" in history
        assert "Telefon : – ändrades till 070-1" in history


def test_a_protected_persons_identity_never_leaks_through_the_history(
    client, coordinator, other_coordinator, manager, protected
):
    _edit_individual(
        client, coordinator, protected.individual, given_name="Anna", phone="070-999 88 77"
    )
    url = reverse("casework:individual_detail", args=[protected.individual_id])
    client.force_login(other_coordinator)
    page = _page(client.get(url))
    history = _history(page)
    assert "Förnamn : ***** ändrades till *****" in history
    assert "Telefon : ***** ändrades till *****" in history
    for secret in ("Ana", "Anna", "Popescu", "070-111 22 33", "070-999 88 77"):
        assert secret not in page, secret
    for user in (coordinator, manager):  # the responsible coordinator and managers see it all
        client.force_login(user)
        history = _history(_page(client.get(url)))
        assert "Förnamn : Ana ändrades till Anna" in history
        assert "Telefon : 070-111 22 33 ändrades till 070-999 88 77" in history


def test_an_identity_that_was_protected_stays_masked_in_the_history(
    client, coordinator, other_coordinator, protected
):
    """A former identity (e.g. behind a fictitious one) must not surface once protection ends."""
    _edit_individual(client, coordinator, protected.individual, given_name="Anna")
    _edit_individual(client, coordinator, protected.individual, protection="none")
    client.force_login(other_coordinator)
    page = _page(client.get(reverse("casework:individual_detail", args=[protected.individual_id])))
    history = _history(page)
    assert "Anna" in page.replace(history, "")  # the page itself shows the name now
    assert "Ana ändrades" not in history
    assert "Förnamn : ***** ändrades till *****" in history
    assert "Skyddade personuppgifter : Skyddad folkbokföring ändrades till Inga" in history


def test_the_application_page_masks_the_age_where_the_page_masks_the_identity(
    client, coordinator, other_coordinator, manager, protected
):
    application = draft(protected)
    reflection_services.application_submit(
        application=application, by=coordinator, submitted_on=date(2024, 3, 10)
    )
    url = reverse("reflection_period:application_detail", args=[application.pk])
    client.force_login(other_coordinator)
    history = _history(_page(client.get(url)))
    assert "Status : Utkast ändrades till Inskickad" in history
    assert "Ålder vid ansökan : ***** ändrades till *****" in history
    client.force_login(manager)
    history = _history(_page(client.get(url)))
    assert re.search(r"Ålder vid ansökan : – ändrades till \d+", history)


# --- Outreach: the contact and the referral --------------------------------------------------------


def test_the_contact_page_shows_its_history_to_coordinators_and_managers_not_outreach(
    client, outreach_worker, coordinator, manager
):
    contact = OutreachContactFactory.create(created_by=outreach_worker, alias="Iris")
    outreach_services.contact_update(
        contact=contact,
        by=outreach_worker,
        expected_version=contact.version,
        data={"age_group": "18_25", "notes": "Pratade om boende"},
        staff=[outreach_worker],
        indicators=[],
        offers=[],
    )
    outreach_services.referral_create(contact=contact, by=outreach_worker)
    url = reverse("outreach:contact_detail", args=[contact.pk])
    client.force_login(outreach_worker)
    page = _page(client.get(url))
    assert HISTORY not in page
    assert "change-history" not in page
    for user in (coordinator, manager):
        client.force_login(user)
        history = _history(_page(client.get(url)))
        assert "Ändring Kontakten" in history
        assert "Åldersgrupp : 26–35 ändrades till 18–25" in history
        assert "Anteckningar : – ändrades till Pratade om boende" in history


def test_the_referral_page_shows_its_history(client, outreach_worker, coordinator, manager, case):
    contact = OutreachContactFactory.create(created_by=outreach_worker)
    referral = outreach_services.referral_create(contact=contact, by=outreach_worker)
    outreach_services.referral_accept_into_case(referral=referral, by=coordinator, case=case)
    for user in (coordinator, manager):
        client.force_login(user)
        page = _page(client.get(reverse("outreach:referral_detail", args=[referral.pk])))
        history = _history(page)
        assert "Ändring Länkningen" in history
        assert "Status : Väntar ändrades till Mottagen" in history
        assert f"Ärende : – ändrades till {case.number}" in history
        assert f"Mottagen av : – ändrades till {coordinator}" in history


# --- Query counts ---------------------------------------------------------------------------------


def _queries(function, *args) -> int:
    user_roles(args[-1])  # a request reads the user's roles once, before any page content
    with CaptureQueriesContext(connection) as captured:
        function(*args)
    return len(captured)


def test_the_case_history_runs_a_fixed_number_of_queries(coordinator, other_coordinator, case):
    def grow(count):
        for n in range(count):
            entry = casework_services.journal_entry_create(
                case=case,
                author=coordinator,
                entry_date=date(2024, 3, 2),
                kind="phone",
                text=f"{n}",
            )
            casework_services.journal_entry_sign(entry=entry, by=coordinator)
        case.refresh_from_db()
        casework_services.case_reassign(
            case=case,
            coordinator=other_coordinator if case.coordinator == coordinator else coordinator,
            by=coordinator,
        )

    grow(1)
    small = _queries(case_history, case, coordinator)
    grow(25)
    large = _queries(case_history, case, coordinator)
    # The case's versions and the entries' versions (joined with the staff they name).
    assert small == large == 2
    assert len(case_history(case, coordinator) or []) > 50


def test_the_individual_history_runs_a_fixed_number_of_queries(
    client, coordinator, other_coordinator, protected
):
    individual = protected.individual
    _edit_individual(client, coordinator, individual, given_name="A1")
    small = _queries(individual_history, individual, other_coordinator)
    for n in range(20):
        _edit_individual(client, coordinator, individual, given_name=f"A{n + 2}")
    large = _queries(individual_history, individual, other_coordinator)
    # The person's versions, the versions of the authorisations to see them, and the reader's
    # authorisations.
    assert small == large == 3


def test_the_case_page_and_its_history_run_a_fixed_number_of_queries(client, coordinator, case):
    client.force_login(coordinator)
    urls = [
        reverse("casework:case_detail", args=[case.pk]),
        reverse("casework:case_history", args=[case.pk]),
    ]
    counts: dict[str, list[int]] = {url: [] for url in urls}
    for size in (1, 10):
        for n in range(size):
            entry = casework_services.journal_entry_create(
                case=case,
                author=coordinator,
                entry_date=date(2024, 3, 2),
                kind="phone",
                text=f"{n}",
            )
            casework_services.journal_entry_sign(entry=entry, by=coordinator)
        for url in urls:
            client.get(url)  # warm the session
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200
            counts[url].append(len(captured))
    for url in urls:
        assert counts[url][0] == counts[url][1], url


def test_the_case_page_loads_its_history_only_when_opened(
    client, coordinator, outreach_worker, case
):
    """The case page holds the history's heading and the address of its entries; htmx loads
    them when the reader opens it (a fragment), and without JavaScript the link is a page."""
    _edit_case(client, coordinator, case, offence="exploitation")
    history_url = reverse("casework:case_history", args=[case.pk])
    page = _page(client.get(reverse("casework:case_detail", args=[case.pk])))
    assert f'hx-get="{history_url}"' in page
    assert 'hx-trigger="toggle once"' in page
    assert f'<a href="{history_url}">Visa ändringshistoriken</a>' in page
    assert "Människoexploatering" not in _history(page)  # not read with the page
    before = AccessLogEntry.objects.count()
    fragment = _page(client.get(history_url, HTTP_HX_REQUEST="true"))
    assert "<html" not in fragment
    assert "Människoexploatering (BrB 4:1 b)" in fragment
    read = AccessLogEntry.objects.latest("pk")
    assert AccessLogEntry.objects.count() == before + 1
    assert (read.view_name, read.detail, read.individual_id) == (
        "casework:case_history",
        "change history",
        case.individual_id,
    )
    full = _page(client.get(history_url))
    assert "<html" in full
    assert f'Ärende <span class="text-nowrap">{case.number}</span>' in full
    assert "Människoexploatering (BrB 4:1 b)" in _history(full)
    client.force_login(outreach_worker)
    assert client.get(history_url).status_code == 404
