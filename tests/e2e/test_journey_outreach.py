"""Journey 2: outreach on a 360 × 740 phone logs a contact and refers it; the coordinator (at a
desk) sees it in the inbox and accepts it into a new case; outreach then sees "accepted" and
nothing of the case."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from casework.models import Case, JournalEntry, Origin
from outreach.models import OutreachContact, Referral, ReferralStatus
from tests.e2e.conftest import check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD

JOURNAL_TEXT = "Första samtalet på mottagningen, med tolk på rumänska."
MESSAGE = "Nås via uppsökarnas telefon på torsdagar."


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outreach_refers_a_contact_and_the_coordinator_accepts_it_into_a_new_case(
    live_server,
    traced_phone_context,
    traced_context,
    artifacts,
    outreach_worker,
    coordinator,
    other_coordinator,
):
    # --- Outreach, on the phone: log a contact. ---------------------------------------------------
    phone = traced_phone_context.new_page()
    sign_in(phone, live_server, outreach_worker.username, TEST_PASSWORD)
    phone.wait_for_url("**/start/outreach/")
    check_everywhere(phone, artifacts, "outreach-start")
    shot(phone, artifacts, "01-outreach-start")

    phone.get_by_role("link", name="Ny kontakt").click()
    phone.wait_for_url("**/outreach/contacts/new/")
    phone.get_by_text("Gata", exact=True).click()
    phone.get_by_label("Stadsdelsområde").select_option(label="Södermalm")
    phone.get_by_label("Alias").fill("Lilja")
    phone.get_by_text("Kvinna", exact=True).click()
    phone.get_by_text("18–25", exact=True).click()
    phone.get_by_text("Ja", exact=True).click()  # consent to be referred
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    check_everywhere(phone, artifacts, "contact-form")
    shot(phone, artifacts, "02-contact-form")
    phone.get_by_role("button", name="Spara kontakten").click()
    phone.wait_for_url(re.compile(r".*/outreach/contacts/\d+/$"))
    phone.get_by_text("Kontakten sparades.").wait_for()
    contact = OutreachContact.objects.get()
    assert (contact.alias, contact.environment, contact.consent) == ("Lilja", "street", "yes")
    assert (contact.sex, contact.age_group) == ("female", "18_25")
    assert contact.district is not None
    assert contact.district.code == "sodermalm"
    check_everywhere(phone, artifacts, "contact")
    shot(phone, artifacts, "03-contact")

    # --- Refer it to the coordinator Karin. --------------------------------------------------------
    phone.get_by_role("link", name="Länka till koordinator").click()
    phone.wait_for_url(f"**/outreach/contacts/{contact.pk}/refer/")
    phone.get_by_label("Länka till").select_option(str(coordinator.pk))
    phone.get_by_label("Meddelande till koordinatorn").fill(MESSAGE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    check_everywhere(phone, artifacts, "referral-form")
    shot(phone, artifacts, "04-referral-form")
    phone.get_by_role("button", name="Länka", exact=True).click()
    phone.wait_for_url(f"**/outreach/contacts/{contact.pk}/")
    phone.get_by_text("Kontakten länkades till").wait_for()
    referrals = phone.locator("section[aria-labelledby=referrals-heading]")
    assert referrals.locator(".badge").first.inner_text() == "Väntar"
    referral = Referral.objects.get()
    assert (referral.status, referral.to_coordinator, referral.referred_by) == (
        ReferralStatus.PENDING,
        coordinator,
        outreach_worker,
    )
    check_everywhere(phone, artifacts, "contact-referred")
    shot(phone, artifacts, "05-contact-referred")

    # --- The coordinator, at a desk: the inbox count, then accept into a new case. -----------------
    desk = traced_context.new_page()
    sign_in(desk, live_server, coordinator.username, TEST_PASSWORD)
    desk.get_by_role("heading", name="Mitt arbete").wait_for()
    inbox_link = desk.locator("nav").get_by_role("link", name=re.compile(r"^Länkningar"))
    assert " ".join(inbox_link.locator(".badge").inner_text().split()) == "1 väntar"
    new_referrals = desk.get_by_role("heading", name=re.compile(r"^Nya länkningar"))
    assert new_referrals.locator(".badge").inner_text() == "1"
    check_everywhere(desk, artifacts, "coordinator-start")
    shot(desk, artifacts, "06-coordinator-start")

    inbox_link.click()
    desk.wait_for_url("**/outreach/referrals/")
    table = desk.locator("table")
    assert table.locator("tbody tr").count() == 1
    row = table.locator("tbody tr").first
    assert "Lilja" in row.inner_text()
    assert row.locator(".badge").first.inner_text() == "Väntar"
    check_everywhere(desk, artifacts, "inbox")
    shot(desk, artifacts, "07-inbox")

    row.get_by_role("link", name="Hantera").click()
    desk.wait_for_url(f"**/outreach/referrals/{referral.pk}/")
    assert desk.get_by_text(MESSAGE).is_visible()
    check_everywhere(desk, artifacts, "referral")
    shot(desk, artifacts, "08-referral")

    desk.get_by_role("link", name="Ta emot: ny individ och nytt ärende").click()
    desk.wait_for_url(f"**/outreach/referrals/{referral.pk}/accept/new/")
    # Prefilled from the contact; the case comes in as a referral from outreach.
    assert desk.get_by_label("Alias").input_value() == "Lilja"
    assert desk.get_by_label("Ansvarig koordinator").input_value() == str(coordinator.pk)
    desk.get_by_label("Uppskattat födelseår").fill("2003")
    desk.get_by_label("Sexuella ändamål").check()
    check_everywhere(desk, artifacts, "accept-new")
    shot(desk, artifacts, "09-accept-new")
    desk.get_by_role("button", name="Ta emot och öppna ärendet").click()

    desk.get_by_text(re.compile(r"Länkningen togs emot och ärende \S+ öppnades\.")).wait_for()
    case = Case.objects.get()
    desk.wait_for_url(f"**/cases/{case.pk}/")
    assert desk.get_by_text(f"Länkningen togs emot och ärende {case.number} öppnades.").is_visible()
    assert "#}" not in desk.inner_text("body")  # no template source on the page
    check_everywhere(desk, artifacts, "case")
    shot(desk, artifacts, "10-case")

    # The coordinator's first journal entry: something outreach must never see.
    desk.get_by_role("link", name="Ny journalanteckning").click()
    desk.get_by_label("Typ").select_option("meeting")
    desk.get_by_label("Text").fill(JOURNAL_TEXT)
    check_everywhere(desk, artifacts, "journal-form")
    desk.get_by_role("button", name="Spara och signera").click()
    desk.get_by_text(JOURNAL_TEXT).wait_for()
    check_everywhere(desk, artifacts, "case-with-journal")
    shot(desk, artifacts, "11-case-with-journal")

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert (referral.case, referral.accepted_by) == (case, coordinator)
    assert case.origin == Origin.OUTREACH_REFERRAL
    assert case.coordinator == coordinator
    assert (case.individual.alias, case.individual.sex) == ("Lilja", "female")
    assert case.purposes.filter(purpose="sexual").exists()
    assert JournalEntry.objects.get(case=case).is_signed

    # --- Outreach again: "accepted", and nothing of the case. --------------------------------------
    case_path = reverse("casework:case_detail", args=[case.pk])
    outreach_pages = [
        ("contact-accepted", reverse("outreach:contact_detail", args=[contact.pk])),
        ("outreach-start-accepted", reverse("home:start_outreach")),
        ("my-referrals", reverse("outreach:referral_list")),
    ]
    for number, (name, path) in enumerate(outreach_pages, start=12):
        phone.goto(live_server.url + path)
        status = phone.locator(".badge", has_text=re.compile(r"^Mottagen$"))
        assert status.count() == 1, name
        assert status.is_visible(), name
        html = phone.content()
        assert case.number not in html, name
        assert JOURNAL_TEXT not in html, name
        assert "/cases/" not in html, name
        assert phone.locator("a[href*='/cases/']").count() == 0, name
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360, name
        assert "#}" not in phone.inner_text("body"), name  # no template source on the page
        check_everywhere(phone, artifacts, name)
        shot(phone, artifacts, f"{number}-{name}")

    # The referral's own page sends outreach back to the contact (no case content).
    phone.goto(live_server.url + reverse("outreach:referral_detail", args=[referral.pk]))
    phone.wait_for_url(f"**/outreach/contacts/{contact.pk}/")

    # The case's address, typed in: refused.
    for path in (case_path, reverse("casework:journal_create", args=[case.pk])):
        response = phone.goto(live_server.url + path)
        assert response is not None
        assert response.status in (403, 404), path
        html = phone.content()
        assert case.number not in html
        assert JOURNAL_TEXT not in html
    check_everywhere(phone, artifacts, "case-refused")
    shot(phone, artifacts, "15-case-refused")
