"""Journey 1: a coordinator's day, in a real browser."""

from __future__ import annotations

import pytest

from casework.models import Case, JournalEntry
from tests.e2e.conftest import check_accessibility, shot, sign_in
from tests.factories import TEST_PASSWORD


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_coordinator_opens_a_case_and_signs_a_journal_entry(
    live_server, traced_context, artifacts, coordinator
):
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.get_by_role("heading", name="Mitt arbete").wait_for()
    check_accessibility(page, artifacts, "start")
    shot(page, artifacts, "01-start")

    page.get_by_role("link", name="Ny individ och nytt ärende").first.click()
    page.get_by_label("Alias").fill("Lilja")
    page.get_by_label("Kön").select_option("female")
    page.get_by_label("Uppskattat födelseår").fill("1996")
    page.get_by_label("Medborgarskap").select_option("RO")
    page.get_by_label("Sexuella ändamål").check()
    page.get_by_label("Kom in via").select_option("outreach_referral")
    check_accessibility(page, artifacts, "create")
    shot(page, artifacts, "02-create")
    page.get_by_role("button", name="Kontrollera och öppna ärendet").click()

    page.get_by_text("har öppnats").wait_for()
    case = Case.objects.get()
    assert case.individual.alias == "Lilja"
    check_accessibility(page, artifacts, "case")
    shot(page, artifacts, "03-case")

    page.get_by_role("link", name="Ny journalanteckning").click()
    page.get_by_label("Typ").select_option("meeting")
    page.get_by_label("Text").fill("Första samtalet med tolk.")
    page.get_by_role("button", name="Spara och signera").click()
    page.get_by_text("Första samtalet med tolk.").wait_for()
    assert JournalEntry.objects.get().is_signed
    shot(page, artifacts, "04-journal")
