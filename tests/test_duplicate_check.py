"""The duplicate check on "Ny individ och nytt ärende" leads somewhere: for each person it
found it shows enough to decide (alias, birth year, open cases with their coordinators), the
person's open case is the primary way on, and registering a new person is a deliberate second
choice. Choosing a person whose open case is in the same category keeps the warning, with the
link to that case."""

from __future__ import annotations

import re
from datetime import date

from django.urls import reverse

from casework import services
from casework.models import Case, Individual, Origin
from tests.test_casework_views import _create_data


def _existing_with_open_case(coordinator, other_coordinator) -> Case:
    person = services.individual_create(
        by=coordinator, alias="Lilja", given_name="Ana", family_name="Pop", birth_year=1998
    )
    return services.case_open(
        individual=person,
        by=other_coordinator,
        coordinator=other_coordinator,
        opened_on=date(2024, 3, 4),
        origin=Origin.POLICE,
        offence="trafficking",
        purposes=["sexual"],
    )


def _buttons(page: str) -> list[str]:
    section = page[page.index('id="duplicates"') : page.index("</section>")]
    return re.findall(r"<(?:a|button)\b[^>]*>.*?</(?:a|button)>", section, re.S)


def test_the_check_shows_the_person_and_leads_to_their_open_case(
    client, coordinator, other_coordinator
) -> None:
    case = _existing_with_open_case(coordinator, other_coordinator)
    client.force_login(coordinator)
    data = _create_data(**{"case-coordinator": coordinator.pk})
    response = client.post(reverse("casework:case_create"), data)
    assert response.status_code == 200
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "Personen kan redan vara registrerad" in page
    assert "<span>Ana Pop</span>" in page
    assert "alias Lilja" in page
    assert "född 1998" in page
    assert (
        f"Öppet ärende {case.number} (Vuxet brottsoffer), öppnat 2024-03-04, "
        f"samordnare {other_coordinator.get_full_name()}"
    ) in page
    buttons = _buttons(page)
    # The first and only filled button goes to the open case; the rest are outlined.
    assert buttons[0] == (
        f'<a class="btn btn-primary btn-sm" href="/cases/{case.pk}/">Gå till ärende {case.number}</a>'
    )
    assert [b for b in buttons if "btn-primary" in b or "btn-warning" in b] == [buttons[0]]
    new_person = [b for b in buttons if 'name="confirm_new"' in b]
    assert len(new_person) == 1
    assert "btn-outline-dark" in new_person[0]
    assert "Ingen av dessa – registrera en ny person" in new_person[0]


def test_choosing_the_person_with_an_open_case_keeps_the_way_to_it(
    client, coordinator, other_coordinator
) -> None:
    case = _existing_with_open_case(coordinator, other_coordinator)
    client.force_login(coordinator)
    data = _create_data(
        **{"case-coordinator": coordinator.pk, "case-category": "adult"},
        use_individual=case.individual_id,
    )
    response = client.post(reverse("casework:case_create"), data)
    assert response.status_code == 400
    page = re.sub(r"\s+", " ", response.content.decode())
    assert "Individen har redan ett öppet ärende i denna kategori." in page
    assert "Personen kan redan vara registrerad" in page
    assert f'href="/cases/{case.pk}/">Gå till ärende {case.number}</a>' in page
    assert Case.objects.count() == 1
    assert Individual.objects.count() == 1


def test_without_an_open_case_opening_one_for_the_person_is_the_primary_action(
    client, coordinator
) -> None:
    person = services.individual_create(by=coordinator, alias="Lilja", birth_year=1998)
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:case_create"), _create_data(**{"case-coordinator": coordinator.pk})
    )
    page = re.sub(r"\s+", " ", response.content.decode())
    buttons = _buttons(page)
    assert 'class="btn btn-sm btn-primary"' in buttons[0]
    assert f'value="{person.pk}"' in buttons[0]
    assert f"Öppna ärendet för {person.reference}" in buttons[0]
    assert "btn-outline-dark" in next(b for b in buttons if 'name="confirm_new"' in b)
