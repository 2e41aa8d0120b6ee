"""The national figures' cache (national.selectors, in reporting.cache's generation): a second
read asks the database nothing, and a change through the ORM to anything they count is seen
at once."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework import services
from casework.models import CasePurpose
from national.report import national_report_for
from national.selectors import national_statistics
from tests.national_data import A, link_child, victim

pytestmark = pytest.mark.usefixtures("report_cache")  # tests/conftest.py


def stats():
    return national_statistics(year=2024, as_of=A)


def test_a_second_read_runs_no_query(db, coordinator):
    victim(coordinator, opened_on=date(2024, 3, 1))
    assert stats().total == 1
    national_report_for(year=2024, as_of=A, publication=True)
    with CaptureQueriesContext(connection) as queries:
        assert stats().total == 1
        national_report_for(year=2024, as_of=A, publication=True)  # the council's figures too
    assert len(queries) == 0


def test_cases_persons_purposes_and_links_retire_the_figures(db, coordinator):
    adult = victim(coordinator, opened_on=date(2024, 3, 1), purposes=["sexual"])
    assert stats().by_form() == {("sexual", "adult"): 1}
    # A purpose added and removed (the rows themselves, not only the case's save).
    labour = CasePurpose.objects.create(case=adult, purpose="labour")
    assert stats().by_form()[("labour", "adult")] == 1
    labour.delete()
    assert stats().by_form().get(("labour", "adult"), 0) == 0
    # The person's sex.
    person = adult.individual
    person.sex = "male"
    person.save()
    assert stats().by_sex_age() == {("male", "adult"): 1}
    # An accompanying child linked, and the link removed.
    child = victim(coordinator, opened_on=date(2023, 5, 1), born=date(2015, 1, 1))
    relation = link_child(child, adult, coordinator)
    assert stats().accompanying == {"female": 1}
    services.relation_remove(relation=relation, by=coordinator)
    assert stats().accompanying == {}
    # Another case.
    victim(coordinator, opened_on=date(2024, 6, 1))
    assert stats().total == 2


def test_years_and_as_of_dates_are_cached_apart(db, coordinator):
    victim(coordinator, opened_on=date(2024, 3, 1))
    assert stats().total == 1
    assert national_statistics(year=2024, as_of=date(2024, 2, 1)).total == 0
    assert national_statistics(year=2023, as_of=A).total == 0
