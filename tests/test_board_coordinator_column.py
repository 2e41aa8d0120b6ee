"""The case's coordinator on each application (ReflectionPeriodApplication.case_coordinator),
written by PostgreSQL triggers for the deadline board's "my deadlines".

It must always equal the coordinator of the application's case, whatever wrote the application
or the case (services, QuerySet.update(), two transactions at once), so that "my deadlines" by
the column is exactly "my deadlines" through the cases.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from casework import services as casework_services
from casework.models import Case
from reflection_period.models import ReflectionPeriodApplication as Application
from reflection_period.models import Status
from reflection_period.selectors import board_queryset
from reflection_period.services import application_refresh_deadline
from tests.concurrency import while_uncommitted
from tests.factories import ApplicationFactory, CaseFactory, CoordinatorFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _assert_in_step() -> None:
    stored = set(Application.objects.values_list("pk", "case_coordinator_id"))
    expected = set(Application.objects.values_list("pk", "case__coordinator_id"))
    assert stored == expected


def _open_deadline(case: Case) -> Application:
    """A submitted application of the case, waiting for the decision (an open deadline)."""
    return application_refresh_deadline(
        application=ApplicationFactory.create(case=case, submitted=True)
    )


def _mine(user) -> set[int]:
    return set(board_queryset(user, scope="mine").values_list("pk", flat=True))


@pytest.fixture
def colleague(db):
    return CoordinatorFactory.create(username="lisa", first_name="Lisa")


def test_a_new_application_carries_its_case_coordinator(coordinator):
    application = _open_deadline(CaseFactory.create(coordinator=coordinator))
    application.refresh_from_db()
    assert application.case_coordinator_id == coordinator.pk
    assert _mine(coordinator) == {application.pk}


def test_a_reassigned_case_moves_its_deadlines_to_the_new_coordinators_board(
    coordinator, colleague, manager
):
    case = CaseFactory.create(coordinator=coordinator)
    application = _open_deadline(case)
    casework_services.case_reassign(case=case, coordinator=colleague, by=manager)
    assert _mine(coordinator) == set()
    assert _mine(colleague) == {application.pk}
    # Also when cases are moved in bulk, past the services.
    Case.objects.filter(pk=case.pk).update(coordinator=coordinator)
    assert _mine(coordinator) == {application.pk}
    _assert_in_step()


def test_what_django_writes_into_the_column_is_replaced(coordinator, colleague):
    application = _open_deadline(CaseFactory.create(coordinator=coordinator))
    Application.objects.filter(pk=application.pk).update(case_coordinator=colleague)
    application.case_coordinator = colleague
    application.save()
    _assert_in_step()
    # An application moved to another case takes that case's coordinator.
    Application.objects.filter(pk=application.pk).update(
        case=CaseFactory.create(coordinator=colleague)
    )
    assert _mine(colleague) == {application.pk}
    _assert_in_step()


def test_my_deadlines_by_the_column_are_my_deadlines_through_the_cases(
    client, coordinator, colleague
):
    mine = [_open_deadline(CaseFactory.create(coordinator=coordinator)) for _ in range(3)]
    _open_deadline(CaseFactory.create(coordinator=colleague))
    # A draft the coordinator began for a colleague's case is on their board too.
    draft = ApplicationFactory.create(
        case=CaseFactory.create(coordinator=colleague), created_by=coordinator
    )
    draft = application_refresh_deadline(application=draft)
    assert draft.status == Status.DRAFT
    assert draft.due_kind
    expected = {application.pk for application in mine} | {draft.pk}
    through_cases = set(
        Application.objects.exclude(due_kind="")
        .filter(case__coordinator=coordinator)
        .values_list("pk", flat=True)
    ) | {draft.pk}
    assert _mine(coordinator) == expected == through_cases
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:deadline_board")).content.decode()
    assert "4 bevakningar" in page
    assert all(application.case.number in page for application in mine)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_fills_the_column_of_existing_applications(coordinator, colleague):
    first = _open_deadline(CaseFactory.create(coordinator=coordinator))
    second = _open_deadline(CaseFactory.create(coordinator=colleague))
    executor = MigrationExecutor(connection)
    executor.migrate([("reflection_period", "0007_permit_dates_on_events")])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'rp_%coordinator%'")
        assert cursor.fetchone() == (0,)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert _mine(coordinator) == {first.pk}
    assert _mine(colleague) == {second.pk}
    _assert_in_step()


# --- Concurrent changes ---------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_application_begun_during_a_reassignment_follows_it(coordinator, colleague, manager):
    """The case is reassigned in this thread's transaction; meanwhile another writes an
    application for it. Whichever commits first, the application is on the new board."""
    case = CaseFactory.create(coordinator=coordinator)
    created: list[Application] = []
    while_uncommitted(
        lambda: casework_services.case_reassign(case=case, coordinator=colleague, by=manager),
        lambda: created.append(_open_deadline(case)),
    )
    assert _mine(colleague) == {created[0].pk}
    _assert_in_step()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reassignment_during_an_uncommitted_application_follows_it(
    coordinator, colleague, manager
):
    case = CaseFactory.create(coordinator=coordinator)
    created: list[Application] = []
    while_uncommitted(
        lambda: created.append(_open_deadline(case)),
        lambda: casework_services.case_reassign(
            case=Case.objects.get(pk=case.pk), coordinator=colleague, by=manager
        ),
    )
    assert _mine(colleague) == {created[0].pk}
    _assert_in_step()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("reassigned_first", [True, False])
def test_an_application_changed_during_a_reassignment_follows_it(
    coordinator, colleague, manager, reassigned_first
):
    """An existing application is saved (Django writes the coordinator it read) while its case
    is reassigned, in either order: it ends on the new board."""
    case = CaseFactory.create(coordinator=coordinator)
    application = _open_deadline(case)
    application.refresh_from_db()

    def save() -> None:
        application.notes = "Uppföljning."
        application.save()

    def reassign() -> None:
        casework_services.case_reassign(
            case=Case.objects.get(pk=case.pk), coordinator=colleague, by=manager
        )

    if reassigned_first:
        while_uncommitted(reassign, save)
    else:
        while_uncommitted(save, reassign)
    assert _mine(colleague) == {application.pk}
    _assert_in_step()
