"""The access log is append-only: the application refuses to change or delete a row, and on
PostgreSQL a trigger refuses UPDATE and DELETE whoever sends them."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction

from accounts.models import AccessAction, AccessLogAppendOnlyError, AccessLogEntry


@pytest.fixture
def entry(coordinator):
    return AccessLogEntry.objects.create(
        user=coordinator,
        action=AccessAction.VIEW,
        object_type="casework.case",
        object_id="17",
        individual_id=4,
        view_name="casework:case_detail",
        ip_address="10.0.0.7",
    )


def _unchanged(entry: AccessLogEntry) -> None:
    stored = AccessLogEntry.objects.get(pk=entry.pk)
    assert (stored.object_id, stored.individual_id, stored.ip_address) == ("17", 4, "10.0.0.7")


def test_saving_an_existing_row_is_refused(entry):
    entry.object_id = "18"
    with pytest.raises(AccessLogAppendOnlyError):
        entry.save()
    with pytest.raises(AccessLogAppendOnlyError):
        entry.save(update_fields=["object_id"])
    fetched = AccessLogEntry.objects.get(pk=entry.pk)
    fetched.ip_address = "10.0.0.8"
    with pytest.raises(AccessLogAppendOnlyError):
        fetched.save()
    _unchanged(entry)


def test_a_new_object_with_an_existing_rows_id_does_not_overwrite_it(entry, coordinator):
    impostor = AccessLogEntry(
        pk=entry.pk,
        user=coordinator,
        action=AccessAction.VIEW,
        object_type="casework.case",
        object_id="99",
        view_name="x",
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        impostor.save()  # always an INSERT: the duplicate key is refused
    with pytest.raises(AccessLogAppendOnlyError):
        impostor.save(force_update=True)
    _unchanged(entry)


def test_deleting_is_refused(entry):
    with pytest.raises(AccessLogAppendOnlyError):
        entry.delete()
    with pytest.raises(AccessLogAppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AccessLogAppendOnlyError):
        AccessLogEntry.objects.all().delete()
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_bulk_changes_are_refused(entry):
    with pytest.raises(AccessLogAppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(ip_address="10.0.0.9")
    with pytest.raises(AccessLogAppendOnlyError):
        AccessLogEntry.objects.update(individual_id=None)
    entry.object_id = "18"
    with pytest.raises(AccessLogAppendOnlyError):
        AccessLogEntry.objects.bulk_update([entry], ["object_id"])
    with pytest.raises(AccessLogAppendOnlyError):
        AccessLogEntry.objects.update_or_create(pk=entry.pk, defaults={"object_id": "18"})
    _unchanged(entry)


def test_inserting_still_works_one_by_one_and_in_bulk(coordinator):
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=coordinator,
            action=AccessAction.SEARCH,
            object_type="casework.case",
            object_id=str(n),
            view_name="casework:case_list",
        )
        for n in range(3)
    )
    assert AccessLogEntry.objects.filter(action=AccessAction.SEARCH).count() == 3


def test_the_admin_offers_no_way_to_edit_the_log():
    assert AccessLogEntry not in admin.site._registry


# --- The database trigger (PostgreSQL) ------------------------------------------------------------


def _table() -> str:
    return connection.ops.quote_name(AccessLogEntry._meta.db_table)


def _sql(statement: str, params: list[str | int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.postgres
def test_the_trigger_refuses_update_by_raw_sql(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(
            f"UPDATE {_table()} SET ip_address = %s WHERE id = %s",  # noqa: S608  (our table name)
            ["10.0.0.9", entry.pk],
        )
    _unchanged(entry)


@pytest.mark.postgres
def test_the_trigger_refuses_delete_by_raw_sql(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(f"DELETE FROM {_table()} WHERE id = %s", [entry.pk])  # noqa: S608  (our table name)
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _sql(f"DELETE FROM {_table()}")  # noqa: S608  (our table name)
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
def test_the_trigger_lets_inserts_through(coordinator):
    _sql(
        f"INSERT INTO {_table()} (at, user_id, action, object_type, object_id, view_name, detail)"  # noqa: S608  (our table name)
        " VALUES (now(), %s, 'view', 'casework.case', '1', 'sql', '')",
        [coordinator.pk],
    )
    assert AccessLogEntry.objects.filter(view_name="sql").count() == 1


@pytest.mark.postgres
def test_the_trigger_is_installed_for_update_and_delete(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass"
            " AND NOT tgisinternal",
            [AccessLogEntry._meta.db_table],
        )
        assert cursor.fetchall() == [("access_log_append_only", "O")]
        cursor.execute(
            "SELECT event_manipulation FROM information_schema.triggers"
            " WHERE event_object_table = %s ORDER BY 1",
            [AccessLogEntry._meta.db_table],
        )
        assert [row[0] for row in cursor.fetchall()] == ["DELETE", "UPDATE"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_test_runners_flush_still_empties_the_log(coordinator):
    """Django's test runner empties tables with TRUNCATE after a transactional test; a row
    trigger does not see it, so the suite keeps working (and rows stay undeletable)."""
    AccessLogEntry.objects.create(
        user=coordinator, action=AccessAction.VIEW, object_type="t", view_name="t"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        _sql(f"DELETE FROM {_table()}")  # noqa: S608  (our table name)
    assert AccessLogEntry.objects.count() == 1
    flush = connection.ops.sql_flush(no_style(), [AccessLogEntry._meta.db_table])
    assert flush[0].startswith("TRUNCATE")
    for statement in flush:
        _sql(statement)
    assert AccessLogEntry.objects.count() == 0
