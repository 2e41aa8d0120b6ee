"""The managers' log review ("Logguppföljning"): who may open it, its filters, the flag on
reads by others than a responsible coordinator, the CSV export, and its query count."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import access_log_write
from accounts.models import AccessAction, AccessLogEntry
from accounts.roles import Role
from casework import services as casework_services
from tests.factories import CaseFactory, IndividualFactory, UserFactory
from tests.reflection_period_helpers import open_case

LOG = "audit:access_log"
EXPORT = "audit:access_log_export"
STOCKHOLM = timezone.get_default_timezone()


def _log(
    user,
    *,
    individual_id=None,
    at=None,
    object_type="casework.case",
    object_id="1",
    action=AccessAction.VIEW,
    view_name="casework:case_detail",
):
    """A log row as the access helpers write it (its flag decided now), at a given time."""
    with time_machine.travel(at or timezone.now(), tick=False):
        return access_log_write(
            user=user,
            action=action,
            object_type=object_type,
            object_id=object_id,
            individual_id=individual_id,
            view_name=view_name,
            ip_address="10.1.2.3",
        )


def _page(response) -> str:
    return response.content.decode()


# --- Who may open it ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [LOG, EXPORT])
def test_only_managers_may_open_the_log(
    client, name, coordinator, outreach_worker, admin_user, outsider, manager
):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    for user in (coordinator, outreach_worker, admin_user, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403, user
    client.force_login(manager)
    assert client.get(url).status_code == 200


def test_the_log_is_in_the_managers_navigation(client, manager, coordinator):
    client.force_login(manager)
    page = _page(client.get(reverse("home:start_manager")))
    assert "Logguppföljning" in page
    assert reverse(LOG) in page
    client.force_login(coordinator)
    assert reverse(LOG) not in _page(client.get(reverse("home:start_coordinator")))


def test_the_log_cannot_be_changed_from_the_page(client, manager):
    client.force_login(manager)
    assert client.post(reverse(LOG)).status_code == 405
    assert client.post(reverse(EXPORT)).status_code == 405


# --- What it shows --------------------------------------------------------------------------------


def test_rows_show_who_when_what_page_and_address(client, manager, coordinator):
    case = CaseFactory.create(coordinator=coordinator)
    _log(
        coordinator,
        individual_id=case.individual_id,
        object_id=str(case.pk),
        at=datetime(2026, 11, 20, 9, 15, 30, tzinfo=STOCKHOLM),
    )
    client.force_login(manager)
    page = _page(client.get(reverse(LOG)))
    assert "2026-11-20 09:15:30" in page
    assert "Karin" in page
    assert "Visade" in page
    assert f"Ärende {case.number}" in page
    assert case.individual.reference in page
    assert "Ärendesida" in page
    assert "10.1.2.3" in page
    assert "1 läsning" in page


def test_filters_by_user_individual_period_and_action(
    client, manager, coordinator, other_coordinator
):
    mine = CaseFactory.create(coordinator=coordinator)
    other = CaseFactory.create(coordinator=coordinator)
    in_period = datetime(2026, 11, 10, 12, 0, tzinfo=STOCKHOLM)
    wanted = _log(coordinator, individual_id=mine.individual_id, at=in_period)
    _log(other_coordinator, individual_id=mine.individual_id, at=in_period)  # another user
    _log(coordinator, individual_id=other.individual_id, at=in_period)  # another individual
    _log(coordinator, individual_id=mine.individual_id, at=in_period - timedelta(days=30))
    _log(
        coordinator,
        individual_id=mine.individual_id,
        at=in_period,
        action=AccessAction.EXPORT,
    )
    client.force_login(manager)
    response = client.get(
        reverse(LOG),
        {
            "user": coordinator.pk,
            "individual": mine.individual.reference,
            "date_from": "2026-11-01",
            "date_to": "2026-11-10",
            "action": "view",
        },
    )
    assert response.status_code == 200
    rows = [row.entry for row in response.context["rows"]]
    assert rows == [wanted]
    assert "1 läsning" in _page(response)


def test_the_period_is_whole_days_in_stockholm_time(client, manager, coordinator):
    late = _log(coordinator, at=datetime(2026, 11, 10, 23, 59, 59, tzinfo=STOCKHOLM))
    _log(coordinator, at=datetime(2026, 11, 11, 0, 0, 0, tzinfo=STOCKHOLM))
    early = _log(coordinator, at=datetime(2026, 11, 9, 0, 0, 0, tzinfo=STOCKHOLM))
    _log(coordinator, at=datetime(2026, 11, 8, 23, 59, 59, tzinfo=STOCKHOLM))
    client.force_login(manager)
    response = client.get(reverse(LOG), {"date_from": "2026-11-09", "date_to": "2026-11-10"})
    assert [row.entry for row in response.context["rows"]] == [late, early]


def test_a_reference_can_be_given_as_its_number(client, manager, coordinator):
    individual = IndividualFactory.create(reference="IND-000123")
    entry = _log(coordinator, individual_id=individual.pk)
    _log(coordinator, individual_id=None)
    client.force_login(manager)
    for text in ("IND-000123", "ind-000123", " 123 "):
        response = client.get(reverse(LOG), {"individual": text})
        assert [row.entry for row in response.context["rows"]] == [entry], text


def test_bad_filters_are_explained_next_to_the_field(client, manager):
    client.force_login(manager)
    response = client.get(reverse(LOG), {"individual": "IND-999999"})
    assert response.status_code == 400
    page = _page(response)
    assert "Det finns ingen individ med referensen IND-999999." in page
    assert "Filtren kunde inte användas" in page
    response = client.get(reverse(LOG), {"date_from": "2026-11-10", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert "Periodens slut kan inte vara före dess början." in _page(response)
    response = client.get(reverse(LOG), {"date_from": "2026-13-45"})
    assert response.status_code == 400
    assert "Fyll i ett giltigt datum." in _page(response)
    assert client.get(reverse(EXPORT), {"individual": "nobody"}).status_code == 400
    assert not AccessLogEntry.objects.exists()  # nothing was exported, nothing logged


def test_htmx_gets_the_table_and_bad_filters_the_full_page(client, manager, coordinator):
    _log(coordinator)
    client.force_login(manager)
    response = client.get(reverse(LOG), {"user": coordinator.pk}, HTTP_HX_REQUEST="true")
    page = _page(response)
    assert response.status_code == 200
    assert "<table" in page
    assert "<html" not in page
    url = reverse(LOG) + "?individual=IND-999999"
    response = client.get(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert response["HX-Redirect"] == url  # the full page shows the error next to the field


def test_pages_keep_their_filters_in_the_url(client, manager, coordinator):
    individual = IndividualFactory.create()
    for _n in range(60):
        _log(coordinator, individual_id=individual.pk)
    client.force_login(manager)
    response = client.get(reverse(LOG), {"individual": individual.reference})
    page = _page(response)
    assert len(response.context["rows"]) == 25
    # Paged by key ("Äldre": after the last row shown), not by page number: the same filters.
    older = response.context["page"].older
    assert older is not None
    assert f"?individual={individual.reference}&amp;before={older}" in page
    assert "Äldre" in page
    response = client.get(reverse(LOG), {"individual": individual.reference, "before": str(older)})
    assert len(response.context["rows"]) == 25
    response = client.get(
        reverse(LOG),
        {"individual": individual.reference, "before": str(response.context["page"].older)},
        HTTP_HX_REQUEST="true",
    )
    assert len(response.context["rows"]) == 10
    assert response.context["page"].older is None  # the last page
    newer = response.context["page"].newer
    assert f"?individual={individual.reference}&amp;after={newer}" in _page(response)
    response = client.get(reverse(LOG), {"individual": individual.reference, "after": str(newer)})
    assert len(response.context["rows"]) == 25  # back to the page before


# --- The flag -------------------------------------------------------------------------------------


def _flags(client, manager) -> dict[int, bool]:
    client.force_login(manager)
    response = client.get(reverse(LOG))
    return {row.entry.pk: row.flagged for row in response.context["rows"]}


def test_reads_by_others_than_a_responsible_coordinator_are_flagged(
    client, manager, coordinator, other_coordinator, outreach_worker
):
    case = open_case(coordinator)
    second = casework_services.case_open(
        individual=case.individual,
        by=other_coordinator,
        coordinator=other_coordinator,
        category="relative",
        opened_on=date(2024, 5, 1),
        origin="police",
    )
    third_party = UserFactory.create(roles=[Role.COORDINATOR])
    responsible = _log(coordinator, individual_id=case.individual_id)
    responsible_for_the_other_case = _log(other_coordinator, individual_id=case.individual_id)
    not_responsible = _log(third_party, individual_id=case.individual_id)
    by_a_manager = _log(manager, individual_id=case.individual_id)
    no_individual = _log(outreach_worker, object_type="outreach.outreachcontact")
    assert second.coordinator == other_coordinator
    flags = _flags(client, manager)
    assert flags[responsible.pk] is False
    assert flags[responsible_for_the_other_case.pk] is False
    assert flags[not_responsible.pk] is True
    assert flags[by_a_manager.pk] is True  # managers may read, but they are not coordinators
    assert flags[no_individual.pk] is False
    page = _page(client.get(reverse(LOG)))
    assert page.count('text-bg-warning">Inte ansvarig koordinator') == 2


def test_the_flag_follows_who_was_responsible_at_the_time_of_the_read(
    client, manager, coordinator, other_coordinator
):
    case = open_case(coordinator)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        before_by_old = _log(coordinator, individual_id=case.individual_id)
        before_by_new = _log(other_coordinator, individual_id=case.individual_id)
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        casework_services.case_reassign(case=case, coordinator=other_coordinator, by=manager)
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        after_by_old = _log(coordinator, individual_id=case.individual_id)
        after_by_new = _log(other_coordinator, individual_id=case.individual_id)
    flags = _flags(client, manager)
    assert flags[before_by_old.pk] is False
    assert flags[before_by_new.pk] is True
    assert flags[after_by_old.pk] is True
    assert flags[after_by_new.pk] is False


def test_a_case_without_recorded_history_counts_with_its_current_coordinator(
    client, manager, coordinator, other_coordinator
):
    case = CaseFactory.create(coordinator=coordinator)
    case.history.all().delete()  # as for cases made before the history was kept
    by_coordinator = _log(coordinator, individual_id=case.individual_id)
    by_other = _log(other_coordinator, individual_id=case.individual_id)
    flags = _flags(client, manager)
    assert (flags[by_coordinator.pk], flags[by_other.pk]) == (False, True)


def _read_individual_page(client, user, individual_id) -> AccessLogEntry:
    """A real read through the page: the access helpers write the row (and decide its flag)."""
    client.force_login(user)
    assert (
        client.get(reverse("casework:individual_detail", args=[individual_id])).status_code == 200
    )
    return AccessLogEntry.objects.filter(user=user, individual_id=individual_id).latest("pk")


def test_a_case_opened_after_a_read_never_unflags_it(
    client, manager, coordinator, other_coordinator
):
    """The reader opens a case for the person after reading them: the read stays flagged, in the
    page, its filter and the CSV."""
    case = open_case(coordinator)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        earlier = _read_individual_page(client, other_coordinator, case.individual_id)
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        casework_services.case_open(
            individual=case.individual,
            by=other_coordinator,
            coordinator=other_coordinator,
            category="relative",
            opened_on=date(2024, 5, 1),
            origin="police",
        )
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        later = _read_individual_page(client, other_coordinator, case.individual_id)
    flags = _flags(client, manager)
    assert (flags[earlier.pk], flags[later.pk]) == (True, False)
    only_flagged = client.get(reverse(LOG), {"flagged": "on"})
    assert earlier in [row.entry for row in only_flagged.context["rows"]]
    body = b"".join(client.get(reverse(EXPORT), {"flagged": "on"}).streaming_content)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert [r[-1] for r in rows[1:] if r[1] == str(other_coordinator)] == ["Ja"]


def test_a_reassignment_after_a_read_never_changes_its_flag(
    client, manager, coordinator, other_coordinator
):
    case = open_case(coordinator)
    with time_machine.travel(timezone.now() + timedelta(minutes=1), tick=False):
        by_responsible = _read_individual_page(client, coordinator, case.individual_id)
        by_other = _read_individual_page(client, other_coordinator, case.individual_id)
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        casework_services.case_reassign(case=case, coordinator=other_coordinator, by=manager)
    flags = _flags(client, manager)
    assert (flags[by_responsible.pk], flags[by_other.pk]) == (False, True)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_gives_earlier_rows_their_flag_from_history_as_it_stood_at_the_read():
    """Rows written before the flag was stored get it from the cases' history at each read:
    the same flags the writer decides at the time (which the rows hold before the migration is
    undone), also for a case opened after a read, a reassignment and a case without history.
    The log's trigger is on again afterwards."""
    coordinator = UserFactory.create(roles=[Role.COORDINATOR])
    other = UserFactory.create(roles=[Role.COORDINATOR])
    manager = UserFactory.create(roles=[Role.MANAGER])
    start = timezone.now()

    def at(minutes):
        return start + timedelta(minutes=minutes)

    with time_machine.travel(at(1), tick=False):
        case = open_case(coordinator)
    person = case.individual_id
    rows = [
        _log(coordinator, individual_id=person, at=at(2)),
        _log(other, individual_id=person, at=at(2)),
        _log(manager, individual_id=person, at=at(2)),
        _log(other, at=at(2)),  # no individual
    ]
    with time_machine.travel(at(3), tick=False):
        casework_services.case_open(
            individual=case.individual,
            by=other,
            coordinator=other,
            category="relative",
            opened_on=date(2024, 5, 1),
            origin="police",
        )
    with time_machine.travel(at(4), tick=False):
        casework_services.case_reassign(case=case, coordinator=manager_coordinator(), by=manager)
    rows += [
        _log(coordinator, individual_id=person, at=at(5)),
        _log(other, individual_id=person, at=at(5)),
    ]
    untracked = CaseFactory.create(coordinator=coordinator)
    untracked.history.all().delete()  # as for cases made before the history was kept
    rows += [
        _log(coordinator, individual_id=untracked.individual_id, at=at(6)),
        _log(other, individual_id=untracked.individual_id, at=at(6)),
    ]
    written = {row.pk: row.flagged for row in rows}
    assert list(written.values()) == [False, True, True, False, True, False, False, True]

    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0005_longer_object_type")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    backfilled = dict(AccessLogEntry.objects.filter(pk__in=written).values_list("pk", "flagged"))
    assert backfilled == written
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE accounts_accesslogentry SET flagged = NOT flagged")


def manager_coordinator():
    """Someone else to reassign to: neither of the readers."""
    return UserFactory.create(roles=[Role.COORDINATOR])


def test_only_flagged_reads(client, manager, coordinator, other_coordinator):
    case = CaseFactory.create(coordinator=coordinator)
    _log(coordinator, individual_id=case.individual_id)
    flagged = _log(other_coordinator, individual_id=case.individual_id)
    client.force_login(manager)
    response = client.get(reverse(LOG), {"flagged": "on"})
    assert [row.entry for row in response.context["rows"]] == [flagged]


# --- The CSV export -------------------------------------------------------------------------------


def test_the_export_is_csv_for_swedish_excel_with_the_filtered_rows(
    client, manager, coordinator, other_coordinator
):
    case = CaseFactory.create(coordinator=coordinator)
    _log(
        coordinator,
        individual_id=case.individual_id,
        object_id=str(case.pk),
        at=datetime(2026, 11, 20, 9, 15, 30, tzinfo=STOCKHOLM),
    )
    _log(
        other_coordinator,
        individual_id=case.individual_id,
        object_id=str(case.pk),
        at=datetime(2026, 11, 21, 10, 0, 0, tzinfo=STOCKHOLM),
    )
    _log(coordinator, individual_id=None, object_type="outreach.outreachcontact")
    client.force_login(manager)
    response = client.get(reverse(EXPORT), {"individual": case.individual.reference})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "lotsa-logguppfoljning-" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == [
        "Tidpunkt",
        "Medarbetare",
        "Användarnamn",
        "Händelse",
        "Vad",
        "Individ",
        "Sida",
        "Detalj",
        "Typ av läsning",
        "IP-adress",
        "Flaggad: inte ansvarig koordinator",
    ]
    # The export is logged before it runs: as a read concerning the individual, it is in itself.
    assert len(rows) == 4
    assert rows[1][2:8] == [
        "maria",
        "Exporterade",
        "Åtkomstlogg",
        case.individual.reference,
        "Logguppföljning, CSV-export",
        "filter: individ",  # the detail in Swedish words, as on the page
    ]
    assert rows[2][0] == "2026-11-21 10:00:00"
    assert rows[2][2:] == [
        "samira",
        "Visade",
        f"Ärende {case.number}",
        case.individual.reference,
        "Ärendesida",
        "",
        "Uppgifter",  # one record opened, not a list
        "10.1.2.3",
        "Ja",
    ]
    assert rows[3][0] == "2026-11-20 09:15:30"
    assert rows[3][-1] == "Nej"


def test_the_export_is_itself_logged_without_the_filter_values(client, manager, coordinator):
    case = CaseFactory.create(coordinator=coordinator)
    client.force_login(manager)
    response = client.get(
        reverse(EXPORT), {"individual": case.individual.reference, "date_from": "2026-11-01"}
    )
    b"".join(response.streaming_content)
    entry = AccessLogEntry.objects.get(user=manager)
    assert (entry.action, entry.object_type, entry.individual_id, entry.view_name) == (
        "export",
        "accounts.accesslogentry",
        case.individual_id,
        "audit:access_log_export",
    )
    assert entry.detail == "filters: date_from, individual"


def test_spreadsheet_formulas_in_the_export_are_neutralised(client, manager):
    sneaky = UserFactory.create(username="eve", first_name='=HYPERLINK("x")', last_name="")
    _log(sneaky)
    client.force_login(manager)
    body = b"".join(client.get(reverse(EXPORT)).streaming_content).decode("utf-8")
    assert "'=HYPERLINK" in body


# --- Query counts ---------------------------------------------------------------------------------


def test_the_page_runs_a_fixed_number_of_queries(
    client, manager, coordinator, other_coordinator, django_assert_max_num_queries
):
    def add(count):
        for n in range(count):
            case = CaseFactory.create(coordinator=coordinator if n % 2 else other_coordinator)
            _log(coordinator, individual_id=case.individual_id, object_id=str(case.pk))
            _log(manager, individual_id=case.individual_id, object_type="casework.individual")

    add(3)
    client.force_login(manager)
    client.get(reverse(LOG))  # warm the session
    counts, shown = [], []
    for size in (3, 40):
        if size == 40:
            add(size)
        # session, user, roles, the users for the filter, the count, where the page's rows
        # end, the lines, their newest rows (with the reader and the reference), the case
        # numbers, unread notifications.
        with django_assert_max_num_queries(10), CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(LOG))
        assert response.status_code == 200
        counts.append(len(queries))
        shown.append(len(response.context["rows"]))
    assert shown == [6, 25]
    assert counts[0] == counts[1]
