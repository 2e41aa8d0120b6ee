"""Contrast and text size where the other journeys did not look: the deadline board with a row
in every state (overdue, due, ending soon, waiting, running, draft), the coordinator's start
page with its tinted deadlines, and the annual report page with its charts. axe-core checks
each page (WCAG 2.1 AA, on a desktop and on a phone), and the charts' labels are measured as
the browser draws them: at least 12 px."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from reflection_period.workdays import add_working_days
from tests.e2e.conftest import DESKTOP, PHONE, check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD
from tests.reflection_period_helpers import (
    draft,
    granted,
    open_case,
    permit_ending_on,
    submitted,
)

# The board's rows by tint: overdue red, due and ending soon yellow, waiting for a decision
# blue, a running permit green, a draft grey.
TINTS = {"danger": 1, "warning": 2, "info": 1, "success": 1, "secondary": 1}

# Every label a chart draws, with the size the browser renders it at (its font size times the
# scale from the chart's own units to the screen's pixels).
RENDERED_LABELS = """() => Array.from(document.querySelectorAll(".chart-box svg text")).map(
    (text) => ({
        text: text.textContent,
        px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
    }))"""


def _deadlines_in_every_state(coordinator) -> None:
    """One application per state, each on a case of its own, written through the services."""
    today = timezone.localdate()
    reminder = settings.LOTSA_DECISION_REMINDER_WORKING_DAYS
    escalation = settings.LOTSA_DECISION_ESCALATION_WORKING_DAYS
    # A decision expected already, not yet overdue: sent `reminder` working days ago or a little
    # more (the first day counting back that is due and not yet overdue).
    sent_due = next(
        today - timedelta(days=back)
        for back in range(1, 30)
        if add_working_days(today - timedelta(days=back), reminder)
        <= today
        < add_working_days(today - timedelta(days=back), escalation)
    )
    submitted(open_case(coordinator, alias="Försenad"), today - timedelta(days=60))
    submitted(open_case(coordinator, alias="Förfaller"), sent_due)
    permit_ending_on(open_case(coordinator, alias="Slutarsnart"), today + timedelta(days=3))
    submitted(open_case(coordinator, alias="Väntar"), today)
    granted(
        open_case(coordinator, alias="Pågår"),
        submitted_on=today - timedelta(days=4),
        valid_from=today - timedelta(days=2),
    )
    draft(open_case(coordinator, alias="Utkast"))


def _labels_at_least_12px(page, name: str) -> None:
    labels = page.evaluate(RENDERED_LABELS)
    assert labels, f"{name}: no chart labels on the page"
    small = [label for label in labels if label["px"] < 12 - 0.01]
    assert not small, f"{name}: chart labels under 12 px: {small[:5]}"
    # The page itself never scrolls sideways: a chart wider than the screen scrolls in its box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_deadline_state_and_the_report_charts_pass_axe(
    live_server, traced_context, artifacts, coordinator, manager
):
    _deadlines_in_every_state(coordinator)
    page = traced_context.new_page()
    sign_in(page, live_server, "karin", TEST_PASSWORD)

    # The start page: the overdue, due and ending-soon deadlines on their tints.
    page.get_by_role("heading", name="Mina bevakningar").wait_for()
    deadlines = page.locator("section[aria-labelledby=deadlines-heading] .list-group-item")
    assert deadlines.count() >= 4
    for tint in ("danger", "warning", "info"):
        assert page.locator(f".list-group-item-{tint} a").count() >= 1, tint
    check_everywhere(page, artifacts, "start")
    shot(page, artifacts, "01-start")

    # The deadline board: one row in each state, each on its own tint.
    page.goto(f"{live_server.url}/reflection-period/deadlines/")
    rows = page.locator("#deadline-board tbody tr")
    rows.first.wait_for()
    assert rows.count() == 6
    for tint, count in TINTS.items():
        assert page.locator(f"#deadline-board tr.table-{tint}").count() == count, tint
        assert page.locator(f"#deadline-board tr.table-{tint} a").count() == 2 * count, tint
    check_everywhere(page, artifacts, "board")
    shot(page, artifacts, "02-board")

    # The case list, with all six cases.
    page.get_by_role("link", name="Ärenden").first.click()
    page.locator("table tbody tr").nth(5).wait_for()
    check_everywhere(page, artifacts, "cases")
    shot(page, artifacts, "03-cases")

    # The manager's annual report for this year, with its charts.
    traced_context.clear_cookies()
    sign_in(page, live_server, "maria", TEST_PASSWORD)
    page.get_by_role("heading", name="Försenade bevakningar i enheten").wait_for()
    check_everywhere(page, artifacts, "manager-start")
    year = timezone.localdate().year
    page.goto(f"{live_server.url}/reports/annual/?year={year}")
    charts = page.locator(".chart-box svg")
    charts.first.wait_for()
    assert charts.count() == 5
    _labels_at_least_12px(page, "report-desktop")
    check_everywhere(page, artifacts, "report")
    shot(page, artifacts, "04-report")
    page.set_viewport_size(PHONE)
    _labels_at_least_12px(page, "report-phone")
    shot(page, artifacts, "05-report-phone")
    page.set_viewport_size(DESKTOP)
