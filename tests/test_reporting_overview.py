"""The manager's start page: the year so far (reporting.selectors.year_overview) gives the annual
report's own figures, and a write recomputes only the card whose data it changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework import services
from outreach.models import OutreachContact
from reflection_period.models import Applicant, ReflectionPeriodApplication
from reporting.selectors import annual_statistics, year_overview
from tests.factories import CaseFactory, OutreachContactFactory

pytestmark = pytest.mark.usefixtures("report_cache")  # tests/conftest.py


def _same_figures(year: int, as_of: date) -> None:
    overview = year_overview(year=year, as_of=as_of)
    statistics = annual_statistics(year=year, as_of=as_of)
    assert overview.period == statistics.period
    assert overview.applications == statistics.q1.applications
    assert overview.outcomes == statistics.q1.outcomes
    assert overview.cases == statistics.q7.cases
    assert overview.by_category == statistics.q7.by_category
    assert overview.contacts == statistics.q4.contacts
    assert overview.referrals["made"] == statistics.q4.referrals["made"]
    assert overview.referrals["accepted"] == statistics.q4.referrals["accepted"]


@pytest.mark.usefixtures("demo")
class TestOnTheDemo:
    @pytest.mark.parametrize(
        ("year", "as_of"),
        [
            (2024, date(2025, 3, 31)),
            (2024, date(2024, 6, 30)),
            (2023, date(2025, 3, 31)),
            (2025, date(2025, 3, 31)),
        ],
    )
    def test_the_start_page_shows_the_annual_reports_figures(self, db, year, as_of):
        overview = year_overview(year=year, as_of=as_of)
        if year == 2024 and as_of.month == 3:
            # The demo's report year has something on every card.
            assert overview.applications
            assert overview.cases
            assert overview.contacts
            assert overview.referrals["made"]
            assert overview.referrals["accepted"]
        _same_figures(year, as_of)

    def test_today_as_the_page_asks(self, db):
        today = timezone.localdate()
        _same_figures(today.year, today)


def _figures_queries() -> int:
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries:
        year_overview(year=today.year, as_of=today)
    return len(queries)


def test_a_second_read_runs_no_query(db):
    CaseFactory.create(opened_on=timezone.localdate())
    assert _figures_queries() == 4  # applications, cases, referrals, contacts
    assert _figures_queries() == 0


def test_a_journal_entry_recomputes_nothing(db, coordinator):
    case = CaseFactory.create(opened_on=timezone.localdate(), coordinator=coordinator)
    _figures_queries()
    services.journal_entry_create(
        case=case, author=coordinator, entry_date=timezone.localdate(), kind="phone", text="Samtal"
    )
    assert _figures_queries() == 0


def test_a_write_recomputes_only_its_own_card(db, outreach_worker):
    today = timezone.localdate()
    case = CaseFactory.create(opened_on=today)
    assert year_overview(year=today.year, as_of=today).cases == 1
    OutreachContactFactory.create(created_by=outreach_worker)
    with CaptureQueriesContext(connection) as queries:
        assert year_overview(year=today.year, as_of=today).contacts == 1
    assert len(queries) == 2  # the outreach card: referrals and contacts
    assert all("outreach_" in query["sql"] for query in queries.captured_queries)

    CaseFactory.create(opened_on=today, category="minor")
    with CaptureQueriesContext(connection) as queries:
        assert year_overview(year=today.year, as_of=today).cases == 2
    assert len(queries) == 1

    ReflectionPeriodApplication.objects.create(
        case=case,
        applicant=Applicant.SOCIAL_SERVICES,
        offence="trafficking",
        status="submitted",
        submitted_on=today,
        person_age=30,
        person_sex="female",
        applied_by=case.coordinator,
        created_by=case.coordinator,
    )
    with CaptureQueriesContext(connection) as queries:
        figures = year_overview(year=today.year, as_of=today)
    assert len(queries) == 1
    assert figures.applications == 1
    assert figures.outcomes["pending"] == 1

    OutreachContact.objects.get().delete()
    assert year_overview(year=today.year, as_of=today).contacts == 0


def test_the_start_page_shows_the_year(client, manager):
    today = timezone.localdate()
    CaseFactory.create(opened_on=today, category="minor")
    client.force_login(manager)
    page = client.get(reverse("home:start_manager")).content.decode()
    assert f"{today.year} hittills" in page
    assert "Minderåriga brottsoffer: 1" in page
