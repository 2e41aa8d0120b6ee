"""Two-factor sign-in in a real browser, on a phone-sized screen too: enrolment with the QR code
and the typed key, the backup codes, and the code step, each page checked with axe-core."""

from __future__ import annotations

from binascii import unhexlify

import pytest
from django.urls import reverse
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.e2e.conftest import PHONE, check_accessibility, shot, sign_in
from tests.factories import TEST_PASSWORD


def _code(device: TOTPDevice, steps: int = 0) -> str:
    return f"{totp(unhexlify(device.key), drift=steps):06d}"


def _next_code(device: TOTPDevice) -> str:
    """The code of the time step after the last one the device accepted (a code works once).

    Not "the clock's next step": when the enrolment's code reached the server a step later than
    it was made, django-otp records a drift of -1 and shifts its window of accepted steps back,
    and the clock's next step falls outside it. The step after the last accepted one is inside
    the window for the next minute either way."""
    device.refresh_from_db()
    now = TOTP(unhexlify(device.key), device.step, device.t0, device.digits).t()
    return _code(device, device.last_t + 1 - now)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_enrol_then_sign_in_again_with_a_code(
    live_server, browser, traced_context, artifacts, coordinator, settings
):
    settings.LOTSA_REQUIRE_2FA = True
    page = traced_context.new_page()
    sign_in(page, live_server, coordinator.username, TEST_PASSWORD)
    page.wait_for_url("**/two-factor/enrol/**")
    qr = page.locator("svg.qr-code")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 150  # big enough to scan from a screen
    page.get_by_text("Går det inte att skanna?").click()
    key = page.locator("code").first.inner_text()
    assert len(key.replace(" ", "")) == 32
    check_accessibility(page, artifacts, "enrol")
    shot(page, artifacts, "enrol")

    device = TOTPDevice.objects.get(user=coordinator)
    page.get_by_label("Kod från appen").fill(_code(device))
    page.get_by_role("button", name="Slå på tvåstegsverifiering").click()
    page.wait_for_url("**/two-factor/backup-codes/**")
    assert page.locator("ol code").count() == 10
    check_accessibility(page, artifacts, "backup-codes")
    shot(page, artifacts, "backup-codes")
    page.get_by_role("link", name="Jag har skrivit ner koderna").click()
    page.wait_for_url("**/start/coordinator/")

    # A phone, a new session: the code step, in reach on a 360 px screen.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="sv-SE")
    try:
        mobile = phone.new_page()
        sign_in(mobile, live_server, coordinator.username, TEST_PASSWORD)
        mobile.wait_for_url("**/two-factor/verify/**")
        assert mobile.evaluate("document.documentElement.scrollWidth") <= 360
        check_accessibility(mobile, artifacts, "verify")
        next_code = _next_code(device)
        mobile.get_by_label("Kod").fill("000000" if next_code != "000000" else "111111")
        mobile.get_by_role("button", name="Fortsätt").click()
        assert mobile.get_by_text("Koden är fel eller har gått ut").first.is_visible()
        check_accessibility(mobile, artifacts, "verify-error")
        shot(mobile, artifacts, "verify-error")
        # The next time step's code (the enrolment used this one; a code works once).
        mobile.get_by_label("Kod").fill(next_code)
        mobile.get_by_role("button", name="Fortsätt").click()
        mobile.wait_for_url("**/start/coordinator/")
        assert mobile.url.endswith(reverse("home:start_coordinator"))
    finally:
        phone.close()
