"""A protected identity in a real browser: a coordinator without an authorisation sees the
person masked and is told a manager must act; the manager authorises her on the person's page;
she then sees the identity; the manager revokes it and it is masked again. No serious
accessibility issue on the pages on the way."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.models import AccessLogEntry
from casework import services as casework_services
from casework.models import IdentityAuthorisation, Origin, Protection
from tests.e2e.conftest import check_accessibility, shot, sign_in
from tests.factories import TEST_PASSWORD


def _sign_out(page) -> None:
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/accounts/login/**")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_authorises_a_coordinator_who_then_sees_the_identity(
    live_server, traced_context, artifacts, coordinator, other_coordinator, manager
):
    case = casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "alias": "Sländan",
            "given_name": "Marisol",
            "family_name": "Skyddsberg",
            "birth_year": 1992,
            "phone": "070-246 80 24",
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=coordinator,
        opened_on=date(2025, 2, 1),
        origin=Origin.POLICE,
    )
    person_url = live_server.url + reverse("casework:individual_detail", args=[case.individual_id])
    page = traced_context.new_page()

    # Samira has no authorisation: the person is masked, and opening a case is not offered.
    sign_in(page, live_server, other_coordinator.username, TEST_PASSWORD)
    page.goto(person_url)
    main = page.locator("main")
    assert "Skyddsberg" not in main.inner_text()
    assert "*****" in main.inner_text()
    assert main.get_by_text("Du ser inte personens skyddade personuppgifter").count() == 1
    assert page.get_by_role("link", name="Öppna ett nytt ärende").count() == 0
    check_accessibility(page, artifacts, "masked")
    shot(page, artifacts, "masked")
    _sign_out(page)

    # The manager authorises her, with a reason, on the person's page.
    sign_in(page, live_server, manager.username, TEST_PASSWORD)
    page.goto(person_url)
    section = page.locator("#authorisations")
    assert section.get_by_text(str(coordinator)).count() >= 1  # registered her with protection
    section.get_by_label("Koordinator").select_option(str(other_coordinator.pk))
    section.locator("#id_reason").fill("Vikarierar under semestern.")
    section.get_by_role("button", name="Ge behörighet").click()
    page.wait_for_selector(
        f"text={other_coordinator} får nu se personens skyddade personuppgifter."
    )
    assert section.get_by_text("Vikarierar under semestern.").count() == 1
    check_accessibility(page, artifacts, "authorised")
    shot(page, artifacts, "authorised")
    _sign_out(page)

    # Samira now sees the identity, on the person's page and in the case list.
    sign_in(page, live_server, other_coordinator.username, TEST_PASSWORD)
    page.goto(person_url)
    assert "Marisol Skyddsberg" in page.locator("main").inner_text()
    assert "070-246 80 24" in page.locator("main").inner_text()
    page.goto(live_server.url + reverse("casework:case_list"))
    assert "Marisol Skyddsberg" in page.locator("main").inner_text()
    _sign_out(page)

    # The manager revokes it; she no longer sees it.
    sign_in(page, live_server, manager.username, TEST_PASSWORD)
    page.goto(person_url)
    granted = IdentityAuthorisation.objects.get(user=other_coordinator)
    page.locator(f"#revoke-reason-{granted.pk}").fill("Semestern är slut.")
    page.get_by_role("button", name=f"Återkalla behörigheten för {other_coordinator}").click()
    page.wait_for_selector(
        f"text={other_coordinator} får inte längre se personens skyddade personuppgifter."
    )
    _sign_out(page)
    sign_in(page, live_server, other_coordinator.username, TEST_PASSWORD)
    page.goto(person_url)
    assert "Skyddsberg" not in page.locator("main").inner_text()
    assert list(
        AccessLogEntry.objects.filter(action__in=["grant", "revoke"], user=manager)
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["grant", "revoke"]
