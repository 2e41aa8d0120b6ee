"""What a coordinator and a manager meet every day, in a real browser: the duplicate check
that leads to the person's open case, a deadline that reads the same on the start page, the
board and the application, the manager's labelled numbers and a one-click export."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from casework import services as casework_services
from casework.models import Case, Individual, Origin
from reflection_period.workdays import subtract_working_days
from reporting.models import ReportExport
from tests.e2e.conftest import check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD
from tests.reflection_period_helpers import open_case, submitted


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_duplicate_check_leads_to_the_persons_open_case(
    live_server, traced_context, artifacts, coordinator, other_coordinator
):
    person = casework_services.individual_create(by=coordinator, alias="Lilja", birth_year=1996)
    existing = casework_services.case_open(
        individual=person,
        by=other_coordinator,
        coordinator=other_coordinator,
        opened_on=date(2024, 3, 4),
        origin=Origin.POLICE,
        offence="trafficking",
        purposes=["sexual"],
    )
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.get_by_role("heading", name="Mitt arbete").wait_for()
    page.get_by_role("link", name="Ny individ och nytt ärende").first.click()
    page.get_by_label("Alias").fill("Lilja")
    page.get_by_label("Kön").select_option("female")
    page.get_by_label("Uppskattat födelseår").fill("1996")
    page.get_by_label("Kategori", exact=True).select_option("adult")
    page.get_by_label("Misstänkt brott").select_option("trafficking")
    page.get_by_label("Sexuella ändamål").check()
    page.get_by_label("Kom in via").select_option("outreach_referral")
    page.get_by_role("button", name="Kontrollera och öppna ärendet").click()

    warning = page.locator("#duplicates")
    warning.get_by_role("heading", name="Personen kan redan vara registrerad").wait_for()
    text = " ".join(warning.inner_text().split())
    assert "alias Lilja" not in text  # the alias is the label itself: not said twice
    assert "född 1996" in text
    assert (
        f"Öppet ärende {existing.number} (Vuxet brottsoffer), öppnat 2024-03-04, "
        f"samordnare {other_coordinator.get_full_name()}"
    ) in text
    go = warning.get_by_role("link", name=f"Gå till ärende {existing.number}")
    assert "btn-primary" in (go.get_attribute("class") or "")
    new_person = warning.get_by_role("button", name="Ingen av dessa – registrera en ny person")
    assert "btn-primary" not in (new_person.get_attribute("class") or "")
    assert "btn-warning" not in (new_person.get_attribute("class") or "")
    check_everywhere(page, artifacts, "duplicate-check")
    shot(page, artifacts, "01-duplicate-check")

    # Opening another case in the same category is refused, and the way on stays on screen.
    warning.get_by_role("button", name=f"Öppna ett nytt ärende för {person.reference}").click()
    page.locator("#form-errors").get_by_text(
        "Individen har redan ett öppet ärende i denna kategori."
    ).wait_for()
    assert (
        page.locator("#duplicates")
        .get_by_role("link", name=f"Gå till ärende {existing.number}")
        .is_visible()
    )
    shot(page, artifacts, "02-same-category-refused")

    page.locator("#duplicates").get_by_role(
        "link", name=f"Gå till ärende {existing.number}"
    ).click()
    page.wait_for_url(f"**/cases/{existing.pk}/")
    page.get_by_role("heading", name=re.compile(existing.number)).first.wait_for()
    shot(page, artifacts, "03-the-open-case")
    assert Case.objects.count() == 1
    assert Individual.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_due_decision_reads_the_same_on_the_start_page_board_and_application(
    live_server, traced_context, artifacts, coordinator
):
    today = timezone.localdate()
    # Sent three working days ago: the reminder (after two) is past, the escalation (after
    # five) is still to come. The state is "due", in the warning colour, on every page.
    sent = subtract_working_days(today, 3)
    application = submitted(open_case(coordinator, alias="Lilja"), sent)
    # A date's day, month and year are joined by no-break spaces (an accessible name shows
    # them as spaces, the text as they are).
    sentence = re.compile(
        r"^Inget beslut efter 2 arbetsdagar – påminnelse skickad \d+[ \u00a0]\w+([ \u00a0]\d{4})?; "
        r"räknas som försenat från \d+[ \u00a0]\w+([ \u00a0]\d{4})?$"
    )
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.get_by_role("heading", name="Mitt arbete").wait_for()

    def check(where: str, element) -> str:
        text = " ".join(element.inner_text().split())
        said = element.get_by_role("link", name=sentence)
        if where == "application":
            said = element.get_by_text(sentence)
        assert said.count() == 1, (where, text)
        badge = element.locator(".badge.text-bg-warning", has_text="Dags")
        assert badge.count() == 1, (where, text)
        return said.first.inner_text()

    link = f'[href="/reflection-period/{application.pk}/"]'
    start = check("start", page.locator("li.list-group-item-warning", has=page.locator(link)))
    check_everywhere(page, artifacts, "start")
    shot(page, artifacts, "01-start")
    page.get_by_role("link", name="Alla bevakningar").click()
    page.wait_for_url("**/reflection-period/deadlines/**")
    board = check("board", page.locator("tr.table-warning", has=page.locator(link)))
    check_everywhere(page, artifacts, "board")
    shot(page, artifacts, "02-board")
    page.locator(link).first.click()
    page.wait_for_url(f"**/reflection-period/{application.pk}/")
    detail = check(
        "application", page.locator("section.border-warning[aria-labelledby=deadline-heading]")
    )
    check_everywhere(page, artifacts, "application")
    shot(page, artifacts, "03-application")
    assert start == board == detail


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_manager_reads_labelled_numbers_and_exports_in_one_click(
    live_server, traced_context, artifacts, manager, coordinator
):
    open_case(coordinator, opened_on=date(timezone.localdate().year, 1, 2))
    page = traced_context.new_page()
    sign_in(page, live_server, manager.username, TEST_PASSWORD)
    page.wait_for_url("**/start/manager/")
    figures = page.locator("#year-heading").locator("..")
    text = " ".join(figures.inner_text().split())
    assert "0 ansökningar inskickade i år" in text
    assert "1 ärende öppet under året" in text
    assert "0 uppsökande kontakter" in text
    check_everywhere(page, artifacts, "manager-start")
    shot(page, artifacts, "01-manager-start")

    page.goto(f"{live_server.url}/reports/annual/?year=2024&as_of=2025-03-31")
    json_button = page.get_by_role("button", name="JSON", exact=True)
    pdf_button = page.get_by_role("button", name="PDF", exact=True)
    assert json_button.get_attribute("class") == pdf_button.get_attribute("class")
    assert json_button.evaluate("b => getComputedStyle(b).opacity") == "1"
    shot(page, artifacts, "02-report")
    with page.expect_download() as info:
        json_button.click()
    export = ReportExport.objects.get()
    assert info.value.suggested_filename == export.filename
    assert page.url.endswith("/reports/annual/?year=2024&as_of=2025-03-31")
