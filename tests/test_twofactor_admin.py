"""System administrators see who has two-factor sign-in on and reset it in the admin."""

from __future__ import annotations

import re

import pytest
from django.contrib.admin.models import LogEntry
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory
from tests.test_twofactor_signin import (
    ENROL,
    START,
    VERIFY,
    app_code,
    enrol_directly,
    sign_in_with_password,
)


@pytest.fixture
def required(settings):
    settings.LOTSA_REQUIRE_2FA = True
    return settings


@pytest.fixture
def admin_client(admin_user, required):
    """The system administrator, signed in with password and code."""
    device, _codes = enrol_directly(admin_user)
    client = Client()
    sign_in_with_password(client, admin_user)
    assert client.post(VERIFY, {"code": app_code(device)}).status_code == 302
    return client


def _reset_url(user) -> str:
    return reverse("admin:accounts_user_two_factor_reset", args=[user.pk])


def test_change_page_shows_the_status_and_the_reset_button(admin_client, coordinator, outsider):
    enrol_directly(coordinator)
    page = admin_client.get(reverse("admin:accounts_user_change", args=[coordinator.pk]))
    text = page.content.decode()
    assert "På: appen lades till" in text
    assert "10 oanvända reservkoder" in text
    assert _reset_url(coordinator) in text
    assert "Återställ tvåstegsverifiering" in text
    # Never the key or the codes.
    device = TOTPDevice.objects.get(user=coordinator)
    assert device.key not in text
    assert not any(
        code in text
        for code in device.user.staticdevice_set.get().token_set.values_list("token", flat=True)
    )

    text = admin_client.get(
        reverse("admin:accounts_user_change", args=[outsider.pk])
    ).content.decode()
    assert "Av: ingen autentiseringsapp tillagd." in text


def test_reset_with_the_button_forces_a_new_enrolment(admin_client, coordinator):
    device, _codes = enrol_directly(coordinator)
    # The coordinator is signed in and verified in their own browser.
    theirs = Client()
    sign_in_with_password(theirs, coordinator)
    theirs.post(VERIFY, {"code": app_code(device)})
    assert theirs.get(START).status_code == 200

    confirm = admin_client.get(_reset_url(coordinator))
    assert confirm.status_code == 200
    assert "slutar fungera direkt" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user=coordinator).exists()  # a GET changes nothing

    # The reset answers with the enrolment link, shown this once (tests/test_twofactor_
    # enrolment_link.py), instead of sending back to the staff member's page.
    response = admin_client.post(_reset_url(coordinator))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Appen och reservkoderna fungerar inte längre" in text
    assert "/two-factor/enrol/link/" in text
    page = admin_client.get(reverse("admin:accounts_user_change", args=[coordinator.pk]))
    assert "Av: ingen autentiseringsapp tillagd." in page.content.decode()
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    entry = LogEntry.objects.get(object_id=str(coordinator.pk))
    assert entry.get_change_message() == "Återställde tvåstegsverifieringen."

    # Their verified session is no longer verified: to enrolment, which now needs the link.
    response = theirs.get(START)
    assert response["Location"].startswith(ENROL)
    link = re.search(r"/two-factor/enrol/link/[\w-]+/", text)
    assert link is not None
    theirs.get(link.group(0))
    theirs.get(ENROL)
    assert TOTPDevice.objects.get(user=coordinator).key != device.key


def test_reset_action_on_the_list(admin_client, coordinator, other_coordinator, outsider):
    enrol_directly(coordinator)
    enrol_directly(other_coordinator)
    changelist = reverse("admin:accounts_user_changelist")
    listing = admin_client.get(changelist).content.decode()
    assert "tvåsteg" in listing  # the column
    selected = [coordinator.pk, other_coordinator.pk, outsider.pk]
    confirm = admin_client.post(
        changelist, {"action": "reset_two_factor", "_selected_action": selected}
    )
    assert confirm.status_code == 200
    assert "Återställ tvåstegsverifiering" in confirm.content.decode()
    assert TOTPDevice.objects.filter(user__in=selected).count() == 2  # nothing yet

    response = admin_client.post(
        changelist,
        {"action": "reset_two_factor", "_selected_action": selected, "post": "yes"},
    )
    text = response.content.decode()
    assert not TOTPDevice.objects.filter(user__in=selected).exists()
    # One enrolment link each, shown this once; the one without an app is said to have had none.
    assert len(set(re.findall(r"/two-factor/enrol/link/[\w-]+/", text))) == 3
    for user in (coordinator, other_coordinator, outsider):
        assert str(user) in text
    assert text.count("Hade ingen app att ta bort.") == 1


def test_reset_message_when_two_factor_is_voluntary(admin_user, coordinator, settings):
    settings.LOTSA_REQUIRE_2FA = False
    enrol_directly(coordinator)
    client = Client()
    client.force_login(admin_user)
    response = client.post(_reset_url(coordinator), follow=True)
    assert "För att slå på tvåstegsverifiering igen" in response.content.decode()
    # Their next sign-in asks for no code.
    theirs = Client()
    sign_in_with_password(theirs, coordinator)
    assert theirs.get(START).status_code == 200


@pytest.mark.parametrize("persona", ["coordinator", "manager", "outreach_worker", "outsider"])
def test_only_system_administrators_may_reset(request, client, db, settings, persona):
    settings.LOTSA_REQUIRE_2FA = False
    victim = UserFactory.create(roles=[Role.COORDINATOR])
    enrol_directly(victim)
    client.force_login(request.getfixturevalue(persona))
    # The admin site sends them to its sign-in page, which refuses signed-in users without the
    # admin role.
    assert client.get(_reset_url(victim), follow=True).status_code == 403
    assert client.post(_reset_url(victim), follow=True).status_code == 403
    assert TOTPDevice.objects.filter(user=victim).exists()


def test_anonymous_reset_goes_to_sign_in(client, coordinator):
    enrol_directly(coordinator)
    response = client.post(_reset_url(coordinator), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert TOTPDevice.objects.filter(user=coordinator).exists()


def test_the_device_admins_are_not_in_the_admin(admin_client):
    """django-otp's own admin pages would show the keys and the backup codes."""
    for name in [
        "admin:otp_totp_totpdevice_changelist",
        "admin:otp_static_staticdevice_changelist",
    ]:
        with pytest.raises(NoReverseMatch):
            reverse(name)
    assert "TOTP" not in admin_client.get(reverse("admin:index")).content.decode()


def test_staff_list_query_count_does_not_grow(admin_client, django_assert_max_num_queries):
    for _ in range(5):
        enrol_directly(UserFactory.create(roles=[Role.COORDINATOR]))
    with django_assert_max_num_queries(12) as captured:
        admin_client.get(reverse("admin:accounts_user_changelist"))
    few = len(captured.captured_queries)
    for _ in range(10):
        enrol_directly(UserFactory.create(roles=[Role.OUTREACH]))
    with django_assert_max_num_queries(few):
        admin_client.get(reverse("admin:accounts_user_changelist"))


def test_signing_in_through_the_admin_site_ends_on_the_admin_site(client, admin_user, required):
    """/admin/ → the one sign-in page → the second step → back to the admin page asked for."""
    device, _codes = enrol_directly(admin_user)
    response = client.get(reverse("admin:accounts_user_changelist"), follow=True)
    login_url = response.redirect_chain[-1][0]
    assert login_url.startswith(reverse("accounts:login"))
    response = client.post(
        login_url, {"username": admin_user.username, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    response = client.post(response.redirect_chain[-1][0], {"code": app_code(device)}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("admin:accounts_user_changelist")
    # A system administrator who opens the admin's login page again goes on, not to a 403.
    response = client.get(reverse("admin:login") + "?next=https://evil.example/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert response.status_code == 200
