"""Journey 1: a coordinator's day, in a real browser, with the mouse and with the keyboard alone."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from casework.models import Case, JournalEntry
from reflection_period.models import ReflectionPeriodApplication, Status
from tests.e2e.conftest import check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD


def _day(delta: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=delta)).isoformat()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_coordinator_case_to_reflection_period_to_next_step(
    live_server, traced_context, artifacts, coordinator
):
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)
    page.get_by_role("heading", name="Mitt arbete").wait_for()
    check_everywhere(page, artifacts, "start")
    shot(page, artifacts, "01-start")

    # Create individual and case.
    page.get_by_role("link", name="Ny individ och nytt ärende").first.click()
    page.get_by_label("Alias").fill("Lilja")
    page.get_by_label("Kön").select_option("female")
    page.get_by_label("Uppskattat födelseår").fill("1996")
    page.get_by_label("Medborgarskap").select_option("RO")
    page.get_by_label("Misstänkt brott").select_option("trafficking")
    page.get_by_label("Sexuella ändamål").check()
    page.get_by_label("Kom in via").select_option("outreach_referral")
    check_everywhere(page, artifacts, "create")
    shot(page, artifacts, "02-create")
    page.get_by_role("button", name="Kontrollera och öppna ärendet").click()
    page.get_by_text("har öppnats").wait_for()
    case = Case.objects.get()
    assert case.individual.alias == "Lilja"
    check_everywhere(page, artifacts, "case")
    shot(page, artifacts, "03-case")

    # Journal entry, signed.
    page.get_by_role("link", name="Ny journalanteckning").click()
    page.get_by_label("Typ").select_option("meeting")
    page.get_by_label("Text").fill("Första samtalet med tolk.")
    check_everywhere(page, artifacts, "journal")
    page.get_by_role("button", name="Spara och signera").click()
    page.get_by_text("Första samtalet med tolk.").wait_for()
    assert JournalEntry.objects.get().is_signed

    # Apply for a reflection period: the form is prefilled from the case.
    page.get_by_role("link", name="Ansök om betänketid").click()
    assert page.get_by_label("Sexuella ändamål").is_checked()
    page.get_by_label("Omständigheter").fill(
        "Träffad av uppsökarna; berättar om skuld och kontroll."
    )
    check_everywhere(page, artifacts, "apply")
    shot(page, artifacts, "04-apply")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Registrera inskickad ansökan").click()
    page.get_by_label("Skickad till Migrationsverket den").fill(_day())
    check_everywhere(page, artifacts, "submit")
    page.get_by_role("button", name="Registrera inskickad ansökan").click()

    # Record the grant with the permit dates of the decision (ending in five days).
    page.get_by_role("link", name="Registrera beslut").click()
    page.get_by_label("Beviljad", exact=True).check()
    page.get_by_label("Beslutsdatum").fill(_day())
    page.get_by_label("Tillståndet gäller från").fill(_day())
    page.get_by_label("Tillståndet gäller till").fill(_day(5))
    check_everywhere(page, artifacts, "decision")
    page.get_by_role("button", name="Registrera beslut").click()
    page.get_by_text("Beviljad").first.wait_for()
    application = ReflectionPeriodApplication.objects.get()
    assert application.status == Status.GRANTED
    assert application.valid_to == timezone.localdate() + timedelta(days=5)
    check_everywhere(page, artifacts, "granted")

    # The deadline board shows the permit ending.
    page.get_by_role("link", name="Bevakning").click()
    row = page.locator("tr", has_text=case.number)
    row.wait_for()
    assert "Tillståndet" in row.inner_text()
    check_everywhere(page, artifacts, "board")
    shot(page, artifacts, "05-board")

    # Record the next step: the deadline is met.
    row.get_by_role("link").first.click()
    page.get_by_role("link", name="Registrera nästa steg").click()
    page.get_by_label("Nästa steg").select_option("police_report")
    check_everywhere(page, artifacts, "next-step")
    page.get_by_role("button", name="Spara").click()
    page.get_by_text("Polisanmälan gjord").first.wait_for()
    application.refresh_from_db()
    assert application.next_step == "police_report"
    check_everywhere(page, artifacts, "done")
    shot(page, artifacts, "06-next-step")


def _tab_to(page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus (keyboard only)."""
    for _ in range(limit):
        if page.evaluate(
            "(s) => document.activeElement && document.activeElement.matches(s)", selector
        ):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} cannot be reached with Tab")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_coordinator_main_steps_with_the_keyboard_alone(
    live_server, traced_context, artifacts, coordinator
):
    page = traced_context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    _tab_to(page, "#id_username")
    page.keyboard.type("karin")
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Mitt arbete").wait_for()
    page.wait_for_load_state()

    # The skip link is the first stop and moves the focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('skip-link')")

    _tab_to(page, "main a[href='/cases/new/']")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Ny individ och nytt ärende").wait_for()
    page.wait_for_load_state()
    _tab_to(page, "#id_ind-alias")
    page.keyboard.type("Tangent")
    _tab_to(page, "#id_ind-birth_year")
    page.keyboard.type("1990")
    _tab_to(page, "#id_case-origin")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    _tab_to(page, "button[type=submit].btn-primary")
    page.keyboard.press("Enter")
    page.get_by_text("har öppnats").wait_for()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert case.individual.alias == "Tangent"

    _tab_to(page, f"a[href='/cases/{case.pk}/journal/new/']")
    page.keyboard.press("Enter")
    page.locator("#id_text").wait_for()
    page.wait_for_load_state()
    _tab_to(page, "#id_kind")
    page.keyboard.press("ArrowDown")  # the first kind of entry
    _tab_to(page, "#id_text")
    page.keyboard.type("Skrivet med tangentbordet.")
    _tab_to(page, "button[name=sign]")
    page.keyboard.press("Enter")
    page.get_by_text("Journalanteckningen har sparats och signerats.").wait_for()
    assert JournalEntry.objects.get().is_signed
    shot(page, artifacts, "keyboard-case")

    # Apply for a reflection period, register it as sent and record the grant.
    _tab_to(page, f"a[href='/cases/{case.pk}/reflection-period/new/']")
    page.keyboard.press("Enter")
    page.locator("#id_circumstances").wait_for()
    page.wait_for_load_state()
    _choose(page, "#id_offence", "trafficking")
    _tab_to(page, "input[name=purposes][value=sexual]")
    page.keyboard.press("Space")
    _tab_to(page, "#id_circumstances")
    page.keyboard.type("Berättar om skuld och kontroll.")
    _tab_to(page, "form button[type=submit].btn-primary")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Registrera inskickad ansökan").wait_for()
    page.wait_for_load_state()
    application = ReflectionPeriodApplication.objects.get()
    _tab_to(page, f"a[href='/reflection-period/{application.pk}/submit/']")
    page.keyboard.press("Enter")
    page.locator("#id_submitted_on").wait_for()
    page.wait_for_load_state()
    _tab_to(page, "form button[type=submit].btn-primary")
    page.keyboard.press("Enter")
    page.get_by_role("link", name="Registrera beslut").wait_for()
    page.wait_for_load_state()
    _tab_to(page, f"a[href='/reflection-period/{application.pk}/decision/']")
    page.keyboard.press("Enter")
    page.locator("#id_valid_from").wait_for()
    page.wait_for_load_state()
    _tab_to(page, "input[name=decision][value=granted]")
    page.keyboard.press("Space")
    _type_date(page, "#id_valid_from", timezone.localdate())
    _tab_to(page, "form button[type=submit].btn-primary")
    page.keyboard.press("Enter")
    page.get_by_text("Beslutet registrerades.").wait_for()
    application.refresh_from_db()
    assert application.status == Status.GRANTED
    assert application.valid_from == timezone.localdate()
    assert application.valid_to == timezone.localdate() + timedelta(days=29)
    shot(page, artifacts, "keyboard-granted")


def _type_date(page, selector: str, day: date) -> None:
    """Type a date into a date field digit by digit, as a keyboard user does.

    The field's parts come in the order of the browser's own language, not the page's: headless
    Chromium shows month/day/year (a Swedish browser shows year-month-day), and each part moves
    on to the next when it is full.
    """
    _tab_to(page, selector)
    page.keyboard.type(f"{day:%m%d%Y}")
    value = page.eval_on_selector(selector, "(e) => e.value")
    assert value == day.isoformat(), f"{selector}: typed {day}, the field holds {value!r}"


def _choose(page, selector: str, value: str) -> None:
    """Choose an option of a <select> with the arrow keys, as a keyboard user does."""
    _tab_to(page, selector)
    for key in ("Home", *["ArrowDown"] * 20):
        if page.eval_on_selector(selector, "(e) => e.value") == value:
            return
        page.keyboard.press(key)
    raise AssertionError(f"{value} cannot be chosen in {selector} with the arrow keys")
