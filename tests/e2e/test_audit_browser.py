"""The log review and the change history in a real browser: htmx filtering with the filters in
the address, a bad reference explained next to its field, and no serious accessibility issue."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.audit import access_log_write
from accounts.models import AccessAction
from casework import services as casework_services
from tests.e2e.conftest import check_accessibility, shot, sign_in
from tests.factories import TEST_PASSWORD
from tests.reflection_period_helpers import open_case


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_manager_reviews_the_log_and_a_case_history(
    live_server, traced_context, artifacts, manager, coordinator, other_coordinator
):
    case = open_case(coordinator, given_name="Ana", alias="Rosa")
    casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2024, 3, 2), kind="phone", text="Samtal"
    )
    for user in (coordinator, other_coordinator):
        access_log_write(
            user=user,
            action=AccessAction.VIEW,
            object_type="casework.case",
            object_id=str(case.pk),
            individual_id=case.individual_id,
            view_name="casework:case_detail",
            ip_address="10.0.0.1",
        )
    page = traced_context.new_page()
    sign_in(page, live_server, manager.username, TEST_PASSWORD)
    page.locator("nav").get_by_role("button", name="Granskning").click()
    page.get_by_role("link", name="Logguppföljning").first.click()
    page.wait_for_url("**/accounts/log/")
    table = page.locator("#access-log-table")
    assert "2 läsningar" in table.inner_text()
    assert table.get_by_text("Inte ansvarig koordinator").count() == 1
    check_accessibility(page, artifacts, "log")
    shot(page, artifacts, "log")

    # Choosing a staff member filters without reloading the page, and the address keeps it.
    page.evaluate("window.lotsaMarker = 1")
    page.get_by_label("Medarbetare").select_option(str(other_coordinator.pk))
    page.wait_for_url(f"**/accounts/log/?*user={other_coordinator.pk}*")
    page.wait_for_function(
        "document.querySelector('#access-log-table').innerText.includes('1 läsning')"
    )
    assert page.evaluate("window.lotsaMarker") == 1  # the same page: only the table changed

    # A reference that does not exist: the whole page, with the error next to the field.
    page.get_by_label("Individ").fill("IND-424242")
    page.get_by_label("Individ").press("Enter")
    page.wait_for_selector("text=Det finns ingen individ med referensen IND-424242.")
    assert page.locator("#form-errors").is_visible()
    check_accessibility(page, artifacts, "log-error")

    # The case page's change history: collapsed, opened with one click, which loads it.
    page.goto(live_server.url + reverse("casework:case_detail", args=[case.pk]))
    history = page.locator("details.change-history")
    summary = history.locator("summary")
    assert history.get_attribute("open") is None
    assert history.get_by_text("Journalanteckning 2024-03-02").count() == 0
    summary.click()
    assert history.get_attribute("open") is not None
    history.get_by_text("Journalanteckning 2024-03-02").first.wait_for(state="visible")
    check_accessibility(page, artifacts, "case-history")
    shot(page, artifacts, "case-history")

    # Without JavaScript the summary's link opens the history as a page of its own.
    page.goto(live_server.url + reverse("casework:case_history", args=[case.pk]))
    assert page.locator("details.change-history").get_attribute("open") is not None
    assert page.get_by_text("Journalanteckning 2024-03-02").first.is_visible()
    check_accessibility(page, artifacts, "case-history-page")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_officer_finds_the_one_snooping_read_among_start_pages_and_lists(
    live_server, traced_context, artifacts, manager, coordinator, other_coordinator
):
    """A coordinator's start pages and another coordinator's case list write dozens of rows;
    the review shows each page view as one line with its individuals, and the one opening of a
    record by someone who is not the person's coordinator stands out and can be filtered out."""
    cases = [open_case(coordinator, given_name=f"Person{n}") for n in range(5)]
    snooped = cases[2]
    page = traced_context.new_page()
    sign_in(page, live_server, coordinator.username, TEST_PASSWORD)  # lands on the start page
    for _n in range(2):
        page.goto(live_server.url + reverse("home:start_coordinator"))
    page.context.clear_cookies()
    sign_in(page, live_server, other_coordinator.username, TEST_PASSWORD)
    page.goto(live_server.url + reverse("casework:case_list") + "?status=")
    page.goto(live_server.url + reverse("casework:case_detail", args=[snooped.pk]))
    page.context.clear_cookies()

    sign_in(page, live_server, manager.username, TEST_PASSWORD)
    page.goto(live_server.url + reverse("audit:access_log"))
    table = page.locator("#access-log-table")
    # Three start pages and a list: one line each, with the individuals they showed.
    assert table.locator("tr.access-log-list").count() == 4
    assert table.get_by_text("Lista: 5 poster visade").count() == 4
    assert table.get_by_text("Startsida (regionkoordinator)").count() == 3
    assert table.get_by_text("Inte ansvarig koordinator", exact=True).count() == 1
    assert table.get_by_text("I en lista: inte ansvarig koordinator").count() == 1
    check_accessibility(page, artifacts, "log-page-views")
    shot(page, artifacts, "log-page-views")

    # Only flagged openings of a record: the one read, on its own.
    page.get_by_label("Typ av läsning").select_option("records")
    page.wait_for_url("**/accounts/log/?*kind=records*")
    page.get_by_label("Endast läsningar av andra än ansvarig koordinator").check()
    page.wait_for_url("**/accounts/log/?*flagged=on*")
    page.wait_for_function(
        "document.querySelector('#access-log-table').innerText.includes('1 läsning')"
    )
    assert table.locator("tbody tr").count() == 1
    assert table.get_by_text(snooped.individual.reference).count() == 1
    assert table.get_by_text("Inte ansvarig koordinator", exact=True).count() == 1
    check_accessibility(page, artifacts, "log-snooping-read")
    shot(page, artifacts, "log-snooping-read")
