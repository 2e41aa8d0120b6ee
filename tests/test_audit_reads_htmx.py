"""Every response that shows personal data writes the access log, whatever the headers.

The walk requests every GET page of the URL configuration (tests/hardening_helpers.py) as
each role that may open it, with and without `HX-Request: true`, on a world of real objects
whose personal data is known; a response that shows any of it must have written at least one
access-log row in the same request. A handled referral is added to the world: its page, asked
for by htmx, used to show the contact without a row.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.models import AccessLogEntry
from outreach import services as outreach_services
from tests.hardening_helpers import (
    ALLOWED,
    ROLES,
    SECRETS,
    World,
    all_routes,
    build_world,
    expectation_for,
)


class _Undo(Exception):
    pass


def _get(user, url: str, *, htmx: bool) -> tuple[int, str, int]:
    """Status, body and the number of access-log rows one GET wrote; then everything it
    changed is rolled back, so the next request meets the same world."""
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            client = Client()
            client.force_login(user)
            before = AccessLogEntry.objects.count()
            headers = {"HX-Request": "true"} if htmx else {}
            response: Any = client.get(url, headers=headers)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            result = {
                "status": response.status_code,
                "body": body.decode("utf-8", errors="replace"),
                "rows": AccessLogEntry.objects.count() - before,
            }
            raise _Undo
    except _Undo:
        pass
    return result["status"], result["body"], result["rows"]


def _pages(world: World, role: str) -> list[tuple[str, str]]:
    """(name, url) of every GET page the role may open, and the handled referral's page."""
    pages = []
    for route in all_routes():
        expected = expectation_for(route)
        assert expected is not None, route.key
        if expected.method == "GET" and expected.outcomes[role] == ALLOWED:
            pages.append((route.key, expected.url(route.key, world)))
    if role in ("coordinator", "manager"):
        pages.append(
            (
                "handled referral",
                reverse("outreach:referral_detail", args=[world.other_referral.pk]),
            )
        )
    return pages


@pytest.mark.parametrize("role", [role for role in ROLES if role != "anonymous"])
def test_every_page_that_shows_personal_data_logs_the_read_with_and_without_htmx(db, role):
    world = build_world()
    outreach_services.referral_accept_into_case(
        referral=world.other_referral, by=world.users["coordinator"], case=world.case
    )
    user = world.users[role]
    unlogged, shown = [], []
    for name, url in _pages(world, role):
        for htmx in (False, True):
            status, body, rows = _get(user, url, htmx=htmx)
            secrets = sorted(key for key, value in SECRETS.items() if value in body)
            if status != 200 or not secrets:
                continue
            shown.append((name, htmx))
            if rows == 0:
                unlogged.append(f"{name} {url} (htmx: {htmx}) shows {secrets}")
    assert not unlogged, f"{role}: responses with personal data and no log row:\n" + "\n".join(
        unlogged
    )
    if role in ("coordinator", "manager"):
        # The walk saw the pages that show people: it cannot pass by seeing nothing.
        for name in ("casework:case_detail", "casework:individual_detail", "handled referral"):
            assert (name, True) in shown, (role, name)
            assert (name, False) in shown, (role, name)
    if role == "outreach":
        assert ("outreach:contact_detail", True) in shown
