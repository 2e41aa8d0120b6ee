"""The outreach workers' own contacts (outreach.models.StaffContact), written by PostgreSQL
triggers for counting them.

It must always hold one row per contact and staff member who logged it or was present, with the
contact's filtered columns (every way a contact or its staff change goes through the triggers),
and an outreach worker's count through it must be exactly the count of the contacts they may see.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from outreach import services
from outreach.filters import ContactFilter
from outreach.models import AgeGroup, District, Environment, OutreachContact, StaffContact
from outreach.selectors import contact_count_queryset, contact_rows_queryset
from tests.concurrency import while_uncommitted
from tests.factories import OutreachContactFactory, OutreachWorkerFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

FILTERED = ["contacted_at", "environment", "district_id", "age_group"]


def _expected() -> set[tuple[object, ...]]:
    """Every row, computed from the contacts and the staff present themselves."""
    rows = set()
    for contact in OutreachContact.objects.prefetch_related("staff"):
        columns = tuple(getattr(contact, name) for name in FILTERED)
        for user_id in {contact.created_by_id, *(user.pk for user in contact.staff.all())}:
            rows.add((contact.pk, user_id, *columns))
    return rows


def _stored() -> set[tuple[object, ...]]:
    return set(StaffContact.objects.values_list("contact_id", "user_id", *FILTERED))


def _assert_in_step() -> None:
    assert _stored() == _expected()


@pytest.fixture
def colleague(db):
    return OutreachWorkerFactory.create(username="lina", first_name="Lina")


@pytest.fixture
def contact(outreach_worker, colleague):
    """Logged by Jonas, who was not there himself: Lina was."""
    return services.contact_create(
        by=outreach_worker,
        contacted_at=timezone.now() - timedelta(days=2),
        environment=Environment.STREET,
        district=District.objects.get(code="norrmalm"),
        staff=[colleague],
        age_group=AgeGroup.FROM_26_TO_35,
    )


def test_a_new_contact_gives_its_worker_and_the_staff_present_a_row(
    contact, outreach_worker, colleague
):
    assert set(StaffContact.objects.values_list("user_id", flat=True)) == {
        outreach_worker.pk,
        colleague.pk,
    }
    _assert_in_step()


def test_the_rows_follow_a_corrected_contact_and_its_staff(contact, outreach_worker, colleague):
    third = OutreachWorkerFactory.create(username="ebba")
    services.contact_update(
        contact=contact,
        by=colleague,
        expected_version=contact.version,
        data={
            "contacted_at": contact.contacted_at - timedelta(days=400),
            "environment": Environment.ONLINE,
            "district": None,
            "age_group": AgeGroup.FROM_18_TO_25,
        },
        staff=[third],
        indicators=[],
        offers=[],
    )
    # Lina is no longer present; Jonas logged it and keeps his row; Ebba now has one.
    assert set(StaffContact.objects.values_list("user_id", flat=True)) == {
        outreach_worker.pk,
        third.pk,
    }
    row = StaffContact.objects.get(user=third)
    assert (row.environment, row.district_id, row.age_group) == ("online", None, "18_25")
    _assert_in_step()


def test_the_worker_who_logged_keeps_their_row_when_no_longer_present(outreach_worker):
    contact = OutreachContactFactory.create(created_by=outreach_worker)  # present too
    contact.staff.clear()
    assert StaffContact.objects.filter(contact=contact, user=outreach_worker).exists()
    contact.staff.add(outreach_worker)
    contact.staff.remove(outreach_worker)
    assert StaffContact.objects.filter(contact=contact, user=outreach_worker).count() == 1
    _assert_in_step()


def test_queryset_update_and_another_logging_worker_reach_the_rows(
    contact, outreach_worker, colleague
):
    OutreachContact.objects.filter(pk=contact.pk).update(
        environment=Environment.INDOOR, created_by=colleague
    )
    # Jonas neither logged it now nor was there: no row; Lina's one row has the new place.
    assert list(StaffContact.objects.values_list("user_id", "environment")) == [
        (colleague.pk, "indoor")
    ]
    OutreachContact.objects.filter(pk=contact.pk).update(created_by=outreach_worker)
    _assert_in_step()


def test_a_deleted_contact_loses_its_rows(contact, outreach_worker):
    kept = OutreachContactFactory.create(created_by=outreach_worker)
    contact.delete()
    OutreachContactFactory.create_batch(2, created_by=outreach_worker)
    OutreachContact.objects.exclude(pk=kept.pk).delete()
    assert set(StaffContact.objects.values_list("contact_id", flat=True)) == {kept.pk}
    _assert_in_step()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_writes_the_rows_of_existing_contacts_and_can_be_reversed(
    outreach_worker, colleague
):
    OutreachContactFactory.create(created_by=outreach_worker, staff=[colleague])
    OutreachContactFactory.create(created_by=colleague)
    executor = MigrationExecutor(connection)
    executor.migrate([("outreach", "0006_countries_in_swedish_order")])
    with connection.cursor() as cursor:
        assert "outreach_staffcontact" not in connection.introspection.table_names(cursor)
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'outreach_staffc%'")
        assert cursor.fetchone() == (0,)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert StaffContact.objects.count() == 3
    _assert_in_step()


# --- Counting ---------------------------------------------------------------------------------


def _count_of_visible(user, params: str) -> tuple[type, int, int]:
    """The list's count (its model and value) and the count of the contacts the page lists."""
    found = ContactFilter(QueryDict(params), queryset=contact_rows_queryset(user), user=user)
    searched = bool(found.form.data.get("q", "").strip())
    counted = found.filtered(contact_count_queryset(user, searched=searched))
    return counted.model, counted.count(), found.qs.count()


@pytest.mark.parametrize(
    "params",
    [
        "",
        "environment=street",
        "district=2",
        "age_group=26_35",
        "year=2025",
        "environment=street&year=2026&age_group=26_35",
    ],
)
def test_a_workers_count_reads_the_table_and_equals_the_contacts_listed(
    params, outreach_worker, colleague
):
    now = timezone.now()
    stranger = OutreachWorkerFactory.create(username="olle")
    norrmalm = District.objects.get(code="norrmalm")
    other_district = District.objects.exclude(pk=norrmalm.pk).earliest("pk")
    for days, by, present, environment, district in [
        (1, outreach_worker, [outreach_worker], Environment.STREET, norrmalm),
        (40, outreach_worker, [colleague], Environment.INDOOR, other_district),
        (400, colleague, [colleague, outreach_worker], Environment.STREET, other_district),
        (700, colleague, [colleague], Environment.STREET, norrmalm),  # not Jonas's
        (3, stranger, [stranger], Environment.ONLINE, None),  # not Jonas's
    ]:
        OutreachContactFactory.create(
            contacted_at=now - timedelta(days=days),
            created_by=by,
            staff=present,
            environment=environment,
            district=district,
        )
    params = params.replace("district=2", f"district={other_district.pk}")
    model, count, listed = _count_of_visible(outreach_worker, params)
    assert model is StaffContact
    assert count == listed
    if not params:
        assert count == 3


def test_a_searched_list_and_those_who_see_more_are_counted_from_the_contacts(
    outreach_worker, manager
):
    OutreachContactFactory.create(created_by=outreach_worker, alias="Rosa")
    OutreachContactFactory.create(created_by=outreach_worker, alias="Lilja")
    assert _count_of_visible(outreach_worker, "q=Rosa")[:2] == (OutreachContact, 1)
    assert _count_of_visible(manager, "")[:2] == (OutreachContact, 2)
    both = UserFactory.create(roles=[Role.OUTREACH, Role.COORDINATOR])
    assert _count_of_visible(both, "")[0] is OutreachContact


def test_the_contact_list_shows_the_count_of_the_workers_own_contacts(
    client, outreach_worker, colleague
):
    OutreachContactFactory.create_batch(2, created_by=outreach_worker)
    OutreachContactFactory.create(created_by=colleague, staff=[colleague, outreach_worker])
    OutreachContactFactory.create(created_by=colleague)  # not his
    client.force_login(outreach_worker)
    page = client.get(reverse("outreach:contact_list")).content.decode()
    assert re.search(r"\b3 kontakter\b", page)


# --- Concurrent changes ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_added_during_a_correction_gets_the_corrected_place(outreach_worker, colleague):
    """The correction moves the contact online in this thread's transaction; meanwhile another
    adds a colleague as present. Whichever commits first, the colleague's row ends up online."""
    contact = OutreachContactFactory.create(created_by=outreach_worker)
    while_uncommitted(
        lambda: OutreachContact.objects.filter(pk=contact.pk).update(
            environment=Environment.ONLINE, district=None
        ),
        lambda: contact.staff.add(colleague),
    )
    assert StaffContact.objects.get(user=colleague).environment == "online"
    _assert_in_step()
