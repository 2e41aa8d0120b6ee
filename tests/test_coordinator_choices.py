"""The case list's coordinator filter: its options are the active coordinators, read with one
query per page, and a change of a user or a role is seen at once, with the list's caches on."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from accounts.services import user_set_roles
from tests.factories import CaseFactory, UserFactory

# The coordinators' query (casework.selectors.coordinators): users joined to their roles.
COORDINATORS_QUERY = re.compile(r'FROM "accounts_user" INNER JOIN "accounts_user_groups"')


@pytest.fixture(autouse=True)
def list_cache(settings):
    """The list's counts cached, as in production: the options must be fresh all the same."""
    settings.LOTSA_LIST_COUNT_CACHE_SECONDS = 600
    cache.clear()
    yield
    cache.clear()


def _options(client) -> tuple[list[tuple[str, str]], int]:
    """The coordinator filter's options (value, name) as the list shows them, and how many
    coordinators' queries the page ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("casework:case_list"), {"status": ""})
    assert response.status_code == 200
    select = re.search(
        r'<select name="coordinator"[^>]*>(.*?)</select>', response.content.decode(), re.S
    )
    assert select is not None
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    read = sum(1 for q in queries.captured_queries if COORDINATORS_QUERY.search(q["sql"]))
    return options, read


def test_the_options_are_the_active_coordinators_by_name_read_once_a_page(
    client, coordinator, other_coordinator, manager
) -> None:
    UserFactory.create(
        first_name="Bo", last_name="Inaktiv", is_active=False, roles=[Role.COORDINATOR]
    )
    client.force_login(coordinator)
    expected = [("", "Alla"), (str(coordinator.pk), str(coordinator))]
    expected.append((str(other_coordinator.pk), str(other_coordinator)))
    assert _options(client) == (expected, 1)
    assert _options(client) == (expected, 1)


def test_a_new_coordinator_a_lost_role_a_deactivation_and_a_new_name_are_seen_at_once(
    client, coordinator, other_coordinator, manager
) -> None:
    client.force_login(coordinator)
    _options(client)
    newcomer = UserFactory.create(first_name="Nora", last_name="Ny", roles=[Role.COORDINATOR])
    options, read = _options(client)
    assert (str(newcomer.pk), "Nora Ny") in options
    assert read == 1

    user_set_roles(user=newcomer, roles=[Role.OUTREACH])
    assert (str(newcomer.pk), "Nora Ny") not in _options(client)[0]

    other_coordinator.last_name = "Berg"
    other_coordinator.save()
    assert (str(other_coordinator.pk), "Samira Berg") in _options(client)[0]

    other_coordinator.is_active = False
    other_coordinator.save()
    assert str(other_coordinator.pk) not in dict(_options(client)[0])

    # Promoting someone through the role's side of the relation counts too.
    manager.groups.add(Group.objects.get(name=Role.COORDINATOR))
    assert str(manager.pk) in dict(_options(client)[0])


def test_the_filter_shows_the_chosen_coordinators_cases_and_refuses_anyone_else(
    client, coordinator, other_coordinator, manager
) -> None:
    mine = CaseFactory.create(coordinator=coordinator)
    theirs = CaseFactory.create(coordinator=other_coordinator)
    client.force_login(manager)
    url = reverse("casework:case_list")
    page = client.get(url, {"status": "", "coordinator": other_coordinator.pk}).content.decode()
    assert theirs.number in page
    assert mine.number not in page
    # A search goes through the search table: the same filter applies there.
    page = client.post(
        url, {"q": "IND-9", "status": "", "coordinator": other_coordinator.pk}
    ).content.decode()
    assert theirs.number in page
    assert mine.number not in page
    # The manager is not a coordinator: the filter says so and filters nothing.
    response = client.get(url, {"status": "", "coordinator": manager.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Välj ett giltigt alternativ" in page
    assert theirs.number in page
    assert mine.number in page
