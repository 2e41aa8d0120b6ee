"""Signing in and out, lockout, idle timeout, and what each role may open."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import TEST_PASSWORD

LOGIN = reverse("accounts:login")
START_PAGES = {
    "coordinator": reverse("home:start_coordinator"),
    "outreach_worker": reverse("home:start_outreach"),
    "manager": reverse("home:start_manager"),
    "admin_user": reverse("home:start_admin"),
}
WRONG = "Användarnamnet eller lösenordet är fel"


def _login(client, username: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_lands_on_the_role_start_page_and_logout_ends_the_session(client, coordinator):
    response = _login(client, "karin")
    assert response.status_code == 302
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == START_PAGES["coordinator"]
    assert "Mitt arbete" in response.content.decode()

    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(START_PAGES["coordinator"]).status_code == 302  # back to the login page


def test_logout_by_get_is_refused(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get(START_PAGES["coordinator"]).status_code == 200


def test_login_page_is_swedish_with_an_english_switch(client, db):
    page = client.get(LOGIN).content.decode()
    assert '<html lang="sv">' in page
    assert "Logga in" in page
    client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    page = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in page
    assert "Sign in to Lotsa" in page


def test_wrong_password_and_unknown_user_get_the_same_swedish_message(client, coordinator):
    wrong_password = _login(client, "karin", "not-the-password")
    unknown_user = _login(client, "nobody-here", "not-the-password")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert WRONG in wrong_password.content.decode()
    # Nothing tells whether "karin" exists: the same errors for both.
    assert wrong_password.context["form"].errors == unknown_user.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_inactive_user_gets_the_same_message(client, coordinator):
    coordinator.is_active = False
    coordinator.save()
    response = _login(client, "karin")
    assert WRONG in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_repeated_failures_even_with_the_right_password(
    client, coordinator, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "karin", "wrong").status_code == 200
    locked = _login(client, "karin", "wrong")
    assert locked.status_code == 429
    assert "För många misslyckade inloggningsförsök" in locked.content.decode()
    # Locked: now even the right password is refused.
    after = _login(client, "karin")
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session


def test_lockout_ends_after_the_cooloff(client, coordinator, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "karin", "wrong")
    assert _login(client, "karin").status_code == 429
    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME + timedelta(minutes=1)):
        assert _login(client, "karin").status_code == 302


def test_idle_session_is_signed_out(client, coordinator, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(coordinator)
        assert client.get(START_PAGES["coordinator"]).status_code == 200
        traveller.shift(settings.LOTSA_SESSION_IDLE_TIMEOUT - timedelta(minutes=1))
        assert (
            client.get(START_PAGES["coordinator"]).status_code == 200
        )  # activity resets the clock
        traveller.shift(settings.LOTSA_SESSION_IDLE_TIMEOUT + timedelta(seconds=1))
        response = client.get(START_PAGES["coordinator"], follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert "utan aktivitet" in response.content.decode()


@pytest.mark.parametrize("persona", list(START_PAGES))
def test_each_role_opens_its_start_page_and_gets_403_on_the_others(request, client, db, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for other, url in START_PAGES.items():
        expected = 200 if other == persona else 403
        assert client.get(url).status_code == expected, (persona, url)


NAV_LINKS = {
    "coordinator": "Mitt arbete",
    "outreach_worker": "Uppsökande",
    "manager": "Översikt",
    "admin_user": "Systemförvaltning",
}


@pytest.mark.parametrize("persona", list(NAV_LINKS))
def test_navigation_shows_only_what_the_role_may_use(request, client, db, persona):
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("home"), follow=True).content.decode()
    nav = page[page.index('id="main-nav"') : page.index("</nav>")]
    for other, label in NAV_LINKS.items():
        assert (label in nav) == (other == persona), (persona, label)


def test_a_person_with_two_roles_sees_both_in_the_navigation(client, db):
    from accounts.roles import Role
    from tests.factories import UserFactory

    user = UserFactory.create(roles=[Role.COORDINATOR, Role.MANAGER])
    client.force_login(user)
    page = client.get(reverse("home"), follow=True).content.decode()
    assert "Mitt arbete" in page
    assert "Översikt" in page
    assert client.get(START_PAGES["manager"]).status_code == 200
    assert client.get(START_PAGES["outreach_worker"]).status_code == 403


def test_user_without_role_is_told_so(client, outsider):
    client.force_login(outsider)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "ingen roll" in response.content.decode()


def test_anonymous_user_is_sent_to_login(client, db):
    for url in [reverse("home"), *START_PAGES.values()]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(LOGIN)


def test_admin_site_only_for_the_admin_role(client, admin_user, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("admin:index"), follow=True).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200


def test_admin_site_sends_anonymous_users_to_the_one_login_page(client, db):
    response = client.get(reverse("admin:index"), follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)


def test_admin_can_give_a_role_in_the_admin(client, admin_user, outsider):
    from django.contrib.auth.models import Group

    client.force_login(admin_user)
    url = reverse("admin:accounts_user_change", args=[outsider.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "groups"}
    data.update(
        {
            "username": outsider.username,
            "groups": [Group.objects.get(name="outreach").pk],
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00",
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    outsider.refresh_from_db()
    assert list(outsider.groups.values_list("name", flat=True)) == ["outreach"]
