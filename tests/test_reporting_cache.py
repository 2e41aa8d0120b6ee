"""The annual statistics' cache (reporting/cache.py): a change through the ORM is seen at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from reporting.models import Training
from reporting.selectors import annual_statistics
from tests.factories import ApplicationFactory, CaseFactory, UserFactory

A = date(2025, 3, 31)


pytestmark = pytest.mark.usefixtures("report_cache")  # tests/conftest.py


def stats():
    return annual_statistics(year=2024, as_of=A)


def test_a_second_read_runs_no_statistics_query(db):
    CaseFactory.create(opened_on=date(2024, 3, 1))
    assert stats().q7.cases == 1
    with CaptureQueriesContext(connection) as queries:
        assert stats().q7.cases == 1
    assert len(queries) == 0


def test_saving_and_deleting_invalidate(db):
    case = CaseFactory.create(opened_on=date(2024, 3, 1))
    assert stats().q1.applications == 0
    app = ApplicationFactory.create(case=case, submitted=True, submitted_on=date(2024, 5, 2))
    assert stats().q1.applications == 1
    assert stats().q1.purposes["sexual"] == 1
    app.status = "granted"
    app.decided_on = date(2024, 5, 3)
    app.save()
    assert stats().q1.outcomes["granted"] == 1
    app.purposes.all().delete()
    assert stats().q1.purposes["sexual"] == 0
    app.delete()
    assert stats().q1.applications == 0


def test_other_years_and_as_of_dates_are_cached_apart(db):
    CaseFactory.create(opened_on=date(2024, 3, 1))
    assert stats().q7.cases == 1
    assert annual_statistics(year=2024, as_of=date(2024, 2, 1)).q7.cases == 0
    assert annual_statistics(year=2023, as_of=A).q7.cases == 0


def test_roles_and_trainings_invalidate(db, manager):
    today = timezone.localdate()

    def staff():
        return annual_statistics(year=today.year, as_of=today).q4.outreach_staff

    assert staff() == 0
    worker = UserFactory.create()
    assert staff() == 0
    worker.groups.add(*UserFactory.create(roles=[Role.OUTREACH]).groups.all())
    assert staff() == 2
    Training.objects.create(
        held_on=date(2024, 4, 1),
        title="Människohandel",
        audience="Socialsekreterare",
        organiser="Enheten",
        participants=12,
        created_by=manager,
    )
    assert stats().q5.trainings == 1


def test_a_sign_in_does_not_invalidate(db, coordinator):
    stats()
    coordinator.save(update_fields=["last_login"])
    with CaptureQueriesContext(connection) as queries:
        stats()
    assert len(queries) == 0


def test_switched_off_with_zero_seconds(db, settings):
    settings.LOTSA_REPORT_CACHE_SECONDS = 0
    stats()
    with CaptureQueriesContext(connection) as queries:
        stats()
    assert len(queries) > 0
