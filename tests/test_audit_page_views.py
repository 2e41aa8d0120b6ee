"""The log review at the scale of a real log: a list or start page is one line per page view with
the individuals it showed, flagged list reads are told apart from a flagged opening of one
person's record, pages and details are named in Swedish, the pages go by key ("Äldre"/"Nyare"),
and the count stops at 10 000. Every read is still logged, one row per object shown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import _insert_orm, _insert_postgresql, access_log_write
from accounts.models import AccessAction, AccessLogEntry
from audit.selectors import ROWS_PER_PAGE, _individuals_shown, access_log_queryset
from tests.factories import CaseFactory

LOG = "audit:access_log"


def _page(response) -> str:
    return response.content.decode()


def test_a_start_page_is_one_line_with_the_individuals_it_showed(client, coordinator, manager):
    cases = [CaseFactory.create(coordinator=coordinator) for _n in range(4)]
    client.force_login(coordinator)
    assert client.get(reverse("home:start_coordinator")).status_code == 200
    # Every read is still logged: one row per case shown, marked as read in a list.
    rows = AccessLogEntry.objects.filter(view_name="home:start_coordinator")
    assert rows.count() == 4
    assert set(rows.values_list("individual_id", flat=True)) == {c.individual_id for c in cases}
    assert all(rows.values_list("listed", flat=True))

    client.force_login(manager)
    response = client.get(reverse(LOG))
    lines = response.context["page"].lines
    assert len(lines) == 1  # one page view, one line
    (line,) = lines
    assert line.listed
    assert line.count == 4
    assert line.references == sorted(c.individual.reference for c in cases)
    page = _page(response)
    assert "Lista: 4 poster visade" in page
    assert "Startsida (regionkoordinator)" in page
    for case in cases:
        assert case.individual.reference in page
    # The line's link shows that page view's rows, and only them.
    response = client.get(reverse(LOG), {"page_view": line.page_view})
    assert len(response.context["rows"]) == 4
    assert "4 läsningar" in _page(response)


def test_a_flagged_opening_of_a_record_is_told_apart_from_flagged_list_reads(
    client, coordinator, other_coordinator, manager
):
    cases = [CaseFactory.create(coordinator=coordinator) for _n in range(30)]
    snooped = cases[7]
    # Someone else's coordinator lists every case (30 flagged list rows) and opens one.
    client.force_login(other_coordinator)
    assert client.get(reverse("casework:case_list"), {"status": ""}).status_code == 200
    assert client.get(reverse("casework:case_detail", args=[snooped.pk])).status_code == 200
    flagged = AccessLogEntry.objects.filter(flagged=True)
    assert flagged.filter(listed=True).count() >= 25  # the list's page of cases
    assert flagged.filter(listed=False).count() == 1

    client.force_login(manager)
    response = client.get(reverse(LOG), {"flagged": "on"})
    assert [line.listed for line in response.context["page"].lines] == [False, True]
    page = _page(response)
    assert 'text-bg-warning">Inte ansvarig koordinator' in page  # the opening
    assert "I en lista: inte ansvarig koordinator" in page
    # The one snooping read, alone.
    response = client.get(reverse(LOG), {"flagged": "on", "kind": "records"})
    assert [row.entry.individual_id for row in response.context["rows"]] == [snooped.individual_id]
    assert "1 läsning" in _page(response)
    response = client.get(reverse(LOG), {"flagged": "on", "kind": "lists"})
    assert all(row.entry.listed for row in response.context["rows"])


def test_with_only_flagged_reads_a_list_line_is_its_flagged_rows(
    client, coordinator, other_coordinator, manager
):
    theirs = [CaseFactory.create(coordinator=coordinator) for _n in range(5)]
    own = [CaseFactory.create(coordinator=other_coordinator) for _n in range(3)]
    client.force_login(other_coordinator)
    assert client.get(reverse("casework:case_list"), {"status": ""}).status_code == 200

    client.force_login(manager)
    (line,) = client.get(reverse(LOG)).context["page"].lines
    assert line.count == 8
    assert line.references == sorted(c.individual.reference for c in theirs + own)
    (line,) = client.get(reverse(LOG), {"flagged": "on"}).context["page"].lines
    assert line.count == 5  # the five cases of someone else's, not the three of their own
    assert (
        line.references == line.flagged_references == sorted(c.individual.reference for c in theirs)
    )


def test_a_long_list_line_names_ten_individuals_and_counts_the_rest(client, coordinator, manager):
    cases = [CaseFactory.create(coordinator=coordinator) for _n in range(12)]
    _list_read(coordinator, [(str(case.pk), case.individual_id) for case in cases])
    client.force_login(manager)
    response = client.get(reverse(LOG))
    (line,) = response.context["page"].lines
    references = sorted(case.individual.reference for case in cases)
    assert line.references == references
    page = _page(response)
    for reference in references[:10]:
        assert f">{reference}</a>" in page
    for reference in references[10:]:
        assert reference not in page  # on the page view's own page, through its link
    assert "och 2 till" in page


def test_pages_and_details_are_named_in_swedish(client, coordinator, manager):
    for view_name, detail in [
        ("reflection_period:application_decide", ""),
        ("casework:case_list", "filters: q, status"),
        ("reflection_period:deadline_board", "deadline board: unit"),
    ]:
        access_log_write(
            user=coordinator,
            action=AccessAction.VIEW,
            object_type="casework.case",
            object_id="1",
            view_name=view_name,
            detail=detail,
        )
    client.force_login(manager)
    page = _page(client.get(reverse(LOG)))
    assert "Registrera beslutet om ansökan" in page
    assert "filter: söktext, status" in page
    assert "bevakning: enhetens" in page
    for raw in ("reflection_period:", "casework:case_list", "filters:", "deadline board"):
        assert raw not in page


def _list_read(user, items: list[tuple[str, int | None]]) -> None:
    """One page view of the case list by `user`, showing `items` (object id, individual id)."""
    row = AccessLogEntry(
        at=timezone.now(),
        user=user,
        action=AccessAction.VIEW,
        object_type="casework.case",
        view_name="casework:case_list",
        listed=True,
    )
    _insert_postgresql(row, items)


def _many(user, n: int) -> None:
    _list_read(user, [(str(i), None) for i in range(n)])


def test_a_list_read_written_through_the_orm_keeps_one_time(coordinator):
    # The path SQLite takes (make run): bulk_create once gave each row its own time
    # (auto_now_add), so the demo's log review never grouped a page view.
    row = AccessLogEntry(
        at=timezone.now() - timedelta(minutes=5),
        user=coordinator,
        action=AccessAction.VIEW,
        object_type="casework.case",
        view_name="casework:case_list",
        listed=True,
    )
    _insert_orm(row, [(str(n), None, False) for n in range(3)])
    assert set(AccessLogEntry.objects.values_list("at", flat=True)) == {row.at}


def test_the_count_stops_at_ten_thousand(client, coordinator, manager):
    _many(coordinator, 10_001)
    client.force_login(manager)
    response = client.get(reverse(LOG))
    assert "Fler än 10\xa0000 läsningar" in _page(response)
    response = client.get(reverse(LOG), {"user": manager.pk})
    assert "0 läsningar" in _page(response)


def test_a_page_view_of_more_rows_than_a_page_reads_is_one_line_of_its_own(
    client, coordinator, manager
):
    # An export of 1,500 cases between two single reads: a page groups at most ROWS_PER_PAGE
    # rows, and never cuts a page view in two.
    _log_one(coordinator, "casework:case_detail")
    _many(coordinator, ROWS_PER_PAGE + 500)
    _log_one(coordinator, "casework:case_detail")
    client.force_login(manager)
    counts = []
    params: dict[str, str] = {}
    for _page_number in range(5):
        response = client.get(reverse(LOG), params)
        counts.append([line.count for line in response.context["page"].lines])
        older = response.context["page"].older
        if older is None:
            break
        params = {"before": str(older)}
    assert counts == [[1], [ROWS_PER_PAGE + 500], [1]]  # every row, each shown once


def test_a_list_line_names_the_individuals_of_its_own_page_view_only(
    coordinator, other_coordinator
):
    # The lines' individuals are read by reader and by time: a page view by one line's reader
    # at another line's time is not on the page and lends neither line its individuals.
    earlier = timezone.now() - timedelta(minutes=2)
    later = earlier + timedelta(minutes=1)
    first, second, third = (CaseFactory.create().individual for _n in range(3))
    for user, at, individual, flagged in [
        (coordinator, earlier, first, False),
        (other_coordinator, later, second, True),
        (coordinator, later, third, False),
    ]:
        row = AccessLogEntry(
            at=at,
            user=user,
            action=AccessAction.VIEW,
            object_type="casework.case",
            view_name="casework:case_list",
            listed=True,
        )
        _insert_orm(row, [("1", individual.pk, flagged)])
    lines = [
        {"user_id": coordinator.pk, "at": earlier},
        {"user_id": other_coordinator.pk, "at": later},
    ]
    assert _individuals_shown(access_log_queryset(), lines) == {
        (coordinator.pk, earlier): ([first.reference], []),
        (other_coordinator.pk, later): ([second.reference], [second.reference]),
    }


def _log_one(user, view_name: str) -> None:
    access_log_write(
        user=user,
        action=AccessAction.VIEW,
        object_type="casework.case",
        object_id="1",
        view_name=view_name,
    )


@pytest.mark.parametrize("name", ["before", "after", "page_view"])
def test_a_bad_page_in_the_address_is_explained(client, manager, name):
    client.force_login(manager)
    response = client.get(reverse(LOG), {name: "x.1"})
    assert response.status_code == 400
    assert "ogiltig" in _page(response)


def test_the_query_count_does_not_depend_on_the_page(
    client, coordinator, manager, django_assert_max_num_queries
):
    for _n in range(3):
        _many(coordinator, 30)
    for n in range(60):
        case = CaseFactory.create(coordinator=coordinator if n % 2 else manager)
        access_log_write(
            user=coordinator,
            action=AccessAction.VIEW,
            object_type="casework.case",
            object_id=str(case.pk),
            individual_id=case.individual_id,
            view_name="casework:case_detail",
        )
    client.force_login(manager)
    client.get(reverse(LOG))  # warm the session
    counts = []
    params: dict[str, str] = {}
    for _n in range(2):
        # session, user, roles, the users for the filter, the count, where the page's rows
        # end, the lines, their newest rows (with the reader and the reference), the case
        # numbers, the lists' individuals with their references, unread notifications.
        with django_assert_max_num_queries(11), CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(LOG), params)
        counts.append(len(queries))
        params = {"before": str(response.context["page"].older)}
    assert counts[0] == counts[1]


def test_old_list_rows_are_marked_by_the_migration_through_the_append_only_trigger(coordinator):
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0010_accesslog_import_action")])
    with connection.cursor() as cursor:
        for view_name in ("home:start_coordinator", "casework:case_list", "casework:case_detail"):
            cursor.execute(
                "INSERT INTO accounts_accesslogentry (at, user_id, action, object_type,"
                " object_id, individual_id, view_name, detail, flagged)"
                " VALUES (now(), %s, 'view', 'casework.case', '1', 1, %s, '', false)",
                [coordinator.pk, view_name],
            )
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER TABLE
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert dict(AccessLogEntry.objects.values_list("view_name", "listed")) == {
        "home:start_coordinator": True,
        "casework:case_list": True,
        "casework:case_detail": False,
    }
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_accesslogentry SET listed = NOT listed")
