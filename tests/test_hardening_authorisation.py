"""The authorisation audit: every URL pattern, every role, against a declared expectation.

The patterns come from the URL configuration itself (tests/hardening_helpers.py walks the
resolver), so a new URL is audited the moment it exists, and fails here until someone decides
who may use it. Each request is made from a fresh browser and rolled back afterwards, so every
role meets the same objects (real ids: a case, a journal entry, a contact, an application, ...).
"""

from __future__ import annotations

import pytest

from tests.hardening_helpers import (
    ROLES,
    all_routes,
    build_world,
    expectation_for,
    outcome,
    request_and_undo,
    single_sign_on_on,
    user_for,
)


@pytest.fixture(autouse=True)
def _single_sign_on(settings):
    """The walk covers the single sign-on pages as they are when it is configured."""
    single_sign_on_on(settings)


def test_every_url_pattern_has_a_declared_expectation(db):
    routes = all_routes()
    missing = [route.key for route in routes if expectation_for(route) is None]
    assert not missing, (
        "URL patterns without a declared expectation (add them to EXPECTATIONS in "
        f"tests/hardening_helpers.py): {missing}"
    )
    assert len(routes) > 100  # the walk found the project's URLs and the admin's


def test_no_expectation_is_declared_for_a_url_that_does_not_exist(db):
    from tests.hardening_helpers import EXPECTATIONS

    keys = {route.key for route in all_routes()}
    assert not set(EXPECTATIONS) - keys


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_role_as_declared(db, role):
    world = build_world()
    user = user_for(world, role)
    differences = []
    for route in all_routes():
        expected = expectation_for(route)
        assert expected is not None, route.key
        url = expected.url(route.key, world)
        response = request_and_undo(user, expected.method, url)
        got = outcome(response)
        if got != expected.outcomes[role]:
            differences.append(
                f"{expected.method} {url} ({route.key}): {got}, expected {expected.outcomes[role]}"
            )
    assert not differences, f"{role}:\n" + "\n".join(differences)


def test_the_audit_tells_a_refusal_from_an_allowed_request(db):
    """The audit's judge: a sign-in redirect, a 403 and a 404 are told apart from success."""
    world = build_world()
    case_url = f"/cases/{world.case.pk}/"
    assert outcome(request_and_undo(None, "GET", case_url)) == "login"
    assert outcome(request_and_undo(world.users["outreach"], "GET", case_url)) == "404"
    assert outcome(request_and_undo(world.users["manager"], "GET", case_url + "edit/")) == "403"
    assert outcome(request_and_undo(world.users["coordinator"], "GET", case_url)) == "allowed"
