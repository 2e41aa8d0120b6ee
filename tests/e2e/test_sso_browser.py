"""Single sign-on in Chromium, through the real OpenID Connect provider (tests/oidc_provider):
the sign-in page's link, the provider's own sign-in page, and back to Lotsa; refusals; the code
step when the provider used one factor; signing out of both. Every page is checked for
Content-Security-Policy violations (the traced context fails on any)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django_otp.oath import TOTP, totp

from accounts.models import AccessAction, AccessLogEntry
from accounts.roles import Role
from tests.e2e.conftest import check_accessibility, shot
from tests.factories import UserFactory
from tests.sso_provider import PROVIDER_PASSWORD, point_lotsa_at
from twofactor import services as twofactor_services

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def sso(live_server, settings, oidc_provider):
    oidc_provider.register_client(live_server.url)
    point_lotsa_at(settings, oidc_provider)
    return oidc_provider


def through_the_provider(page, live_server, username: str) -> None:
    """From Lotsa's sign-in page, sign in at the provider as `username`."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Logga in med stadens konto").click()
    page.get_by_label("Provider user name").fill(username)
    page.get_by_label("Provider password").fill(PROVIDER_PASSWORD)
    page.get_by_role("button", name="Continue").click()


def test_a_known_user_signs_in_and_out_of_lotsa_and_the_provider(
    live_server, traced_context, artifacts, sso, settings
):
    settings.LOTSA_REQUIRE_2FA = True
    karin = UserFactory.create(
        username="karin", first_name="Karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR]
    )
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    page = traced_context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    check_accessibility(page, artifacts, "login-with-sso")
    shot(page, artifacts, "login-with-sso")
    through_the_provider(page, live_server, "karin-op")
    # Two factors at the provider: straight to the coordinator's start page, no code asked.
    page.wait_for_url(f"{live_server.url}{reverse('home:start_coordinator')}")
    assert page.get_by_role("heading", name="Mitt arbete").is_visible()
    shot(page, artifacts, "start-page")
    assert AccessLogEntry.objects.filter(action=AccessAction.SSO_SIGN_IN, user=karin).count() == 1
    page.goto(f"{sso.url}/whoami/")
    assert page.inner_text("body") == "karin-op"

    page.goto(f"{live_server.url}{reverse('home:start_coordinator')}")
    page.get_by_role("button", name="Logga ut").click()
    # Through the provider's end-session endpoint and back to Lotsa's sign-in page.
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{sso.url}/whoami/")
    assert page.inner_text("body") == "anonymous"
    page.goto(f"{live_server.url}{reverse('home:start_coordinator')}")
    assert urlsplit(page.url).path == "/accounts/login/"


def test_without_multi_factor_at_the_provider_lotsa_asks_for_its_code(
    live_server, traced_context, artifacts, sso, settings
):
    settings.LOTSA_REQUIRE_2FA = True
    karin = UserFactory.create(
        username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR]
    )
    device = twofactor_services.totp_device_for_enrolment(user=karin)
    twofactor_services.totp_device_confirm(
        device=device, code=f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    )
    device.refresh_from_db()
    sso.add_users({"username": "karin-op"})  # amr: pwd only
    page = traced_context.new_page()
    through_the_provider(page, live_server, "karin-op")
    page.wait_for_url(re.compile(r".*/two-factor/verify/.*"))
    shot(page, artifacts, "code-step")
    # The step after the one the enrolment used (a code works once).
    now = TOTP(device.bin_key, device.step, device.t0, device.digits).t()
    next_step = device.last_t + 1 - now
    page.get_by_label("Kod").fill(
        f"{totp(device.bin_key, device.step, device.t0, device.digits, next_step):06d}"
    )
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_url(f"{live_server.url}{reverse('home:start_coordinator')}")


@pytest.mark.parametrize(
    ("who", "active"), [("stranger", True), ("olle", False)], ids=["unknown", "deactivated"]
)
def test_unknown_and_deactivated_people_are_refused(
    live_server, traced_context, artifacts, sso, who, active
):
    UserFactory.create(username="olle", oidc_subject="sub-olle-op", is_active=active)
    sso.add_users({"username": f"{who}-op" if who == "olle" else who, "groups": ["mfa"]})
    page = traced_context.new_page()
    through_the_provider(page, live_server, f"{who}-op" if who == "olle" else who)
    page.wait_for_url(f"{live_server.url}/sso/callback/**")
    assert page.get_by_role("heading", name="Du kan inte logga in i Lotsa").is_visible()
    assert "Kontakta systemadministratören" in page.inner_text("main")
    check_accessibility(page, artifacts, f"refused-{who}")
    shot(page, artifacts, f"refused-{who}")
    page.goto(f"{live_server.url}{reverse('home')}")
    assert urlsplit(page.url).path == "/accounts/login/"


@pytest.mark.parametrize("quirk", ["quirk-aud", "quirk-nonce", "quirk-expired"])
def test_a_token_lotsa_must_not_accept_is_refused(
    live_server, traced_context, artifacts, sso, quirk
):
    """Real tokens signed with the provider's key: for another audience, with another sign-in's
    nonce, expired."""
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa", quirk]})
    page = traced_context.new_page()
    through_the_provider(page, live_server, "karin-op")
    page.wait_for_url(f"{live_server.url}/sso/callback/**")
    assert page.get_by_role("heading", name="Inloggningen kunde inte slutföras").is_visible()
    page.goto(f"{live_server.url}{reverse('home')}")
    assert urlsplit(page.url).path == "/accounts/login/"


def test_a_tampered_state_is_refused(live_server, traced_context, artifacts, sso):
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    # The provider's middleware changes the state of its answer (tests/oidc_provider).
    sso.add_users({"username": "karin-op", "groups": ["mfa", "quirk-state"]})
    page = traced_context.new_page()
    through_the_provider(page, live_server, "karin-op")
    page.wait_for_url(f"{live_server.url}/sso/callback/**")
    assert page.get_by_role("heading", name="Inloggningen kunde inte slutföras").is_visible()
    shot(page, artifacts, "tampered-state")
    page.goto(f"{live_server.url}{reverse('home')}")
    assert urlsplit(page.url).path == "/accounts/login/"
