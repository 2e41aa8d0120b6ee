"""After an administrator's two-factor reset, adding an app needs the one-time enrolment link
the person received out of band (shown once to the administrator), valid for a limited time:
the password alone cannot enrol. Before, whoever held the password enrolled their own phone."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Notification
from tests.test_twofactor_signin import (
    ENROL,
    START,
    VERIFY,
    app_code,
    enrol_directly,
    sign_in_with_password,
)
from twofactor.models import EnrolmentLink

LINK = re.compile(r"https?://[^\s\"<]+/two-factor/enrol/link/[A-Za-z0-9_-]+/")
NEEDS_LINK = "registreringslänk"


@pytest.fixture
def required(settings):
    settings.LOTSA_REQUIRE_2FA = True
    return settings


@pytest.fixture
def admin_client(admin_user, required):
    device, _codes = enrol_directly(admin_user)
    client = Client()
    sign_in_with_password(client, admin_user)
    assert client.post(VERIFY, {"code": app_code(device)}).status_code == 302
    return client


def _reset(admin_client, user) -> str:
    """The administrator resets `user`'s two-factor sign-in; the link shown to them (its path:
    the test client is the person's browser)."""
    response = admin_client.post(reverse("admin:accounts_user_two_factor_reset", args=[user.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    links = LINK.findall(page)
    assert len(links) == 1, page
    assert links[0].startswith(django_settings.LOTSA_BASE_URL)
    return urlsplit(links[0]).path


def _enrol_page_after_password(user) -> tuple[Client, str]:
    client = Client()
    sign_in_with_password(client, user)
    response = client.get(START, follow=True)
    assert response.redirect_chain[-1][0].startswith(ENROL)
    return client, response.content.decode()


def _unconfirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def test_after_a_reset_the_password_alone_cannot_enrol(admin_client, coordinator):
    enrol_directly(coordinator)
    _reset(admin_client, coordinator)
    client, page = _enrol_page_after_password(coordinator)
    assert NEEDS_LINK in page
    assert "qr-code" not in page  # no key, no QR code: nothing to scan
    assert _unconfirmed_device(coordinator) is None
    # Posting a code anyway (for a key guessed or seen before) enrols nothing.
    response = client.post(ENROL, {"code": "123456"})
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert client.get(START).status_code == 302  # still stopped at the second step


def test_the_link_shown_once_enrols_once_and_never_again(admin_client, coordinator):
    enrol_directly(coordinator)
    link = _reset(admin_client, coordinator)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    stored = EnrolmentLink.objects.get(user=coordinator)
    assert token not in (stored.token_hash, str(stored.pk))  # only a hash is kept
    # The administrator's page is not shown again with the link.
    change = admin_client.get(reverse("admin:accounts_user_change", args=[coordinator.pk]))
    assert token not in change.content.decode()

    # The person opens the link (not signed in yet), signs in, and adds their app.
    theirs = Client()
    response = theirs.get(link, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    assert token not in response.redirect_chain[-1][0]  # the token leaves the address at once
    sign_in_with_password(theirs, coordinator)
    page = theirs.get(ENROL).content.decode()
    assert "qr-code" in page
    device = _unconfirmed_device(coordinator)
    assert device is not None
    response = theirs.post(ENROL, {"code": app_code(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=coordinator).confirmed
    assert EnrolmentLink.objects.get(user=coordinator).enrolled_at is not None

    # Someone else with the password and the same link: the code step, no enrolment.
    other = Client()
    other.get(link)
    sign_in_with_password(other, coordinator)
    assert other.get(ENROL)["Location"].startswith(VERIFY)
    # Nor after the next reset: the used link stays used, only the new one works.
    _reset(admin_client, coordinator)
    other = Client()
    other.get(link)
    sign_in_with_password(other, coordinator)
    page = other.get(ENROL).content.decode()
    assert "Länken gäller inte" in page
    assert "qr-code" not in page
    assert _unconfirmed_device(coordinator) is None


def test_a_link_opened_by_one_browser_does_not_work_in_another(admin_client, coordinator):
    enrol_directly(coordinator)
    link = _reset(admin_client, coordinator)
    first = Client()
    first.get(link)
    sign_in_with_password(first, coordinator)
    assert "qr-code" in first.get(ENROL).content.decode()
    second = Client()
    second.get(link)
    sign_in_with_password(second, coordinator)
    page = second.get(ENROL).content.decode()
    assert "Länken gäller inte" in page
    assert "qr-code" not in page


def test_a_link_expires_after_the_set_time(admin_client, coordinator, settings):
    settings.LOTSA_ENROLMENT_LINK_HOURS = 2
    enrol_directly(coordinator)
    link = _reset(admin_client, coordinator)
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1), tick=False):
        theirs = Client()
        theirs.get(link)
        sign_in_with_password(theirs, coordinator)
        page = theirs.get(ENROL).content.decode()
    assert "Länken gäller inte" in page
    assert "qr-code" not in page
    assert _unconfirmed_device(coordinator) is None


def test_a_link_is_for_its_own_account_only(admin_client, coordinator, other_coordinator):
    enrol_directly(coordinator)
    enrol_directly(other_coordinator)
    link = _reset(admin_client, coordinator)
    _reset(admin_client, other_coordinator)
    theirs = Client()
    theirs.get(link)
    sign_in_with_password(theirs, other_coordinator)
    page = theirs.get(ENROL).content.decode()
    assert "Länken gäller inte" in page
    assert _unconfirmed_device(other_coordinator) is None


def test_a_new_reset_replaces_the_earlier_link(admin_client, coordinator):
    enrol_directly(coordinator)
    first = _reset(admin_client, coordinator)
    second = _reset(admin_client, coordinator)
    assert first != second
    theirs = Client()
    theirs.get(first)
    sign_in_with_password(theirs, coordinator)
    assert "Länken gäller inte" in theirs.get(ENROL).content.decode()
    theirs = Client()
    theirs.get(second)
    sign_in_with_password(theirs, coordinator)
    assert "qr-code" in theirs.get(ENROL).content.decode()


def test_the_person_is_told_of_the_reset_without_the_link(
    admin_client, coordinator, django_capture_on_commit_callbacks
):
    enrol_directly(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        link = _reset(admin_client, coordinator)
    assert Notification.objects.filter(recipient=coordinator, kind="twofactor.reset").exists()
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert mail.outbox
    for message in mail.outbox:
        assert token not in message.body


def test_accounts_never_reset_enrol_as_before(client, coordinator, required):
    """The link is needed after a reset; a new account's first sign-in enrols as it always did."""
    client.force_login(coordinator)
    page = client.get(ENROL).content.decode()
    assert "qr-code" in page
    device = _unconfirmed_device(coordinator)
    assert device is not None
    assert client.post(ENROL, {"code": app_code(device)}).status_code == 302


def test_a_reset_user_without_a_link_is_also_refused_when_two_factor_is_voluntary(
    admin_user, coordinator, settings
):
    settings.LOTSA_REQUIRE_2FA = False
    enrol_directly(coordinator)
    admin = Client()
    admin.force_login(admin_user)
    assert admin.post(reverse("admin:accounts_user_two_factor_reset", args=[coordinator.pk]))
    theirs = Client()
    sign_in_with_password(theirs, coordinator)
    assert theirs.get(START).status_code == 200  # nobody is asked for a code
    page = theirs.get(ENROL).content.decode()  # switching it on again needs the link
    assert NEEDS_LINK in page
    assert "qr-code" not in page


def test_the_command_resets_and_prints_the_link_once(coordinator, required, capsys):
    """For the system administrator who lost their own phone: nobody else resets them."""
    from django.core.management import CommandError, call_command

    enrol_directly(coordinator)
    call_command("two_factor_reset", coordinator.username)
    out = capsys.readouterr().out
    (link,) = LINK.findall(out)
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    theirs = Client()
    theirs.get(urlsplit(link).path)
    sign_in_with_password(theirs, coordinator)
    assert "qr-code" in theirs.get(ENROL).content.decode()
    with pytest.raises(CommandError):
        call_command("two_factor_reset", "nobody-by-that-name")
