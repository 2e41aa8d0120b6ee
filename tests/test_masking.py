"""Protected personal data: hidden everywhere except from the responsible coordinator and managers."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from casework import services
from casework.models import Origin, Protection

SECRETS = ["Ana", "Sandu", "19811218-9876", "1981-12-18", "070-123 45 67"]


@pytest.fixture
def protected_case(coordinator):
    return services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "alias": "Rosa",
            "given_name": "Ana",
            "family_name": "Sandu",
            "personal_number": "198112189876",
            "date_of_birth": date(1981, 12, 18),
            "phone": "070-123 45 67",
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin=Origin.POLICE,
    )


CSRF = re.compile(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+')


def _pages(client, case):
    """The pages, without their random CSRF tokens (which can contain any letters)."""
    return {name: CSRF.sub(r"\1", page) for name, page in _raw_pages(client, case).items()}


def _raw_pages(client, case):
    return {
        "list": client.get(reverse("casework:case_list"), {"status": ""}).content.decode(),
        "search": client.post(
            reverse("casework:case_list"), {"status": "", "q": "Rosa"}
        ).content.decode(),
        "detail": client.get(reverse("casework:case_detail", args=[case.pk])).content.decode(),
        "individual": client.get(
            reverse("casework:individual_detail", args=[case.individual_id])
        ).content.decode(),
        "export": client.get(reverse("casework:case_export"), {"status": ""}).content.decode(
            "utf-8"
        ),
    }


def test_other_coordinators_see_only_reference_and_alias(client, protected_case, other_coordinator):
    client.force_login(other_coordinator)
    for name, page in _pages(client, protected_case).items():
        assert protected_case.individual.reference in page, name
        assert "Rosa" in page, name
        for secret in SECRETS:
            assert secret not in page, (name, secret)
        if name not in ("list", "search"):  # lists show the alias in place of the name
            assert "*****" in page, name


def test_responsible_coordinator_and_managers_see_everything(
    client, protected_case, coordinator, manager
):
    for user in (coordinator, manager):
        client.force_login(user)
        pages = _pages(client, protected_case)
        for name in ("detail", "individual"):
            if name == "detail":
                assert "Ana Sandu" in pages[name]
                continue
            for secret in ["Ana", "Sandu", "19811218-9876", "070-123 45 67"]:
                assert secret in pages[name], (user, name, secret)
        assert "Ana Sandu" in pages["list"]
        assert "Ana Sandu" in pages["export"]


def test_searching_a_protected_name_finds_nothing_for_others(
    client, protected_case, coordinator, other_coordinator
):
    url = reverse("casework:case_list")
    client.force_login(other_coordinator)
    for query in ("Sandu", "Ana Sandu"):
        page = client.post(url, {"status": "", "q": query}).content.decode()
        assert protected_case.number not in page, query
        assert "0 ärenden" in page
    client.force_login(coordinator)
    assert protected_case.number in client.post(url, {"status": "", "q": "Sandu"}).content.decode()


def test_others_cannot_edit_protected_identity(client, protected_case, other_coordinator):
    client.force_login(other_coordinator)
    assert (
        client.get(
            reverse("casework:individual_edit", args=[protected_case.individual_id])
        ).status_code
        == 403
    )


def test_unprotected_individuals_are_shown_to_every_coordinator(
    client, coordinator, other_coordinator
):
    case = services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Vera", "given_name": "Maria", "birth_year": 1990},
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin=Origin.POLICE,
    )
    client.force_login(other_coordinator)
    assert "Maria" in client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()


def test_duplicate_check_does_not_say_who_a_protected_match_is(
    client, protected_case, other_coordinator
):
    """Without an authorisation the check says only that a manager must help: not the
    person's reference, not that they are protected (it used to show both)."""
    client.force_login(other_coordinator)
    response = client.post(
        reverse("casework:case_create"),
        {
            "ind-alias": "Rosa",
            "ind-sex": "female",
            "ind-birth_year": "1981",
            "ind-protection": "none",
            "case-opened_on": "2024-04-02",
            "case-offence": "unclear",
            "case-origin": "police",
            "case-coordinator": other_coordinator.pk,
            "case-category": "adult",
        },
    )
    page = response.content.decode()
    assert "Lotsa hittade en möjlig träff som bara en chef kan kontrollera" in page
    assert protected_case.individual.reference not in page
    assert ">Skyddad</span>" not in page  # the badge lists show for a protected person
    assert 'name="use_individual"' not in page
    for secret in SECRETS:
        assert secret not in page
