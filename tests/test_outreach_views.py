"""Outreach pages: who may open them, the phone form, the inbox and its count, accepting and
declining through the pages, what outreach staff see of a case (nothing), and query counts."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry, Notification
from accounts.roles import Role
from casework import services as casework_services
from casework.models import Case, Individual, Origin, Protection
from outreach import services
from outreach.models import (
    AgeGroup,
    District,
    Environment,
    OutreachContact,
    Referral,
    ReferralConsent,
    ReferralStatus,
)
from tests.factories import CaseFactory, OutreachContactFactory, UserFactory

CONTACT_TYPE = "outreach.outreachcontact"


@pytest.fixture
def other_outreach_worker(db):
    return UserFactory.create(username="lena", first_name="Lena", roles=[Role.OUTREACH])


@pytest.fixture
def contact(outreach_worker):
    """Referred to the common inbox, waiting."""
    return OutreachContactFactory.create(
        created_by=outreach_worker, alias="Rosa", description="Röd jacka"
    )


@pytest.fixture
def referral(contact, outreach_worker):
    return services.referral_create(contact=contact, by=outreach_worker)


@pytest.fixture
def unreferred(outreach_worker):
    return OutreachContactFactory.create(created_by=outreach_worker, alias="Iris")


def _page(response) -> str:
    return response.content.decode()


# --- Who may open what ---------------------------------------------------------------------------


def _urls(contact, unreferred, referral):
    return {
        "contact_create": reverse("outreach:contact_create"),
        "contact_list": reverse("outreach:contact_list"),
        "contact_detail": reverse("outreach:contact_detail", args=[contact.pk]),
        "unreferred_detail": reverse("outreach:contact_detail", args=[unreferred.pk]),
        "contact_edit": reverse("outreach:contact_edit", args=[unreferred.pk]),
        "referral_create": reverse("outreach:referral_create", args=[unreferred.pk]),
        "referral_list": reverse("outreach:referral_list"),
        "referral_detail": reverse("outreach:referral_detail", args=[referral.pk]),
        "referral_accept_new": reverse("outreach:referral_accept_new", args=[referral.pk]),
        "referral_decline": reverse("outreach:referral_decline", args=[referral.pk]),
    }


POST_ONLY = ("referral_accept_case", "referral_withdraw")

# GET status per persona and page; POST-only actions are checked separately.
EXPECTED = {
    "outreach_worker": {
        "contact_create": 200,
        "contact_list": 200,
        "contact_detail": 200,
        "unreferred_detail": 200,
        "contact_edit": 200,
        "referral_create": 200,
        "referral_list": 200,
        "referral_detail": 302,  # to the contact's page: outreach sees no case content
        "referral_accept_new": 403,
        "referral_decline": 403,
    },
    "other_outreach_worker": {
        "contact_create": 200,
        "contact_list": 200,
        "contact_detail": 404,
        "unreferred_detail": 404,
        "contact_edit": 404,
        "referral_create": 404,
        "referral_list": 200,
        "referral_detail": 404,
        "referral_accept_new": 404,
        "referral_decline": 404,
    },
    "coordinator": {
        "contact_create": 403,
        "contact_list": 403,
        "contact_detail": 200,  # the contact behind a referral
        "unreferred_detail": 404,  # other outreach data
        "contact_edit": 404,
        "referral_create": 404,
        "referral_list": 200,
        "referral_detail": 200,
        "referral_accept_new": 200,
        "referral_decline": 200,
    },
    "manager": {
        "contact_create": 403,
        "contact_list": 200,
        "contact_detail": 200,
        "unreferred_detail": 200,
        "contact_edit": 403,
        "referral_create": 403,
        "referral_list": 200,
        "referral_detail": 200,
        "referral_accept_new": 403,
        "referral_decline": 403,
    },
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_role_reaches_what_it_needs_and_nothing_else(
    request, client, contact, unreferred, referral, persona
):
    client.force_login(request.getfixturevalue(persona))
    for name, url in _urls(contact, unreferred, referral).items():
        assert client.get(url).status_code == EXPECTED[persona][name], (persona, name)


@pytest.mark.parametrize("persona", ["outsider", "admin_user"])
def test_roles_without_outreach_work_get_404_everywhere(
    request, client, contact, unreferred, referral, persona
):
    client.force_login(request.getfixturevalue(persona))
    for name, url in _urls(contact, unreferred, referral).items():
        assert client.get(url).status_code == 404, name
    for name in POST_ONLY:
        assert client.post(reverse(f"outreach:{name}", args=[referral.pk])).status_code == 404


def test_anonymous_users_are_sent_to_login(client, contact, unreferred, referral):
    for name, url in _urls(contact, unreferred, referral).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert "/accounts/login/" in response.url, name


def test_post_only_actions_refuse_the_wrong_roles(
    client, referral, outreach_worker, other_outreach_worker, coordinator, manager
):
    case = CaseFactory.create(coordinator=coordinator)
    accept = reverse("outreach:referral_accept_case", args=[referral.pk])
    withdraw = reverse("outreach:referral_withdraw", args=[referral.pk])
    for user, accept_status, withdraw_status in [
        (outreach_worker, 403, None),  # None: allowed (tested below)
        (other_outreach_worker, 404, 404),
        (manager, 403, 403),
        (coordinator, None, 403),
    ]:
        client.force_login(user)
        if accept_status:
            assert client.post(accept, {"case": case.pk}).status_code == accept_status, user
        if withdraw_status:
            assert client.post(withdraw).status_code == withdraw_status, user
    assert client.get(accept).status_code == 405
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_unknown_ids_are_404(client, coordinator):
    client.force_login(coordinator)
    assert client.get(reverse("outreach:referral_detail", args=[999999])).status_code == 404
    assert client.get(reverse("outreach:contact_detail", args=[999999])).status_code == 404


def test_a_withdrawn_referral_no_longer_shows_its_contact_to_coordinators(
    client, referral, contact, outreach_worker, coordinator, manager
):
    services.referral_withdraw(referral=referral, by=outreach_worker)
    client.force_login(coordinator)
    assert client.get(reverse("outreach:contact_detail", args=[contact.pk])).status_code == 404
    page = _page(client.get(reverse("outreach:referral_detail", args=[referral.pk])))
    assert "Återkallad" in page
    assert "Rosa" not in page
    listing = _page(client.get(reverse("outreach:referral_list"), {"status": "withdrawn"}))
    assert "kontakten visas inte längre" in listing
    assert "Rosa" not in listing
    client.force_login(manager)  # managers see everything, read-only
    assert "Rosa" in _page(client.get(reverse("outreach:referral_detail", args=[referral.pk])))


# --- The phone form --------------------------------------------------------------------------------


def test_the_form_opens_with_now_me_and_my_last_district(client, outreach_worker):
    OutreachContactFactory.create(
        created_by=outreach_worker,
        district=District.objects.get(code="skarholmen"),
        contacted_at=timezone.now() - timedelta(days=1),
    )
    OutreachContactFactory.create(  # older: not the last district
        created_by=outreach_worker,
        district=District.objects.get(code="bromma"),
        contacted_at=timezone.now() - timedelta(days=3),
    )
    client.force_login(outreach_worker)
    page = _page(client.get(reverse("outreach:contact_create")))
    now = timezone.localtime()
    assert f'value="{now:%Y-%m-%dT%H}' in page  # now, to the minute
    skarholmen = District.objects.get(code="skarholmen")
    assert re.search(rf'<option value="{skarholmen.pk}" selected>Skärholmen', page)
    assert re.search(rf'value="{outreach_worker.pk}"[^>]*checked', page)
    # Large controls, toggles that work without JavaScript, no inline script.
    assert "form-control-lg" in page
    assert 'class="btn-check"' in page
    assert 'type="datetime-local"' in page
    assert "<script>" not in page


def test_the_last_district_counts_contacts_i_was_present_at_and_only_active_ones(
    client, outreach_worker
):
    colleague = UserFactory.create(username="kim", roles=[Role.OUTREACH])
    present_at = OutreachContactFactory.create(
        created_by=colleague,
        district=District.objects.get(code="bromma"),
        contacted_at=timezone.now() - timedelta(days=1),
    )
    present_at.staff.add(outreach_worker)
    OutreachContactFactory.create(
        created_by=outreach_worker,
        district=District.objects.get(code="skarholmen"),
        contacted_at=timezone.now() - timedelta(days=2),
    )
    client.force_login(outreach_worker)
    bromma = District.objects.get(code="bromma")
    page = _page(client.get(reverse("outreach:contact_create")))
    assert re.search(rf'<option value="{bromma.pk}" selected>Bromma', page)
    # A district no longer in use is not offered again: nothing is chosen.
    District.objects.filter(pk=bromma.pk).update(active=False)
    page = _page(client.get(reverse("outreach:contact_create")))
    districts = page.split('name="district"')[1].split("</select>")[0]
    assert re.search(r'<option value="\d+" selected>', districts) is None


def test_the_form_lists_only_active_outreach_staff_and_districts(
    client, outreach_worker, coordinator
):
    UserFactory.create(username="gone", first_name="Gunnar", roles=[Role.OUTREACH], is_active=False)
    District.objects.filter(code="bromma").update(active=False)
    client.force_login(outreach_worker)
    page = _page(client.get(reverse("outreach:contact_create")))
    assert "Jonas" in page
    assert "Gunnar" not in page
    assert "Karin" not in page  # a coordinator is not outreach staff
    assert ">Bromma<" not in page


def _form(user, **overrides):
    data = {
        "contacted_at": (timezone.localtime() - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M"),
        "environment": "street",
        "district": District.objects.get(code="norrmalm").pk,
        "staff": [user.pk],
        "alias": "Rosa",
        "description": "",
        "sex": "female",
        "age_group": "26_35",
        "language": "",
        "presumed_nationality": "RO",
        "indicators": ["debt"],
        "offers": ["rights_information", "health_care"],
        "consent": "yes",
        "notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_saving_shows_the_contact_and_the_refer_button(client, outreach_worker):
    client.force_login(outreach_worker)
    response = client.post(reverse("outreach:contact_create"), _form(outreach_worker))
    contact = OutreachContact.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("outreach:contact_detail", args=[contact.pk])
    page = _page(client.get(response.url))
    assert "Kontakten sparades." in page
    assert "Länka till koordinator" in page
    assert "Rosa" in page
    assert "Skuld" in page
    assert "Vård / Mika-mottagningen" in page
    assert contact.presumed_nationality.code == "RO"
    assert list(contact.staff.all()) == [outreach_worker]


def test_an_empty_form_explains_every_required_field_in_swedish(client, outreach_worker):
    client.force_login(outreach_worker)
    response = client.post(reverse("outreach:contact_create"), {})
    assert response.status_code == 400
    page = _page(response)
    assert "Formuläret kunde inte sparas" in page  # the summary at the top
    assert "Välj var kontakten ägde rum." in page  # where
    assert "Välj vem som var med." in page  # staff present
    assert page.count("Detta fält måste fyllas i.") >= 4  # when, sex, age group, consent
    assert '<a href="#id_environment"' in page  # the summary links to the field
    assert not OutreachContact.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contacted_at": "igår"}, "Fyll i ett giltigt datum/tid."),
        (
            {"contacted_at": (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
            "kan inte registreras för en tidpunkt i framtiden",
        ),
        ({"district": ""}, "Välj stadsdelsområdet där kontakten ägde rum"),
        ({"environment": "spaceship"}, "giltigt alternativ"),
        ({"age_group": "", "indicators": []}, "Detta fält måste fyllas i."),
        ({"indicators": ["minor"]}, "välj då också åldersgruppen ”under 18”"),
        ({"staff": []}, "Välj vem som var med."),
        ({"consent": "maybe"}, "giltigt alternativ"),
        ({"presumed_nationality": "QQ"}, "giltigt alternativ"),
        ({"alias": "x" * 101}, "som mest 100 tecken"),
    ],
)
def test_bad_input_gets_a_swedish_error_and_saves_nothing(
    client, outreach_worker, overrides, message
):
    client.force_login(outreach_worker)
    response = client.post(reverse("outreach:contact_create"), _form(outreach_worker, **overrides))
    assert response.status_code == 400
    page = _page(response)
    assert message in page
    assert "Formuläret kunde inte sparas" in page
    assert not OutreachContact.objects.exists()


def test_an_online_contact_needs_no_district_and_a_failed_form_keeps_the_input(
    client, outreach_worker
):
    client.force_login(outreach_worker)
    response = client.post(
        reverse("outreach:contact_create"),
        _form(outreach_worker, district="", alias="Kvar", environment="street"),
    )
    page = _page(response)
    assert 'value="Kvar"' in page
    assert re.search(r'value="street"[^>]*checked', page)
    response = client.post(
        reverse("outreach:contact_create"),
        _form(outreach_worker, district="", environment="online"),
    )
    assert response.status_code == 302
    assert OutreachContact.objects.get().environment == Environment.ONLINE


def test_correcting_a_contact_through_the_page(client, unreferred, outreach_worker):
    client.force_login(outreach_worker)
    url = reverse("outreach:contact_edit", args=[unreferred.pk])
    page = _page(client.get(url))
    assert 'value="Iris"' in page
    data = _form(outreach_worker, alias="Iris B", version="1")
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "alias": "Gammal"})  # version 1 is stale now
    assert response.status_code == 400
    assert "Någon annan har sparat" in _page(response)
    unreferred.refresh_from_db()
    assert unreferred.alias == "Iris B"


# --- Referring and withdrawing ---------------------------------------------------------------------


def test_referring_through_the_page_notifies_the_coordinators(
    client, unreferred, outreach_worker, coordinator, other_coordinator
):
    client.force_login(outreach_worker)
    url = reverse("outreach:referral_create", args=[unreferred.pk])
    response = client.post(url, {"to_coordinator": "", "note": "Nås på förmiddagen"})
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.to_coordinator is None
    assert referral.note == "Nås på förmiddagen"
    assert {n.recipient for n in Notification.objects.all()} == {coordinator, other_coordinator}
    page = _page(client.get(response.url))
    assert "Kontakten länkades till koordinatorerna." in page
    assert "Väntar" in page
    assert "Återkalla länkningen" in page


def test_without_consent_the_page_explains_and_refuses(client, outreach_worker):
    contact = OutreachContactFactory.create(
        created_by=outreach_worker, consent=ReferralConsent.NOT_ASKED
    )
    client.force_login(outreach_worker)
    detail = _page(client.get(reverse("outreach:contact_detail", args=[contact.pk])))
    assert "Personen har inte samtyckt till att länkas" in detail
    assert "Registrera samtycke" in detail
    url = reverse("outreach:referral_create", args=[contact.pk])
    assert "Personen har inte samtyckt" in _page(client.get(url))
    response = client.post(url, {"to_coordinator": ""})
    assert response.status_code == 400
    assert "Registrera först samtycket på kontakten." in _page(response)
    assert not Referral.objects.exists()


def test_a_presumed_minor_is_referred_without_consent_and_flagged(
    client, outreach_worker, coordinator
):
    child = OutreachContactFactory.create(
        created_by=outreach_worker, consent=ReferralConsent.NOT_ASKED, age_group=AgeGroup.UNDER_18
    )
    client.force_login(outreach_worker)
    url = reverse("outreach:referral_create", args=[child.pk])
    assert "flaggas för koordinatorerna" in _page(client.get(url))
    assert client.post(url, {"to_coordinator": ""}).status_code == 302
    client.force_login(coordinator)
    inbox = _page(client.get(reverse("outreach:referral_list")))
    assert "Antas vara under 18" in inbox
    assert "table-danger" in inbox


def test_withdrawing_through_the_page(client, referral, contact, outreach_worker, coordinator):
    client.force_login(outreach_worker)
    response = client.post(reverse("outreach:referral_withdraw", args=[referral.pk]))
    assert response.url == reverse("outreach:contact_detail", args=[contact.pk])
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert referral.withdrawn_by == outreach_worker
    again = client.post(reverse("outreach:referral_withdraw", args=[referral.pk]), follow=True)
    assert "Uppsökaren återkallade länkningen" in _page(again)
    client.force_login(coordinator)
    assert "Inga länkningar matchar filtren." in _page(
        client.get(reverse("outreach:referral_list"))
    )


# --- The inbox and its count -----------------------------------------------------------------------


def _referred(worker, **referral_kwargs):
    contact = OutreachContactFactory.create(created_by=worker)
    return services.referral_create(contact=contact, by=worker, **referral_kwargs)


REFERRAL_COUNT = 'SELECT COUNT(*) AS "__count" FROM "outreach_referral"'


def _get_counting_referrals(client, url: str, data: dict | None = None) -> tuple[str, int]:
    """The page at `url`, and how many COUNT queries over the referrals its request ran."""
    with CaptureQueriesContext(connection) as queries:
        page = _page(client.get(url, data or {}))
    return page, sum(1 for q in queries.captured_queries if q["sql"].startswith(REFERRAL_COUNT))


def _nav_count(page: str) -> str | None:
    match = re.search(r"Länkningar <span[^>]*>(\d+)<", page)
    return match.group(1) if match else None


def test_the_navigation_counts_waiting_referrals_to_me_or_everyone(
    client, outreach_worker, coordinator, other_coordinator
):
    _referred(outreach_worker)
    _referred(outreach_worker, to_coordinator=coordinator)
    _referred(outreach_worker, to_coordinator=other_coordinator)  # not Karin's
    declined = _referred(outreach_worker)
    services.referral_decline(referral=declined, by=other_coordinator, reason="Nej")
    client.force_login(coordinator)
    page = _page(client.get(reverse("home:start_coordinator")))
    assert _nav_count(page) == "2"
    assert "Nya länkningar" in page
    client.force_login(other_coordinator)
    assert _nav_count(_page(client.get(reverse("casework:case_list")))) == "2"
    client.force_login(outreach_worker)  # no count for outreach staff
    assert _nav_count(_page(client.get(reverse("home:start_outreach")))) is None


def test_the_inbox_lists_the_oldest_waiting_first_and_filters(
    client, outreach_worker, coordinator, other_coordinator
):
    older = _referred(outreach_worker)
    newer = _referred(outreach_worker, to_coordinator=coordinator)
    theirs = _referred(outreach_worker, to_coordinator=other_coordinator)
    Referral.objects.filter(pk=older.pk).update(referred_at=timezone.now() - timedelta(days=2))
    client.force_login(coordinator)
    page = _page(client.get(reverse("outreach:referral_list")))
    detail = [reverse("outreach:referral_detail", args=[r.pk]) for r in (older, newer, theirs)]
    assert page.index(detail[0]) < page.index(detail[1])
    assert detail[2] not in page  # named to a colleague: not in "to me or everyone"
    everyone = _page(client.get(reverse("outreach:referral_list"), {"status": "pending"}))
    assert detail[2] in everyone
    partial = client.get(
        reverse("outreach:referral_list"), {"status": "pending"}, HTTP_HX_REQUEST="true"
    )
    assert "<table" in _page(partial)
    assert "<html" not in _page(partial)


def test_the_inbox_and_the_navigation_share_one_count(
    client, outreach_worker, coordinator, other_coordinator
):
    """The inbox's paging and the navigation's badge count the same referrals (waiting, to me or
    to everyone): one COUNT for both; any other filter is counted on its own."""
    for _ in range(26):
        _referred(outreach_worker)
    _referred(outreach_worker, to_coordinator=coordinator)
    _referred(outreach_worker, to_coordinator=other_coordinator)  # not in my inbox
    declined = _referred(outreach_worker)
    services.referral_decline(referral=declined, by=coordinator, reason="Nej")
    client.force_login(coordinator)
    inbox = reverse("outreach:referral_list")
    client.get(inbox)  # warm the session

    page, counts = _get_counting_referrals(client, inbox)
    assert counts == 1
    assert _nav_count(page) == "27"
    assert "27 länkningar" in page
    assert "Sida 1 av 2" in page
    second = _page(client.get(inbox, {"status": "pending", "addressed": "mine", "page": 2}))
    assert "27 länkningar" in second
    assert "Sida 2 av 2" in second
    # Everyone's waiting referrals: the list counts 28, the badge still 27.
    everyone, counts = _get_counting_referrals(client, inbox, {"status": "pending"})
    assert counts == 2
    assert "28 länkningar" in everyone
    assert _nav_count(everyone) == "27"
    # The start page lists the oldest five and counts the rest once, for itself and the badge.
    start, counts = _get_counting_referrals(client, reverse("home:start_coordinator"))
    assert counts == 1
    assert _nav_count(start) == "27"
    assert re.search(r"Nya länkningar <span[^>]*>27<", start)


def test_a_start_page_with_few_waiting_referrals_counts_none(client, outreach_worker, coordinator):
    for _ in range(3):
        _referred(outreach_worker)
    client.force_login(coordinator)
    start_url = reverse("home:start_coordinator")
    client.get(start_url)  # warm the session
    start, counts = _get_counting_referrals(client, start_url)
    assert counts == 0
    assert _nav_count(start) == "3"
    assert re.search(r"Nya länkningar <span[^>]*>3<", start)


def test_the_inbox_query_count_does_not_grow(
    client, outreach_worker, coordinator, django_assert_max_num_queries
):
    case = CaseFactory.create(coordinator=coordinator)

    def fill(count):
        for index in range(count):
            referral = _referred(outreach_worker)
            if index % 3 == 0:
                services.referral_accept_into_case(referral=referral, by=coordinator, case=case)
            elif index % 3 == 1:
                services.referral_decline(referral=referral, by=coordinator, reason="Nej")

    client.force_login(coordinator)
    client.get(reverse("outreach:referral_list"))  # warm the session
    fill(3)
    # session, user, roles, count, page (with contacts and cases), the staff the rows name (one
    # query for all: accounts.staff), indicators, access log, the waiting count in the
    # navigation, unread notifications
    with django_assert_max_num_queries(10):
        small = client.get(reverse("outreach:referral_list"), {"status": ""})
    fill(40)
    with django_assert_max_num_queries(10):
        large = client.get(reverse("outreach:referral_list"), {"status": ""})
    assert "3 länkningar" in _page(small)
    assert "43 länkningar" in _page(large)


def test_the_contact_list_query_count_does_not_grow(
    client, outreach_worker, manager, django_assert_max_num_queries
):
    for _ in range(60):
        OutreachContactFactory.create(created_by=outreach_worker)
    for user in (outreach_worker, manager):
        client.force_login(user)
        client.get(reverse("outreach:contact_list"))  # warm the session
        # session, user, roles, unread notifications, count, page, indicators, access log, the
        # districts (and for managers the staff present and the staff filter's choices)
        with django_assert_max_num_queries(11):
            response = client.get(reverse("outreach:contact_list"))
        assert "60 kontakter" in _page(response)


# --- Handling a referral through the pages ----------------------------------------------------------


def test_accepting_into_a_found_case_then_the_timeline_shows_the_referral(
    client, referral, contact, outreach_worker, coordinator
):
    case = casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Rosa", "birth_year": 1994},
        coordinator=coordinator,
        opened_on=date(2025, 3, 1),
        origin=Origin.POLICE,
    )
    client.force_login(coordinator)
    url = reverse("outreach:referral_detail", args=[referral.pk])
    page = _page(client.post(url, {"q": "Rosa"}))
    assert f"Ta emot i ärende {case.number}" in page
    found = client.post(url, {"q": case.individual.reference}, HTTP_HX_REQUEST="true")
    assert case.number in _page(found)
    assert "<html" not in _page(found)
    response = client.post(
        reverse("outreach:referral_accept_case", args=[referral.pk]), {"case": case.pk}
    )
    assert response.url == reverse("casework:case_detail", args=[case.pk])
    timeline = _page(client.get(response.url))
    assert f"Länkningen togs emot i ärende {case.number}." in timeline
    assert "Länkning från uppsökande arbete" in timeline
    assert "Uppsökande kontakt" in timeline
    assert "Gata, Norrmalm" in timeline
    assert f"Mottagen {timezone.localtime(referral.referred_at):%Y-%m-%d}" in timeline
    # Outreach staff see that it was accepted, and nothing of the case.
    client.force_login(outreach_worker)
    mine = _page(client.get(reverse("outreach:contact_detail", args=[contact.pk])))
    assert "Mottagen" in mine
    assert "Karin" in mine
    assert case.number not in mine
    assert case.individual.reference not in mine
    assert "/cases/" not in mine
    start = _page(client.get(reverse("home:start_outreach")))
    assert "Mottagen" in start
    assert case.number not in start


def test_searching_a_protected_name_finds_nothing_for_other_coordinators(
    client, referral, coordinator, other_coordinator
):
    casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "alias": "Stella",
            "given_name": "Hemliga",
            "family_name": "Namnet",
            "birth_year": 1990,
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=coordinator,
        opened_on=date(2025, 3, 1),
        origin=Origin.POLICE,
    )
    client.force_login(other_coordinator)
    url = reverse("outreach:referral_detail", args=[referral.pk])
    assert "Inget ärende matchar sökningen." in _page(client.post(url, {"q": "Hemliga"}))
    by_alias = _page(client.post(url, {"q": "Stella"}))
    assert "Stella" in by_alias
    assert "Hemliga" not in by_alias
    assert "Skyddad" in by_alias


def test_accepting_with_a_new_individual_prefilled_from_the_contact(
    client, outreach_worker, coordinator
):
    child = OutreachContactFactory.create(
        created_by=outreach_worker,
        alias="Mira",
        age_group=AgeGroup.UNDER_18,
        consent=ReferralConsent.NOT_ASKED,
        presumed_nationality="BG",
    )
    referral = services.referral_create(contact=child, by=outreach_worker)
    client.force_login(coordinator)
    url = reverse("outreach:referral_accept_new", args=[referral.pk])
    form = _page(client.get(url))
    assert 'value="Mira"' in form
    assert '<option value="minor" selected>' in form  # the age group suggests the category
    assert '<option value="BG" selected>' in form
    assert 'name="case-origin"' not in form  # always "referral from outreach"
    data = {
        "ind-alias": "Mira",
        "ind-sex": "female",
        "ind-birth_year": "2010",
        "ind-citizenship": "BG",
        "ind-protection": "none",
        "case-category": "minor",
        "case-opened_on": timezone.localdate().isoformat(),
        "case-coordinator": coordinator.pk,
        "case-offence": "unclear",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert response.url == reverse("casework:case_detail", args=[case.pk])
    assert (case.origin, case.category, case.individual.alias) == (
        "outreach_referral",
        "minor",
        "Mira",
    )
    referral.refresh_from_db()
    assert (referral.status, referral.case) == ("accepted", case)
    # A second coordinator with the same form open: a clear message, nothing created.
    other = UserFactory.create(username="erik", first_name="Erik", roles=[Role.COORDINATOR])
    client.force_login(other)
    response = client.post(url, {**data, "case-coordinator": other.pk})
    assert response.status_code == 409
    page = _page(response)
    assert "tog emot länkningen" in page
    assert "före dig. Inget sparades för din del." in page
    assert Case.objects.count() == 1
    assert Individual.objects.count() == 1


def test_a_bad_accept_form_gets_swedish_errors_and_creates_nothing(client, referral, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("outreach:referral_accept_new", args=[referral.pk]),
        {"ind-alias": "Rosa", "ind-sex": "female", "ind-protection": "none", "case-opened_on": ""},
    )
    assert response.status_code == 400
    page = _page(response)
    assert "Formuläret kunde inte sparas" in page
    assert "Detta fält måste fyllas i." in page
    assert not Case.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_accepting_into_a_new_case_for_a_registered_person(client, referral, coordinator):
    earlier = CaseFactory.create(
        coordinator=coordinator, closed_on=date(2024, 5, 1), closing_reason="completed"
    )
    client.force_login(coordinator)
    url = reverse("outreach:referral_accept_new", args=[referral.pk])
    page = _page(client.get(url, {"individual": earlier.individual_id}))
    assert earlier.individual.reference in page
    assert 'name="ind-alias"' not in page
    response = client.post(
        url,
        {
            "individual": earlier.individual_id,
            "case-category": "adult",
            "case-opened_on": timezone.localdate().isoformat(),
            "case-coordinator": coordinator.pk,
            "case-offence": "unclear",
        },
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.case is not None
    assert referral.case.individual_id == earlier.individual_id
    assert Individual.objects.count() == 1


def test_declining_through_the_page(client, referral, contact, outreach_worker, coordinator):
    client.force_login(coordinator)
    url = reverse("outreach:referral_decline", args=[referral.pk])
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Ange varför länkningen avböjs." in _page(response)
    response = client.post(url, {"reason": "Personen bor i Huddinge"})
    assert response.url == reverse("outreach:referral_list")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    client.force_login(outreach_worker)
    page = _page(client.get(reverse("outreach:contact_detail", args=[contact.pk])))
    assert "Avböjd" in page
    assert "Personen bor i Huddinge" in page
    assert "Länka till koordinator" in page  # may be referred again


def test_accepting_a_closed_case_is_refused_on_the_page(client, referral, coordinator):
    closed = CaseFactory.create(
        coordinator=coordinator, closed_on=date(2024, 5, 1), closing_reason="completed"
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("outreach:referral_accept_case", args=[referral.pk]), {"case": closed.pk}
    )
    assert response.status_code == 400
    assert "är avslutat" in _page(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


# --- Managers -------------------------------------------------------------------------------------


def test_managers_read_everything_and_see_the_time_to_acceptance(
    client, referral, unreferred, coordinator, manager
):
    case = CaseFactory.create(coordinator=coordinator)
    Referral.objects.filter(pk=referral.pk).update(referred_at=timezone.now() - timedelta(hours=5))
    services.referral_accept_into_case(referral=referral, by=coordinator, case=case)
    client.force_login(manager)
    page = _page(client.get(reverse("outreach:referral_list")))
    assert "Tid från länkning till mottagande" in page
    assert "Median, timmar" in page
    assert re.search(r"<td class=\"text-end\">5,0</td>", page)
    assert case.number in page  # managers read cases
    assert "Hantera" not in page  # read-only
    contacts = _page(client.get(reverse("outreach:contact_list")))
    assert "Rosa" in contacts
    assert "Iris" in contacts
    detail = _page(client.get(reverse("outreach:referral_detail", args=[referral.pk])))
    assert "Avböj" not in detail


# --- Start pages and the access log -----------------------------------------------------------------


@time_machine.travel(datetime(2026, 11, 25, 14, 0, tzinfo=ZoneInfo("Europe/Stockholm")))
def test_the_outreach_start_page_is_phone_first(client, outreach_worker, other_outreach_worker):
    OutreachContactFactory.create(created_by=outreach_worker, alias="Veckans")  # Wednesday
    old = OutreachContactFactory.create(
        created_by=outreach_worker, alias="Förra", contacted_at=timezone.now() - timedelta(days=8)
    )
    OutreachContactFactory.create(created_by=other_outreach_worker, alias="Lenas")
    services.referral_create(contact=old, by=outreach_worker)
    client.force_login(outreach_worker)
    page = _page(client.get(reverse("home:start_outreach")))
    assert page.index("Ny kontakt") < page.index("Mina kontakter denna vecka")
    assert "btn-lg" in page
    contacts_this_week = page[
        page.index("Mina kontakter denna vecka") : page.index("Mina länkningar")
    ]
    assert "Veckans" in contacts_this_week
    assert "Förra" not in contacts_this_week  # last week: only under "my referrals"
    assert "Lenas" not in page
    assert "Mina länkningar" in page
    assert "Väntar" in page


def test_the_start_pages_query_counts_do_not_grow(
    client, outreach_worker, coordinator, other_coordinator, django_assert_max_num_queries
):
    case = CaseFactory.create(coordinator=coordinator)

    def fill(count):
        for index in range(count):
            referral = _referred(outreach_worker)
            if index % 4 == 0:
                services.referral_accept_into_case(
                    referral=referral, by=other_coordinator, case=case
                )
            elif index % 4 == 1:
                services.referral_decline(referral=referral, by=other_coordinator, reason="Nej")
            elif index % 4 == 2:
                services.referral_withdraw(referral=referral, by=outreach_worker)

    # Outreach: session, user, roles, my contacts this week (with indicators, offers, staff),
    # my referrals, access log, unread notifications. Coordinators: session, user, roles, my
    # open cases, new referrals (with indicators and the staff they name), their count (once
    # five or more wait; the navigation shows the same), access log, unread notifications, and
    # the reflection period's deadlines, their reminders and unacknowledged reminders, and the
    # access log of the cases the page shows.
    pages = [
        (outreach_worker, "home:start_outreach", 12),
        (coordinator, "home:start_coordinator", 14),
    ]
    fill(2)
    for user, url, most in pages:
        client.force_login(user)
        client.get(reverse(url))  # warm the session
        with django_assert_max_num_queries(most):
            client.get(reverse(url))
    fill(30)
    for user, url, most in pages:
        client.force_login(user)
        client.get(reverse(url))  # warm the session (the idle timer saves it now and then)
        with django_assert_max_num_queries(most):
            response = client.get(reverse(url))
        assert response.status_code == 200


def test_the_coordinator_start_page_lists_new_referrals(client, outreach_worker, coordinator):
    child = OutreachContactFactory.create(
        created_by=outreach_worker,
        alias="Liten",
        age_group=AgeGroup.UNDER_18,
        consent=ReferralConsent.NOT_ASKED,
    )
    referral = services.referral_create(contact=child, by=outreach_worker)
    client.force_login(coordinator)
    page = _page(client.get(reverse("home:start_coordinator")))
    assert "Nya länkningar" in page
    assert "Liten" in page
    assert "Antas vara under 18" in page
    assert reverse("outreach:referral_detail", args=[referral.pk]) in page


def test_every_read_of_a_contact_is_logged(
    client, referral, contact, unreferred, outreach_worker, coordinator, manager
):
    case = CaseFactory.create(coordinator=coordinator)
    services.referral_accept_into_case(referral=referral, by=coordinator, case=case)
    client.force_login(coordinator)
    client.get(reverse("outreach:contact_detail", args=[contact.pk]))
    client.get(reverse("outreach:referral_detail", args=[referral.pk]))
    entry = (
        AccessLogEntry.objects.filter(user=coordinator, object_type=CONTACT_TYPE)
        .order_by("at", "pk")
        .first()
    )
    assert entry is not None
    assert (entry.action, entry.object_id, entry.individual_id) == (
        "view",
        str(contact.pk),
        case.individual_id,
    )
    assert entry.view_name == "outreach:contact_detail"
    assert AccessLogEntry.objects.filter(user=coordinator, object_type=CONTACT_TYPE).count() == 2
    client.force_login(manager)
    client.post(reverse("outreach:contact_list"), {"q": "Iris"})
    (search,) = AccessLogEntry.objects.filter(user=manager, object_type=CONTACT_TYPE)
    assert (search.action, search.object_id, search.individual_id) == (
        "search",
        str(unreferred.pk),
        None,
    )
    client.force_login(outreach_worker)
    client.get(reverse("outreach:contact_list"))
    logged = set(
        AccessLogEntry.objects.filter(user=outreach_worker, object_type=CONTACT_TYPE).values_list(
            "object_id", flat=True
        )
    )
    assert logged == {str(contact.pk), str(unreferred.pk)}


def test_contacts_of_other_workers_never_reach_an_outreach_worker(
    client, outreach_worker, other_outreach_worker
):
    mine = OutreachContactFactory.create(created_by=outreach_worker, alias="Min")
    together = OutreachContactFactory.create(
        created_by=other_outreach_worker,
        alias="Tillsammans",
        staff=[other_outreach_worker, outreach_worker],
    )
    OutreachContactFactory.create(created_by=other_outreach_worker, alias="Hennes")
    OutreachContactFactory.create(
        created_by=outreach_worker, alias="Loggad", staff=[other_outreach_worker]
    )
    client.force_login(outreach_worker)
    page = _page(client.get(reverse("outreach:contact_list")))
    assert "Min" in page
    assert "Tillsammans" in page  # present, so one of mine
    assert "Loggad" in page  # logged by me, though not present
    assert "Hennes" not in page
    assert "3 kontakter" in page
    assert client.get(reverse("outreach:contact_detail", args=[together.pk])).status_code == 200
    assert client.get(reverse("outreach:contact_detail", args=[mine.pk])).status_code == 200
