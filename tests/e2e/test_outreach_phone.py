"""The phone form in a real browser (Debian's Chromium) at 360 px: nothing wider than the
screen, big touch targets, the save button always in reach, and a contact saved in three taps."""

from __future__ import annotations

import pytest
from django.urls import reverse

from outreach.models import District, OutreachContact
from tests.e2e.conftest import PHONE
from tests.factories import TEST_PASSWORD, OutreachContactFactory


@pytest.fixture
def phone(live_server, outreach_worker, browser):
    """A signed-in outreach worker's phone: 360 × 740 px, touch."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="sv-SE")
    page = context.new_page()
    page.goto(live_server.url + reverse("accounts:login"))
    page.fill("input[name=username]", outreach_worker.username)
    page.fill("input[name=password]", TEST_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/start/outreach/")
    yield page
    context.close()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_contact_form_fits_a_360_px_phone_and_saves_in_three_taps(
    phone, live_server, outreach_worker
):
    earlier = OutreachContactFactory.create(
        created_by=outreach_worker, district=District.objects.get(code="sodermalm")
    )
    phone.get_by_role("link", name="Ny kontakt").click()
    phone.wait_for_url("**/outreach/contacts/new/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    heights = phone.eval_on_selector_all(
        ".toggle-button, .contact-form .form-control, .contact-form .form-select",
        "elements => elements.map(e => e.getBoundingClientRect().height)",
    )
    assert len(heights) > 30
    assert min(heights) >= 44  # touch targets of at least 44 px
    save = phone.get_by_role("button", name="Spara kontakten")
    # The save button stays within the screen while scrolling (bottom of the thumb's reach).
    for scroll in (0, 900):
        phone.evaluate(f"window.scrollTo(0, {scroll})")
        box = save.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= 740
        assert box["width"] >= 300
    phone.evaluate("window.scrollTo(0, 0)")
    phone.get_by_text("Gata", exact=True).click()  # the toggles' labels: no JavaScript needed
    phone.get_by_text("Ja", exact=True).click()  # consent to be referred
    save.click()
    phone.wait_for_url("**/outreach/contacts/*/")
    assert phone.get_by_text("Kontakten sparades.").is_visible()
    contact = OutreachContact.objects.exclude(pk=earlier.pk).get()
    assert (contact.environment, contact.consent) == ("street", "yes")
    assert contact.district == earlier.district  # my last district, filled in
    assert list(contact.staff.all()) == [outreach_worker]  # me, filled in
    refer = phone.get_by_role("link", name="Länka till koordinator")
    box = refer.bounding_box()
    assert box is not None
    assert box["width"] >= 300
