"""Single sign-on against a real OpenID Connect provider (tests/oidc_provider), at the level of
Lotsa's callback: the browser's part is played by Django's test client (Lotsa) and `requests`
(the provider), so every token here is a real one, signed with the provider's key and checked
against its published JWKS. The same journeys in Chromium: tests/e2e/test_sso_browser.py.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AccessAction, AccessLogEntry, User
from accounts.roles import Role, user_roles
from tests.factories import TEST_PASSWORD, UserFactory
from tests.sso_provider import PROVIDER_PASSWORD, Provider, point_lotsa_at
from twofactor import services as twofactor_services

LOGIN = reverse("accounts:login")
START = reverse("sso:start")
CALLBACK = reverse("sso:callback")
COORDINATOR_START = reverse("home:start_coordinator")
REFUSED = "Du kan inte logga in i Lotsa"
CONTACT = "Kontakta systemadministratören"
FAILED = "Inloggningen kunde inte slutföras"


@pytest.fixture
def sso(db, settings, oidc_provider: Provider) -> Provider:
    """Lotsa (the test client's http://testserver) registered with the provider and using it."""
    oidc_provider.register_client("http://testserver")
    point_lotsa_at(settings, oidc_provider)
    return oidc_provider


def provider_sign_in(client: Client, provider: Provider, username: str) -> str:
    """From "Sign in with the city's account" to the provider's answer: the callback URL (with
    code and state) the provider sends the browser back to. The person signs in at the
    provider's own page, as in a browser."""
    response = client.get(START)
    assert response.status_code == 302
    authorize = response["Location"]
    assert authorize.startswith(provider.issuer + "/authorize/")
    browser = requests.Session()
    login_page = browser.get(authorize, timeout=10)  # the provider asks who it is
    assert "Test identity provider" in login_page.text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)
    assert token is not None
    answer = browser.post(
        login_page.url,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": PROVIDER_PASSWORD,
            "next": parse_qs(urlsplit(login_page.url).query)["next"][0],
        },
        headers={"Referer": login_page.url},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:500]
    back = browser.get(provider.url + answer.headers["Location"], allow_redirects=False, timeout=10)
    assert back.status_code == 302, back.text[:500]
    location = back.headers["Location"]
    assert location.startswith("http://testserver/sso/callback/?"), location
    return location.removeprefix("http://testserver")


def sign_in_through(client: Client, provider: Provider, username: str):
    return client.get(provider_sign_in(client, provider, username))


def _signed_in_user(client: Client) -> User | None:
    response = client.get(reverse("twofactor:overview"))
    return response.wsgi_request.user if response.status_code == 200 else None  # type: ignore[return-value]


# --- Who may sign in --------------------------------------------------------------------------


def test_a_known_user_lands_on_their_start_page_with_their_lotsa_roles(client, sso, settings):
    settings.LOTSA_REQUIRE_2FA = True
    karin = UserFactory.create(
        username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR]
    )
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    response = sign_in_through(client, sso, "karin-op")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    # The provider used two factors: Lotsa asks for no code of its own.
    page = client.get(reverse("home"), follow=True)
    assert page.redirect_chain[-1][0] == COORDINATOR_START
    assert page.status_code == 200
    assert page.wsgi_request.user == karin
    assert user_roles(page.wsgi_request.user) == {"coordinator"}
    row = AccessLogEntry.objects.get(action=AccessAction.SSO_SIGN_IN)
    assert row.user == karin
    assert row.view_name == "sso:callback"
    assert row.detail == "multi-factor at the provider"


def test_an_unknown_subject_is_refused_logged_and_counted(client, sso, caplog):
    UserFactory.create(username="karin", oidc_subject="sub-karin-op")
    sso.add_users({"username": "stranger", "groups": ["mfa"]})
    response = sign_in_through(client, sso, "stranger")
    assert response.status_code == 403
    page = response.content.decode()
    assert REFUSED in page
    assert CONTACT in page
    assert "sub-stranger" in page  # what to tell the administrator
    assert _signed_in_user(client) is None
    assert AccessAttempt.objects.filter(username="sso:sub-stranger").count() == 1
    assert "single sign-on refused (unknown): sub=sub-stranger" in caplog.text
    assert not User.objects.filter(oidc_subject="sub-stranger").exists()  # no account made


def test_a_deactivated_user_is_refused_and_it_is_in_the_access_log(client, sso):
    olle = UserFactory.create(
        username="olle", oidc_subject="sub-olle-op", is_active=False, roles=[Role.COORDINATOR]
    )
    sso.add_users({"username": "olle-op", "groups": ["mfa"]})
    response = sign_in_through(client, sso, "olle-op")
    assert response.status_code == 403
    assert CONTACT in response.content.decode()
    assert _signed_in_user(client) is None
    row = AccessLogEntry.objects.get(action=AccessAction.SSO_REFUSED)
    assert (row.user, row.detail) == (olle, "deactivated")
    assert AccessAttempt.objects.filter(username="olle").count() == 1


def test_a_locked_out_user_cannot_sign_in_with_the_city_account_either(client, sso, settings):
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(LOGIN, {"username": "karin", "password": "wrong password"})
    response = sign_in_through(client, sso, "karin-op")
    assert response.status_code == 429
    assert _signed_in_user(client) is None


# --- Tokens and answers Lotsa must refuse ------------------------------------------------------


@pytest.mark.parametrize(
    ("quirk", "reason"),
    [
        ("quirk-aud", "The ID token is for another client."),
        ("quirk-nonce", "JWT Nonce verification failed."),
        ("quirk-expired", "The ID token has expired."),
        ("quirk-iss", "The ID token is from another issuer."),
    ],
)
def test_a_real_token_that_fails_a_check_is_refused(client, sso, caplog, quirk, reason):
    """The provider signs these with its real key: only Lotsa's checks stand in the way."""
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa", quirk]})
    response = sign_in_through(client, sso, "karin-op")
    assert response.status_code == 400
    assert FAILED in response.content.decode()
    assert f"single sign-on failed: {reason}" in caplog.text
    assert _signed_in_user(client) is None
    assert not AccessLogEntry.objects.filter(action=AccessAction.SSO_SIGN_IN).exists()


def test_a_tampered_state_is_refused(client, sso):
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    callback = provider_sign_in(client, sso, "karin-op")
    tampered = re.sub(r"state=([^&]+)", lambda m: "state=" + m.group(1)[::-1], callback)
    response = client.get(tampered)
    assert response.status_code == 400
    assert FAILED in response.content.decode()
    assert _signed_in_user(client) is None


def test_a_callback_in_another_browser_session_is_refused(client, sso):
    """The state belongs to the browser that started the sign-in (login CSRF)."""
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    callback = provider_sign_in(client, sso, "karin-op")
    other = Client()
    assert other.get(callback).status_code == 400
    assert _signed_in_user(other) is None


def test_a_callback_used_twice_works_once(client, sso):
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    callback = provider_sign_in(client, sso, "karin-op")
    assert client.get(callback).status_code == 302
    client.post(reverse("accounts:logout"))
    again = client.get(callback)
    assert again.status_code == 400
    assert _signed_in_user(client) is None


def test_the_provider_refusing_the_code_is_a_swedish_page_not_an_error(client, sso, settings):
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    callback = provider_sign_in(client, sso, "karin-op")
    settings.OIDC_RP_CLIENT_SECRET = "not-the-registered-secret"
    response = client.get(callback)
    assert response.status_code == 400
    assert FAILED in response.content.decode()


def test_an_error_from_the_provider_is_a_swedish_page(client, sso):
    client.get(START)
    response = client.get(CALLBACK, {"error": "access_denied", "state": "x"})
    assert response.status_code == 400
    assert FAILED in response.content.decode()


def test_a_provider_that_does_not_answer_is_a_swedish_page(client, settings, db):
    from sso.provider import forget_provider_metadata
    from tests.own_services import free_port

    closed = f"http://127.0.0.1:{free_port()}/o"
    settings.LOTSA_OIDC_ENABLED = True
    settings.LOTSA_OIDC_ISSUER = closed
    settings.LOTSA_OIDC_DISCOVERY_URL = closed + "/.well-known/openid-configuration"
    settings.OIDC_TIMEOUT = 2
    forget_provider_metadata()
    response = client.get(START)
    assert response.status_code == 503
    assert "Stadens inloggningstjänst svarar inte" in response.content.decode()


def test_the_authorization_request_uses_pkce_state_and_nonce(client, sso):
    response = client.get(START)
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32
    assert len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://testserver/sso/callback/"]
    assert "openid" in query["scope"][0].split()


# --- Two factors ---------------------------------------------------------------------------------


def test_without_multi_factor_at_the_provider_lotsas_code_step_is_asked(client, sso, settings):
    settings.LOTSA_REQUIRE_2FA = True
    karin = UserFactory.create(
        username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR]
    )
    device = twofactor_services.totp_device_for_enrolment(user=karin)
    twofactor_services.totp_device_confirm(
        device=device, code=f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    )
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    sso.add_users({"username": "karin-op", "groups": []})  # amr: pwd only
    sign_in_through(client, sso, "karin-op")
    gate = client.get(COORDINATOR_START)
    assert gate.status_code == 302
    assert gate["Location"].startswith(reverse("twofactor:verify"))
    device.refresh_from_db()
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
    client.post(reverse("twofactor:verify"), {"code": code})
    assert client.get(COORDINATOR_START).status_code == 200
    row = AccessLogEntry.objects.get(action=AccessAction.SSO_SIGN_IN)
    assert row.detail == "Lotsa's own second step"


def test_what_counts_as_multi_factor_is_configurable(client, sso, settings):
    settings.LOTSA_REQUIRE_2FA = True
    settings.LOTSA_OIDC_MFA_AMR = ["hwk"]  # the provider's "mfa" no longer counts
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    sign_in_through(client, sso, "karin-op")
    gate = client.get(COORDINATOR_START)
    assert gate.status_code == 302
    assert gate["Location"].startswith(reverse("twofactor:enrol"))


# --- Roles from the provider's groups (off by default) ----------------------------------------


def test_groups_do_not_change_roles_unless_the_mapping_is_on(client, sso):
    karin = UserFactory.create(
        username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR]
    )
    sso.add_users({"username": "karin-op", "groups": ["mfa", "grp-managers"]})
    sign_in_through(client, sso, "karin-op")
    assert user_roles(User.objects.get(pk=karin.pk)) == {"coordinator"}


def test_the_groups_mapping_replaces_roles_and_logs_the_change(client, sso, settings):
    settings.LOTSA_OIDC_GROUPS_CLAIM = "groups"
    settings.LOTSA_OIDC_GROUP_ROLES = {"grp-managers": "manager", "grp-outreach": "outreach"}
    karin = UserFactory.create(
        username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR]
    )
    sso.add_users({"username": "karin-op", "groups": ["mfa", "grp-managers", "grp-other"]})
    response = sign_in_through(client, sso, "karin-op")
    assert response.status_code == 302
    assert user_roles(User.objects.get(pk=karin.pk)) == {"manager"}
    row = AccessLogEntry.objects.get(action=AccessAction.ROLES)
    assert row.detail == "coordinator -> manager (groups at the city's sign-in service)"
    assert client.get(reverse("home"))["Location"] == reverse("home:start_manager")


# --- Logout ----------------------------------------------------------------------------------------


def test_logout_continues_to_the_providers_end_session_endpoint(client, sso):
    UserFactory.create(username="karin", oidc_subject="sub-karin-op", roles=[Role.COORDINATOR])
    sso.add_users({"username": "karin-op", "groups": ["mfa"]})
    sign_in_through(client, sso, "karin-op")
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:signed_out")
    page = client.get(response["Location"])
    assert page.status_code == 200
    link = re.search(r'href="([^"]+)" data-lotsa-follow', page.content.decode())
    assert link is not None
    target = urlsplit(link.group(1).replace("&amp;", "&"))
    assert f"{target.scheme}://{target.netloc}{target.path}" == sso.issuer + "/logout/"
    query = parse_qs(target.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert query["id_token_hint"][0].count(".") == 2
    assert _signed_in_user(client) is None
    # Once: a reload goes to the sign-in page.
    assert client.get(reverse("accounts:signed_out"))["Location"] == LOGIN


# --- Off by default, and the password's place beside it ------------------------------------------


def test_without_configuration_there_is_no_single_sign_on(client, db):
    page = client.get(LOGIN).content.decode()
    assert "Logga in med stadens konto" not in page
    assert client.get(START).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404


def test_the_sign_in_page_offers_the_city_account_as_a_link(client, sso):
    page = client.get(LOGIN + "?next=/cases/").content.decode()
    assert '<a class="btn btn-primary btn-lg w-100" href="/sso/start/?next=/cases/"' in page
    assert "Logga in med stadens konto" in page
    assert "Eller logga in med ditt lösenord i Lotsa" in page


def test_password_sign_in_stays_for_everyone_by_default(client, sso):
    UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    response = client.post(LOGIN, {"username": "karin", "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_break_glass_keeps_passwords_for_named_superusers_only(client, sso, settings):
    settings.LOTSA_LOCAL_SIGN_IN_USERS = ["root"]
    UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    UserFactory.create(username="root", is_superuser=True, is_staff=True)
    UserFactory.create(username="ali", roles=[Role.ADMIN])  # named nowhere
    assert "Nödinloggning med lösenord" in client.get(LOGIN).content.decode()
    for username in ["karin", "ali"]:
        response = client.post(LOGIN, {"username": username, "password": TEST_PASSWORD})
        assert response.status_code == 200
        assert "Inloggning med lösenord är avstängd för ditt konto" in response.content.decode()
        assert _signed_in_user(client) is None
    response = client.post(LOGIN, {"username": "root", "password": TEST_PASSWORD})
    assert response.status_code == 302
    # The password alone is not enough, even with LOTSA_REQUIRE_2FA off (the test settings).
    gate = client.get(reverse("home:start_admin"))
    assert gate.status_code == 302
    assert gate["Location"].startswith(reverse("twofactor:enrol"))


def test_a_named_user_who_is_not_a_superuser_gets_no_password_sign_in(client, sso, settings):
    settings.LOTSA_LOCAL_SIGN_IN_USERS = ["karin"]
    UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    response = client.post(LOGIN, {"username": "karin", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert _signed_in_user(client) is None
