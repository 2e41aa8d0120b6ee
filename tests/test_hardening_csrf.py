"""CSRF: every URL pattern refuses a POST without a valid token, walked like the audit.

The client enforces CSRF checks as a browser's request would meet them. Each URL is posted to
by a role that may use it (so a refusal is the CSRF check's, not the role's), once without a
token (refused with the Swedish explanation, nothing changed) and once with one (not refused
by the CSRF check: the test would otherwise pass for a URL that refuses everything).
"""

from __future__ import annotations

from django.test import Client

from accounts.models import AccessLogEntry
from casework.models import Case, JournalEntry
from outreach.models import Referral
from reporting.models import Training
from tests.hardening_helpers import (
    ALLOWED,
    POST,
    all_routes,
    build_world,
    expectation_for,
    request_and_undo,
    user_for,
)

CSRF_PAGE = "Formuläret har gått ut"
TOKEN = "a" * 32  # a CSRF secret: the cookie's value, and the form field's

# Who posts: the first of these roles the URL allows (anonymous for the sign-in page).
ORDER = ("coordinator", "manager", "outreach", "admin", "no_role", "anonymous")


def _role_for(expected_outcomes: dict[str, str], key: str) -> str:
    for role in ORDER:
        if expected_outcomes[role] == ALLOWED:
            return role
    return "admin" if key.startswith("admin") else "coordinator"


def _state() -> tuple[int, ...]:
    return (
        Case.objects.count(),
        JournalEntry.objects.filter(signed_at__isnull=False).count(),
        JournalEntry.objects.count(),
        Referral.objects.filter(status="pending").count(),
        Training.objects.count(),
        AccessLogEntry.objects.count(),
    )


def test_every_url_refuses_a_post_without_a_csrf_token(db):
    world = build_world()
    before = _state()
    refused, not_refused = [], []
    for route in all_routes():
        expected = expectation_for(route)
        assert expected is not None, route.key
        role = _role_for(expected.outcomes, route.key)
        url = expected.url(route.key, world)
        user = user_for(world, role)

        without = request_and_undo(user, POST, url, client=Client(enforce_csrf_checks=True))
        if without.status_code != 403 or CSRF_PAGE not in without.content.decode():
            not_refused.append(f"{url} as {role}: {without.status_code}")

        browser = Client(enforce_csrf_checks=True)
        browser.cookies["csrftoken"] = TOKEN
        with_token = request_and_undo(
            user, POST, url, {"csrfmiddlewaretoken": TOKEN}, client=browser
        )
        if with_token.status_code == 403 and CSRF_PAGE in with_token.content.decode():
            refused.append(f"{url} as {role}")
    assert not not_refused, "POST without a CSRF token not refused:\n" + "\n".join(not_refused)
    assert not refused, "POST with a valid CSRF token refused as CSRF:\n" + "\n".join(refused)
    assert _state() == before


def test_a_form_post_without_token_changes_nothing_and_explains_in_swedish(db):
    world = build_world()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["coordinator"])
    url = f"/cases/{world.case.pk}/journal/{world.draft_entry.pk}/sign/"
    response = browser.post(url)
    assert response.status_code == 403
    page = response.content.decode()
    assert CSRF_PAGE in page
    assert "Gå tillbaka, ladda om sidan och skicka igen" in page
    world.draft_entry.refresh_from_db()
    assert world.draft_entry.signed_at is None

    browser.cookies["csrftoken"] = TOKEN
    response = browser.post(url, {"csrfmiddlewaretoken": TOKEN})
    assert response.status_code == 302
    world.draft_entry.refresh_from_db()
    assert world.draft_entry.signed_at is not None


def test_htmx_requests_carry_the_token_in_a_header(db):
    """htmx sends the token as X-CSRFToken (base.html's hx-headers); without it, refused."""
    world = build_world()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.users["coordinator"])
    page = browser.get("/cases/").content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    token = browser.cookies["csrftoken"].value
    assert browser.post("/cases/", {"q": "x"}, HTTP_HX_REQUEST="true").status_code == 403
    response = browser.post("/cases/", {"q": "x"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200
