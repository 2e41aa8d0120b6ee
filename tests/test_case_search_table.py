"""The case search's table (casework.models.CaseSearch), written by PostgreSQL triggers.

It must always hold what the cases and their people hold (every way they change goes through
the triggers), never a protected person's names, and a search through it must find exactly what
a search of the cases finds (casework.selectors.case_search_filter on Case, which SQLite uses).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import QueryDict
from django.utils import timezone

from accounts.roles import Role
from casework import services
from casework.filters import CaseFilter
from casework.models import Case, CaseSearch, Category, ClosingReason, Individual, Protection
from casework.selectors import case_rows_queryset, case_search_rows
from tests.concurrency import while_uncommitted
from tests.factories import CaseFactory, IndividualFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MIRRORED = [
    *("number", "year", "sequence", "category", "opened_on", "closed_on"),
    *("last_activity_at", "coordinator_id"),
]


def _expected() -> dict[int, tuple[object, ...]]:
    """Every case's search row, computed from the cases and people themselves."""
    rows = {}
    for case in Case.objects.select_related("individual"):
        person = case.individual
        visible = person.protection == Protection.NONE
        rows[case.pk] = (
            *(getattr(case, name) for name in MIRRORED),
            person.reference,
            person.alias,
            person.given_name if visible else "",
            person.family_name if visible else "",
        )
    return rows


def _stored() -> dict[int, tuple[object, ...]]:
    fields = [*MIRRORED, "reference", "alias", "given_name", "family_name"]
    return {row[0]: tuple(row[1:]) for row in CaseSearch.objects.values_list("case_id", *fields)}


def _assert_in_step() -> None:
    assert _stored() == _expected()


@pytest.fixture
def person(coordinator):
    return services.individual_create(
        by=coordinator, given_name="Amina", family_name="Okafor", alias="Mina", birth_year=1998
    )


@pytest.fixture
def case(person, coordinator):
    return services.case_open(
        individual=person,
        coordinator=coordinator,
        opened_on=date(2026, 3, 2),
        origin="police",
        by=coordinator,
        category=Category.ADULT,
    )


def test_a_new_case_gets_its_row(case, person):
    row = CaseSearch.objects.get(pk=case.pk)
    assert (row.number, row.reference, row.alias) == (case.number, person.reference, "Mina")
    assert (row.given_name, row.family_name) == ("Amina", "Okafor")
    assert (row.year, row.sequence, row.coordinator_id) == (
        case.year,
        case.sequence,
        case.coordinator_id,
    )
    _assert_in_step()


def test_the_row_follows_the_case_through_close_reopen_reassign_and_activity(
    case, coordinator, other_coordinator
):
    case = services.case_close(
        case=case, by=coordinator, closed_on=date(2026, 4, 1), reason=ClosingReason.LEFT_COUNTRY
    )
    assert CaseSearch.objects.get(pk=case.pk).closed_on == date(2026, 4, 1)
    case = services.case_reopen(case=case, by=coordinator, reason="Came back")
    assert CaseSearch.objects.get(pk=case.pk).closed_on is None
    case = services.case_reassign(case=case, coordinator=other_coordinator, by=coordinator)
    assert CaseSearch.objects.get(pk=case.pk).coordinator_id == other_coordinator.pk
    before = CaseSearch.objects.get(pk=case.pk).last_activity_at
    services.case_touch(case=case)  # QuerySet.update(), round the ORM's save()
    assert CaseSearch.objects.get(pk=case.pk).last_activity_at > before
    _assert_in_step()


def test_protection_blanks_the_names_and_lifting_it_brings_them_back(case, person, coordinator):
    person = services.individual_update(
        individual=person,
        by=coordinator,
        expected_version=person.version,
        data={"protection": Protection.PROTECTED_REGISTRATION},
    )
    row = CaseSearch.objects.get(pk=case.pk)
    assert (row.given_name, row.family_name) == ("", "")
    assert (row.reference, row.alias) == (person.reference, "Mina")
    # A protected person's names appear nowhere in the table, whatever the column.
    assert not CaseSearch.objects.filter(given_name__icontains="Amina").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM casework_casesearch t WHERE t::text ILIKE '%okafor%'")
        assert cursor.fetchone() == (0,)

    person = services.individual_update(
        individual=person,
        by=coordinator,
        expected_version=person.version,
        data={"protection": Protection.NONE, "family_name": "Okafor-Berg"},
    )
    row = CaseSearch.objects.get(pk=case.pk)
    assert (row.given_name, row.family_name) == ("Amina", "Okafor-Berg")
    _assert_in_step()


def test_a_change_through_queryset_update_reaches_every_case_of_the_person(person, coordinator):
    cases = [
        services.case_open(
            individual=person,
            coordinator=coordinator,
            opened_on=date(2026, 3, 2),
            origin="police",
            by=coordinator,
            category=category,
        )
        for category in (Category.ADULT, Category.RELATIVE)
    ]
    Individual.objects.filter(pk=person.pk).update(given_name="", family_name="", alias="")
    assert set(
        CaseSearch.objects.filter(pk__in=[c.pk for c in cases]).values_list(
            "given_name", "family_name", "alias"
        )
    ) == {("", "", "")}
    _assert_in_step()


def test_a_deleted_case_loses_its_row_and_moving_a_case_takes_the_new_person(coordinator):
    kept, gone = CaseFactory.create_batch(2, coordinator=coordinator)
    Case.objects.filter(pk=gone.pk).delete()
    assert not CaseSearch.objects.filter(pk=gone.pk).exists()
    other = IndividualFactory(given_name="Lina", family_name="Berg")
    Case.objects.filter(pk=kept.pk).update(individual=other)
    assert CaseSearch.objects.get(pk=kept.pk).family_name == "Berg"
    _assert_in_step()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_writes_the_rows_of_existing_cases_and_can_be_reversed():
    cases = CaseFactory.create_batch(3)
    IndividualFactory(protection=Protection.CONFIDENTIALITY_MARK)
    executor = MigrationExecutor(connection)
    executor.migrate([("casework", "0007_open_cases_by_activity_index")])
    with connection.cursor() as cursor:
        assert "casework_casesearch" not in connection.introspection.table_names(cursor)
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'casework_casesearch%'")
        assert cursor.fetchone() == (0,)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([("casework", "0008_case_search")])
    assert set(CaseSearch.objects.values_list("pk", flat=True)) == {c.pk for c in cases}
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'casework_casesearch'")
        assert cursor.fetchone() == (["fillfactor=90"],)
    # Back to the latest schema (the models read by _assert_in_step, and the tests after this
    # one, have the columns the migrations after 0008 add), then compare the rows 0008 wrote.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    _assert_in_step()


# --- The same matches as a search of the cases ------------------------------------------------


@pytest.fixture
def crowd(coordinator, other_coordinator, manager):
    """Cases of people with shared, partial and protected names, open and closed, two
    coordinators' and two categories. The coordinator is authorised to see Joy's protected
    identity; nobody is authorised for Ana Popescu's."""
    people = [
        ("Amina", "Okafor", "Mina", Protection.NONE),
        ("Grace", "Okafor", "", Protection.NONE),
        ("Okafor", "Adeyemi", "", Protection.NONE),
        ("Joy", "Okafor", "Jojo", Protection.PROTECTED_REGISTRATION),
        ("Ana", "Popescu", "", Protection.FICTITIOUS_IDENTITY),
        ("Ana", "Popa", "Anna P", Protection.NONE),
        ("", "", "Blessing", Protection.NONE),
    ]
    cases = []
    for n, (given, family, alias, protection) in enumerate(people):
        person = IndividualFactory.create(
            given_name=given, family_name=family, alias=alias, protection=protection
        )
        for k, coordinator_ in enumerate((coordinator, other_coordinator)):
            cases.append(
                CaseFactory(
                    individual=person,
                    coordinator=coordinator_,
                    category=Category.ADULT if k == 0 else Category.RELATIVE,
                    year=2023 + n % 3,
                    closed_on=date(2025, 12, 1) if n % 2 else None,
                    closing_reason=ClosingReason.LEFT_COUNTRY if n % 2 else "",
                    last_activity_at=timezone.now() - timedelta(days=n * 2 + k),
                )
            )
        if given == "Joy":
            services.identity_authorisation_grant(
                individual=person, user=coordinator, by=manager, reason="Ansvarig."
            )
    return cases


TERMS = [
    "okafor",
    "OKA",
    "Amina",
    "Joy",
    "Joy Okafor",
    "Ana Pop",
    "Ana",
    "Popescu",
    "mina",
    "jojo",
    "Blessing",
    "IND-9",
    "2024-90",
    "2023",
    "Anna P",
    "x",
    "nobody",
]
FILTERS = [
    {},
    {"status": "open"},
    {"status": "closed", "category": Category.RELATIVE},
    {"mine": "on"},
    {"year": "2024", "sort": "-activity"},
    {"sort": "coordinator"},
    {"sort": "opened_on"},
]


@pytest.mark.parametrize("who", ["coordinator", "other_coordinator", "manager"])
def test_a_search_finds_exactly_what_a_search_of_the_cases_finds(crowd, who, request):
    user = request.getfixturevalue(who)
    by_coordinator = {"coordinator": str(request.getfixturevalue("other_coordinator").pk)}
    for term in TERMS:
        for extra in [*FILTERS, by_coordinator]:
            params = QueryDict(mutable=True)
            params.update({"q": term, "status": "", **extra})
            through_table = CaseFilter(params, queryset=case_search_rows(user), user=user).qs
            through_cases = CaseFilter(params, queryset=case_rows_queryset(user), user=user).qs
            assert through_table.model is CaseSearch
            assert list(through_table.values_list("pk", flat=True)) == list(
                through_cases.values_list("pk", flat=True)
            ), (term, extra)


def test_protected_names_are_found_only_by_those_who_may_see_them(
    crowd, coordinator, other_coordinator, manager
):
    """Managers and those authorised for the person find a protected name; being the
    responsible coordinator of one of the person's cases is not enough (the other coordinator
    has one of Joy's cases, and no authorisation)."""
    joy_cases = {c.pk for c in crowd if c.individual.given_name == "Joy"}
    assert {c.coordinator for c in crowd if c.pk in joy_cases} == {coordinator, other_coordinator}

    def found(user, term):
        rows = CaseFilter(QueryDict(f"q={term}"), queryset=case_search_rows(user), user=user).qs
        return set(rows.values_list("pk", flat=True))

    assert found(manager, "Joy") == joy_cases
    assert found(coordinator, "Joy") == joy_cases
    assert found(other_coordinator, "Joy") == set()
    assert found(coordinator, "Popescu") == set()  # no authorisation for Ana Popescu
    assert found(manager, "Popescu") != set()
    # Her reference and alias are not protected: they find her cases for everyone.
    assert found(UserFactory(roles=[Role.COORDINATOR]), "Jojo") == joy_cases
    assert found(UserFactory(roles=[Role.COORDINATOR]), "Joy") == set()


# --- Concurrent changes ---------------------------------------------------------------------------


def _while_protection_is_set_uncommitted(person: Individual, other_change) -> None:
    """Set the person's protection in this thread's transaction while `other_change` runs in
    another (tests.concurrency)."""
    while_uncommitted(
        lambda: Individual.objects.filter(pk=person.pk).update(
            protection=Protection.PROTECTED_REGISTRATION
        ),
        other_change,
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_update_during_a_protection_change_does_not_bring_the_names_back(coordinator):
    person = IndividualFactory.create(given_name="Amina", family_name="Okafor")
    case = CaseFactory.create(individual=person, coordinator=coordinator)

    def stamp_activity() -> None:
        Case.objects.filter(pk=case.pk).update(last_activity_at=timezone.now())

    _while_protection_is_set_uncommitted(person, stamp_activity)
    row = CaseSearch.objects.get(pk=case.pk)
    assert (row.given_name, row.family_name) == ("", "")
    _assert_in_step()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_case_opened_during_a_protection_change_does_not_copy_the_names(coordinator):
    person = IndividualFactory.create(given_name="Amina", family_name="Okafor")
    opened: list[Case] = []

    def open_case() -> None:
        opened.append(CaseFactory.create(individual=person, coordinator=coordinator))

    _while_protection_is_set_uncommitted(person, open_case)
    row = CaseSearch.objects.get(pk=opened[0].pk)
    assert (row.given_name, row.family_name) == ("", "")
    _assert_in_step()
