"""Two-factor sign-in: enrolment, the code step, backup codes, lockout and the gate on pages."""

from __future__ import annotations

from base64 import b32encode
from datetime import timedelta

import pytest
import segno
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TEST_PASSWORD
from twofactor import services

LOGIN = reverse("accounts:login")
VERIFY = reverse("twofactor:verify")
ENROL = reverse("twofactor:enrol")
OVERVIEW = reverse("twofactor:overview")
BACKUP_CODES = reverse("twofactor:backup_codes")
START = reverse("home:start_coordinator")
WRONG_CODE = "Koden är fel eller har gått ut"
LOCKED = "För många misslyckade inloggningsförsök"


@pytest.fixture
def required(settings):
    settings.LOTSA_REQUIRE_2FA = True
    return settings


def app_code(device: TOTPDevice, *, steps: int = 0) -> str:
    """The code the user's app shows now (or `steps` time steps later or earlier)."""
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, steps):06d}"


def enrol_directly(user) -> tuple[TOTPDevice, list[str]]:
    """An app and backup codes as the enrolment leaves them, without the pages."""
    device = services.totp_device_for_enrolment(user=user)
    codes = services.totp_device_confirm(device=device, code=app_code(device))
    device.refresh_from_db()
    # The confirmation used this time step's code; tests start from a fresh device state.
    device.last_t = -1
    device.save(update_fields=["last_t"])
    return device, codes


def sign_in_with_password(client: Client, user):
    return client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})


def _page(response) -> str:
    return response.content.decode()


# --- The gate -------------------------------------------------------------------------------------


def test_unenrolled_user_is_sent_to_enrolment_from_every_page(client, coordinator, required):
    client.force_login(coordinator)
    for url in [START, reverse("casework:case_list"), reverse("notifications"), OVERVIEW]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == f"{ENROL}?next={url.replace('/', '%2F')}"


def test_enrolled_user_is_sent_to_the_code_step(client, coordinator, required):
    enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    response = client.get(START)
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    # Nor can they skip to enrolling a second app.
    assert client.get(ENROL).url.startswith(VERIFY)


def test_a_post_is_stopped_too(client, coordinator, required):
    client.force_login(coordinator)
    response = client.post(reverse("notification_acknowledge_all"))
    assert response.status_code == 302
    assert response.url == ENROL


def test_sign_out_language_switch_and_healthz_stay_open(client, coordinator, required):
    client.force_login(coordinator)
    assert client.get(reverse("healthz")).status_code == 200
    response = client.post(reverse("set_language"), {"language": "en", "next": ENROL})
    assert response.status_code == 302
    assert "Set up two-factor sign-in" in _page(client.get(ENROL))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_static_files_are_served_before_the_second_step(coordinator, required):
    # As in development: WhiteNoise finds the files itself (it reads this when a client starts).
    required.WHITENOISE_USE_FINDERS = True
    client = Client()
    client.force_login(coordinator)
    response = client.get("/static/css/lotsa.css")
    assert response.status_code == 200


def test_the_pending_pages_show_no_navigation_but_a_way_out(client, coordinator, required):
    client.force_login(coordinator)
    page = _page(client.get(ENROL))
    assert 'id="main-nav"' not in page
    assert "Avbryt och logga ut" in page


def test_htmx_requests_get_an_hx_redirect_to_the_whole_page(client, coordinator, required):
    enrol_directly(coordinator)
    client.force_login(coordinator)
    cases = reverse("casework:case_list")
    response = client.get(
        cases + "?status=open",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{cases}?q=x"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fcases%2F%3Fq%3Dx"
    assert response.content == b""


def test_admin_site_is_behind_the_second_step(client, admin_user, required):
    client.force_login(admin_user)
    response = client.get(reverse("admin:accounts_user_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(ENROL)


def test_nothing_is_asked_when_the_setting_is_off(client, coordinator, settings):
    settings.LOTSA_REQUIRE_2FA = False
    sign_in_with_password(client, coordinator)
    assert client.get(START).status_code == 200
    page = _page(client.get(OVERVIEW))
    assert "Du loggar in med enbart lösenord" in page


def test_a_user_without_two_factor_costs_no_device_query(client, coordinator, settings):
    settings.LOTSA_REQUIRE_2FA = False
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("notifications")).status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "otp_" in q["sql"]]


def test_a_verified_session_costs_one_device_query_per_page(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    client.post(VERIFY, {"code": app_code(device)})
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("notifications")).status_code == 200
    device_queries = [q["sql"] for q in queries.captured_queries if "otp_" in q["sql"]]
    assert len(device_queries) == 1, device_queries


def test_middleware_order(settings):
    middleware = django_settings.MIDDLEWARE
    auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
    otp = middleware.index("django_otp.middleware.OTPMiddleware")
    gate = middleware.index("twofactor.middleware.SecondStepMiddleware")
    assert auth + 1 == otp < middleware.index("django_htmx.middleware.HtmxMiddleware") < gate
    assert middleware[-1] == "axes.middleware.AxesMiddleware"


# --- Enrolment -----------------------------------------------------------------------------------


def test_enrolment_with_a_code_computed_from_the_key(client, coordinator, required):
    response = sign_in_with_password(client, coordinator)
    response = client.get(response.url, follow=True)
    assert response.redirect_chain[-1][0] == f"{ENROL}?next=%2F"
    page = _page(response)
    assert "Slå på tvåstegsverifiering" in page
    device = TOTPDevice.objects.get(user=coordinator)
    assert not device.confirmed
    # The key as text for typing, in groups of four.
    secret = b32encode(device.bin_key).decode().rstrip("=")
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    # The QR code is inline SVG of exactly the app's setup link: issuer Lotsa, this user.
    assert device.config_url.startswith("otpauth://totp/Lotsa%3Akarin?secret=")
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=4, dark="#000", light="#fff", svgclass="qr-code"
    )
    path = svg[svg.index("<path") : svg.index("/>", svg.index("<path"))]
    assert path in page
    assert "<img" not in page
    assert "<script>" not in page
    assert page.count("<script") == 3  # htmx, Bootstrap, lotsa.js: files, never inline
    # Reloading keeps the same key (the app has it already).
    client.get(ENROL)
    assert TOTPDevice.objects.filter(user=coordinator).get().key == device.key

    wrong = client.post(ENROL, {"code": "000000" if app_code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert WRONG_CODE in _page(wrong)
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post(ENROL, {"code": app_code(device), "next": START})
    assert response.status_code == 302
    assert response.url == f"{BACKUP_CODES}?next=%2Faccounts%2Fstart%2Fcoordinator%2F"
    device.refresh_from_db()
    assert device.confirmed
    page = _page(client.get(response.url))
    codes = list(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    )
    assert len(codes) == 10
    assert all(code in page for code in codes)
    assert "visas bara den här gången" in page
    # Shown once only.
    again = client.get(BACKUP_CODES, follow=True)
    assert not any(code in _page(again) for code in codes)
    assert "Reservkoder visas bara en gång" in _page(again)
    # The session is verified: pages open.
    assert client.get(START).status_code == 200


def test_enrolment_code_may_be_typed_with_spaces(client, coordinator, required):
    client.force_login(coordinator)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=coordinator)
    code = app_code(device)
    response = client.post(ENROL, {"code": f" {code[:3]} {code[3:]} "})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_empty_and_oversized_codes_are_refused_with_a_message(client, coordinator, required):
    client.force_login(coordinator)
    response = client.post(ENROL, {"code": ""})
    assert response.status_code == 400
    assert "Detta fält måste fyllas i" in _page(response)
    response = client.post(ENROL, {"code": "9" * 10_000})
    assert response.status_code == 400
    assert not TOTPDevice.objects.filter(user=coordinator, confirmed=True).exists()


def test_voluntary_enrolment_when_off_then_a_code_is_asked(client, coordinator, settings):
    settings.LOTSA_REQUIRE_2FA = False
    client.force_login(coordinator)
    page = _page(client.get(ENROL))
    assert "Med tvåstegsverifiering frågar Lotsa" in page
    assert 'id="main-nav"' in page  # not pending: nothing is required of this session
    device = TOTPDevice.objects.get(user=coordinator)
    assert client.post(ENROL, {"code": app_code(device)}).status_code == 302
    assert "Tvåstegsverifiering" in _page(client.get(OVERVIEW))
    client.post(reverse("accounts:logout"))

    with time_machine.travel(timezone.now() + timedelta(seconds=60)):
        sign_in_with_password(client, coordinator)
        response = client.get(START)
        assert response.url.startswith(VERIFY)
        assert client.post(VERIFY, {"code": app_code(device)}).status_code == 302
        assert client.get(START).status_code == 200


# --- The code step --------------------------------------------------------------------------------


def test_code_step_with_the_app_returns_to_the_page_asked_for(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    client.get(START)  # anonymous: to the sign-in page
    response = client.post(
        f"{LOGIN}?next={START}",
        {"username": "karin", "password": TEST_PASSWORD, "next": START},
    )
    response = client.get(response.url)
    assert response.url == f"{VERIFY}?next=%2Faccounts%2Fstart%2Fcoordinator%2F"
    page = _page(client.get(response.url))
    assert "Ange din kod" in page
    assert 'id="main-nav"' not in page
    response = client.post(VERIFY, {"code": app_code(device), "next": START})
    assert response.status_code == 302
    assert response.url == START
    assert "Mitt arbete" in _page(client.get(START))
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_wrong_code_gets_one_swedish_message_and_counts_as_a_failed_sign_in(
    client, coordinator, required
):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    wrong = "123456" if app_code(device) != "123456" else "654321"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 400
    assert WRONG_CODE in _page(response)
    attempt = AccessAttempt.objects.get(username="karin")
    assert attempt.failures_since_start == 1
    assert wrong not in attempt.post_data  # axes keeps the form data, never a code
    assert client.get(START).status_code == 302  # still not through


def test_expired_code_gets_the_same_message(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    response = client.post(VERIFY, {"code": app_code(device, steps=-3)})
    assert response.status_code == 400
    assert WRONG_CODE in _page(response)


def test_an_app_code_is_accepted_once(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    code = app_code(device)
    sign_in_with_password(client, coordinator)
    assert client.post(VERIFY, {"code": code}).status_code == 302

    other = Client()
    sign_in_with_password(other, coordinator)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 400
    assert WRONG_CODE in _page(response)


def test_backup_code_works_once(client, coordinator, required):
    _device, codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    response = client.post(VERIFY, {"code": codes[0].upper()[:4] + " " + codes[0][4:]})
    assert response.status_code == 302
    assert client.get(START).status_code == 200
    assert StaticToken.objects.filter(device__user=coordinator).count() == 9
    assert not StaticToken.objects.filter(token=codes[0]).exists()

    other = Client()
    sign_in_with_password(other, coordinator)
    response = other.post(VERIFY, {"code": codes[0]})
    assert response.status_code == 400
    assert WRONG_CODE in _page(response)
    assert other.post(VERIFY, {"code": codes[1]}).status_code == 302


def test_second_step_is_asked_again_in_a_new_session(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    client.post(VERIFY, {"code": app_code(device)})
    assert client.get(START).status_code == 200

    other = Client()
    sign_in_with_password(other, coordinator)
    assert other.get(START)["Location"].startswith(VERIFY)
    # Signing out and in again in the same browser asks again too.
    client.post(reverse("accounts:logout"))
    sign_in_with_password(client, coordinator)
    assert client.get(START).url.startswith(VERIFY)


def test_the_session_key_changes_when_the_code_is_accepted(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    before = client.session.session_key
    client.post(VERIFY, {"code": app_code(device)})
    assert client.session.session_key != before
    assert client.get(START).status_code == 200


def test_next_may_not_leave_lotsa(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    response = client.post(VERIFY, {"code": app_code(device), "next": "https://evil.example/"})
    assert response.url == reverse("home")


# --- Lockout (real django-axes) ---------------------------------------------------------------------


def _wrong(device: TOTPDevice) -> str:
    now = {app_code(device, steps=s) for s in (-1, 0, 1)}
    return next(c for c in ("111111", "222222", "333333", "444444") if c not in now)


def test_lockout_after_the_limit_of_wrong_codes_signs_the_user_out(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"code": _wrong(device)}).status_code == 400
    locked = client.post(VERIFY, {"code": _wrong(device)})
    assert locked.status_code == 429
    assert LOCKED in _page(locked)
    assert "_auth_user_id" not in client.session
    # Locked: the password step refuses now too, and even a right code cannot be tried.
    assert sign_in_with_password(client, coordinator).status_code == 429
    assert "_auth_user_id" not in client.session

    start = timezone.now() + django_settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    with time_machine.travel(start):
        assert sign_in_with_password(client, coordinator).status_code == 302
        assert client.post(VERIFY, {"code": app_code(device)}).status_code == 302


def test_a_session_left_at_the_code_step_is_signed_out_once_locked(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)  # this browser waits at the code step
    other = Client()
    sign_in_with_password(other, coordinator)
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        other.post(VERIFY, {"code": _wrong(device)})
    response = client.post(VERIFY, {"code": app_code(device)})
    assert response.status_code == 429
    assert LOCKED in _page(response)
    assert "_auth_user_id" not in client.session


def test_the_password_does_not_wipe_the_failed_codes(client, coordinator, required):
    """Password, wrong codes, password again, ...: the codes' failures still add up."""
    device, _codes = enrol_directly(coordinator)
    limit = django_settings.AXES_FAILURE_LIMIT
    sign_in_with_password(client, coordinator)
    for _ in range(limit - 1):
        client.post(VERIFY, {"code": _wrong(device)})
    client.post(reverse("accounts:logout"))
    assert sign_in_with_password(client, coordinator).status_code == 302
    assert client.post(VERIFY, {"code": _wrong(device)}).status_code == 429


def test_a_correct_code_resets_the_count(client, coordinator, required):
    device, _codes = enrol_directly(coordinator)
    limit = django_settings.AXES_FAILURE_LIMIT
    sign_in_with_password(client, coordinator)
    for _ in range(limit - 1):
        client.post(VERIFY, {"code": _wrong(device)})
    assert client.post(VERIFY, {"code": app_code(device)}).status_code == 302
    assert not AccessAttempt.objects.filter(username="karin").exists()


def test_without_a_second_step_the_password_resets_the_count(client, coordinator, settings):
    settings.LOTSA_REQUIRE_2FA = False
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(LOGIN, {"username": "karin", "password": "wrong"})
    assert sign_in_with_password(client, coordinator).status_code == 302
    assert not AccessAttempt.objects.filter(username="karin").exists()


# --- The user's own page ----------------------------------------------------------------------------


def test_own_page_shows_two_factor_on_and_makes_new_backup_codes(client, coordinator, required):
    _device, old_codes = enrol_directly(coordinator)
    sign_in_with_password(client, coordinator)
    client.post(VERIFY, {"code": old_codes[0]})
    page = _page(client.get(OVERVIEW))
    assert "På" in page
    assert "Oanvända reservkoder" in page
    assert '<dd class="col-sm-7">9</dd>' in page

    assert client.get(reverse("twofactor:backup_codes_regenerate")).status_code == 405
    response = client.post(reverse("twofactor:backup_codes_regenerate"))
    assert response.url == BACKUP_CODES
    page = _page(client.get(BACKUP_CODES))
    new_codes = set(
        StaticToken.objects.filter(device__user=coordinator).values_list("token", flat=True)
    )
    assert len(new_codes) == 10
    assert all(code in page for code in new_codes)
    assert not new_codes & set(old_codes)
    # An old code no longer works.
    other = Client()
    sign_in_with_password(other, coordinator)
    assert other.post(VERIFY, {"code": old_codes[1]}).status_code == 400


def test_running_out_of_backup_codes_is_flagged(client, coordinator, settings):
    settings.LOTSA_REQUIRE_2FA = False
    _device, codes = enrol_directly(coordinator)
    StaticToken.objects.filter(token__in=codes[:8]).delete()
    client.force_login(coordinator)
    client.post(VERIFY, {"code": codes[8]})
    assert "nästan slut på reservkoder" in _page(client.get(OVERVIEW))


def test_two_tabs_opening_enrolment_share_one_key(coordinator):
    first = services.totp_device_for_enrolment(user=coordinator)
    second = services.totp_device_for_enrolment(user=coordinator)
    assert first.pk == second.pk
    services.totp_device_confirm(device=first, code=app_code(first))
    with pytest.raises(ValidationError):
        services.totp_device_for_enrolment(user=coordinator)
