"""The case list's cached counts (casework/counts.py): read once, and a change through the
app is seen at once."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.models import Case, ClosingReason
from tests.reflection_period_helpers import open_case

COUNT_OF_CASES = 'SELECT COUNT(*) AS "__count" FROM "casework_case"'


@pytest.fixture(autouse=True)
def count_cache(settings):
    settings.LOTSA_LIST_COUNT_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def _count(client, **filters: str) -> tuple[str, int]:
    """The count the list shows, and how many case-count queries the page ran."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("casework:case_list"), filters).content.decode()
    counted = sum(1 for q in queries.captured_queries if q["sql"].startswith(COUNT_OF_CASES))
    shown = re.search(r"<span>([\d\s]+) ärende", page)
    assert shown is not None
    return shown.group(1).strip(), counted


def test_a_second_read_of_the_same_list_runs_no_count(client, coordinator) -> None:
    open_case(coordinator, purposes=("labour",))
    client.force_login(coordinator)
    assert _count(client, status="", purpose="labour") == ("1", 1)
    assert _count(client, status="", purpose="labour") == ("1", 0)
    assert _count(client, status="", purpose="sexual") == ("0", 1)  # other filters: own count


def test_opening_closing_and_deleting_a_case_are_counted_at_once(client, coordinator) -> None:
    client.force_login(coordinator)
    assert _count(client, status="open")[0] == "0"
    case = open_case(coordinator)
    assert _count(client, status="open") == ("1", 1)
    services.case_close(
        case=case, by=coordinator, closed_on=date(2024, 6, 1), reason=ClosingReason.OTHER
    )
    assert _count(client, status="open") == ("0", 1)
    assert _count(client, status="closed") == ("1", 1)
    Case.objects.filter(pk=case.pk).get().delete()
    assert _count(client, status="closed") == ("0", 1)


def test_changing_a_cases_purposes_is_counted_at_once(client, coordinator) -> None:
    case = open_case(coordinator, purposes=("sexual",))
    client.force_login(coordinator)
    assert _count(client, status="", purpose="labour")[0] == "0"
    services.case_update(
        case=case, by=coordinator, expected_version=case.version, data={}, purposes=["labour"]
    )
    assert _count(client, status="", purpose="labour") == ("1", 1)


def test_only_mine_is_counted_per_user(client, coordinator, other_coordinator) -> None:
    open_case(coordinator)
    client.force_login(coordinator)
    assert _count(client, status="open", mine="on")[0] == "1"
    client.force_login(other_coordinator)
    assert _count(client, status="open", mine="on") == ("0", 1)


def test_off_when_set_to_zero(client, coordinator, settings) -> None:
    settings.LOTSA_LIST_COUNT_CACHE_SECONDS = 0
    client.force_login(coordinator)
    assert _count(client, status="open") == ("0", 1)
    assert _count(client, status="open") == ("0", 1)
