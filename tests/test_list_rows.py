"""The case list, the deadline board, the referral list and the contact list as their users see them: each row's
links, badges, dates and words, hostile text escaped, protected identities masked for those who
may not see them, and a fixed number of queries whatever the rows hold."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from casework import services as casework_services
from casework.models import ClosingReason, Language, Protection
from outreach import services as outreach_services
from outreach.models import AgeGroup, District, Environment, Indicator
from reflection_period import services as reflection_services
from tests.factories import OutreachContactFactory, UserFactory
from tests.reflection_period_helpers import draft, open_case, permit_ending_on, submitted

HOSTILE = '<script>alert("x")</script> & co'
HOSTILE_SHOWN = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"


def _rows(page: str) -> list[str]:
    """The list's rows (its table is the page's last), the template's whitespace made single
    spaces (a no-break space in the text is kept)."""
    body = page[page.rindex("<tbody>") : page.rindex("</tbody>")]
    return [re.sub(r"[ \t\r\n]+", " ", row) for row in re.findall(r"<tr.*?</tr>", body, re.S)]


def _row_with(page: str, text: str) -> str:
    found = [row for row in _rows(page) if text in row]
    assert len(found) == 1, (text, _rows(page))
    return found[0]


def _assert_no_raw_hostile_markup(page: str) -> None:
    assert "<script>alert" not in page
    assert "<b>" not in page


# --- The case list --------------------------------------------------------------------------------


@pytest.fixture
def hostile_coordinator(db):
    return UserFactory.create(
        username="hostile", first_name="<b>Bo</b>", last_name="& Co", roles=[Role.COORDINATOR]
    )


@pytest.fixture
def cases(coordinator, hostile_coordinator):
    """Closed with three purposes; open without purposes and with a hostile alias; a protected
    person of another coordinator (whose name is hostile too)."""
    closed = open_case(
        coordinator, purposes=("sexual", "labour", "begging"), given_name="Ana", alias=""
    )
    casework_services.case_close(
        case=closed, by=coordinator, closed_on=date(2024, 6, 1), reason=ClosingReason.OTHER
    )
    hostile = open_case(coordinator, purposes=(), alias=HOSTILE, opened_on=date(2024, 4, 2))
    protected = open_case(
        hostile_coordinator,
        purposes=("criminality",),
        given_name="Dolda",
        family_name="Person",
        alias="Skuggan",
        protection=Protection.PROTECTED_REGISTRATION,
    )
    return {"closed": closed, "hostile": hostile, "protected": protected}


def test_the_case_list_rows_link_name_and_badge_each_case(client, coordinator, cases) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("casework:case_list"), {"status": ""}).content.decode()
    assert len(_rows(page)) == 3

    closed = _row_with(page, cases["closed"].number)
    assert f'<a href="/cases/{cases["closed"].pk}/">{cases["closed"].number}</a>' in closed
    assert "<span>Ana</span>" in closed
    assert cases["closed"].individual.reference in closed
    assert "Vuxet brottsoffer" in closed  # the category's label
    # The purposes' labels in code order: begging, labour, sexual.
    assert (
        "Tiggeri, Tvångsarbete eller arbete under uppenbart orimliga villkor, Sexuella ändamål"
        in closed
    )
    assert "<td>Karin " in closed  # the coordinator
    assert '<td class="d-none d-md-table-cell">2024-03-01</td>' in closed
    assert '<span class="badge text-bg-secondary">Avslutat</span>' in closed

    hostile = _row_with(page, cases["hostile"].number)
    assert f"<span>{HOSTILE_SHOWN}</span>" in hostile
    assert '<td class="d-none d-md-table-cell small"></td>' in hostile  # no purposes
    assert '<td class="d-none d-md-table-cell">2024-04-02</td>' in hostile
    assert '<span class="badge text-bg-success">Öppet</span>' in hostile
    _assert_no_raw_hostile_markup(page)


def test_the_case_list_masks_a_protected_person_of_another_coordinator(
    client, coordinator, manager, hostile_coordinator, cases
) -> None:
    protected = cases["protected"]
    client.force_login(coordinator)
    page = client.get(reverse("casework:case_list"), {"status": ""}).content.decode()
    row = _row_with(page, protected.number)
    assert "Dolda" not in page
    assert "<span>Skuggan</span>" in row  # the alias stands in for the name
    assert '<span class="badge text-bg-warning" title="Skyddad folkbokföring">Skyddad</span>' in row
    assert "&lt;b&gt;Bo&lt;/b&gt; &amp; Co" in row  # the coordinator's name, escaped
    _assert_no_raw_hostile_markup(page)

    # The manager may see the person: the name, and no badge.
    client.force_login(manager)
    row = _row_with(
        client.get(reverse("casework:case_list"), {"status": ""}).content.decode(),
        protected.number,
    )
    assert "<span>Dolda Person</span>" in row
    assert "Skyddad</span>" not in row


def test_a_case_list_without_matches_says_so(client, coordinator, cases) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("casework:case_list"), {"status": "", "year": "2019"})
    assert _rows(page.content.decode()) == [
        '<tr><td colspan="7" class="text-body-secondary">Inga ärenden matchar filtren.</td></tr>'
    ]


def test_the_case_list_runs_a_fixed_number_of_queries_filtered_and_searched(
    client, coordinator, cases, django_assert_max_num_queries
) -> None:
    client.force_login(coordinator)
    url = reverse("casework:case_list")
    client.get(url)  # warm the session
    # session, user, roles, count, page, purposes, the reader's authorisations (a protected
    # person is on the page), access log, coordinators, unread notifications, the navigation's
    # count of waiting referrals
    with django_assert_max_num_queries(11):
        filtered = client.get(url, {"status": "", "sort": "-number"})
    assert len(_rows(filtered.content.decode())) == 3
    # a search: the rate limit and the matching ids in place of the count
    with django_assert_max_num_queries(12):
        searched = client.post(url, {"q": "IND-", "status": ""})
    assert len(_rows(searched.content.decode())) == 3


# --- The deadline board ---------------------------------------------------------------------------


@pytest.fixture
def deadlines(coordinator, other_coordinator):
    """A draft, a decision overdue (reminded), a permit ending, and a protected person's permit in
    another coordinator's case."""
    today = timezone.localdate()
    made = {
        "draft": draft(open_case(coordinator, alias=HOSTILE)),
        "decision": submitted(open_case(coordinator, alias="Väntar"), today - timedelta(days=30)),
        "permit": permit_ending_on(open_case(coordinator, alias="Slutar"), today + timedelta(2)),
        "protected": permit_ending_on(
            open_case(
                other_coordinator,
                alias="Skuggan",
                given_name="Dolda",
                protection=Protection.PROTECTED_REGISTRATION,
            ),
            today + timedelta(days=20),
        ),
    }
    reflection_services.reminders_scan()
    for application in made.values():
        application.refresh_from_db()
    return made


def test_the_board_rows_date_badge_word_and_link_each_deadline(
    client, coordinator, deadlines
) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:deadline_board")).content.decode()
    assert len(_rows(page)) == 3  # "mine": the other coordinator's case is not listed

    decision = deadlines["decision"]
    row = _row_with(page, decision.case.number)
    due = decision.due_on.isoformat()
    assert row.startswith('<tr class="table-danger">')
    assert f'<time datetime="{due}">{due}</time>' in row
    assert '<span class="badge text-bg-danger">Försenad</span>' in row
    assert (
        f'<a href="/reflection-period/{decision.pk}/">'
        f"Inget beslut efter 5 arbetsdagar – försenat sedan "
        f"{decision.overdue_on.day}\xa0"  # a date in a sentence never breaks (no-break space)
    ) in row
    assert f'<a href="/cases/{decision.case.pk}/">{decision.case.number}</a>' in row
    assert "<span>Väntar</span>" in row
    reminder = decision.reminders.order_by("-created_at").first()
    assert reminder is not None
    reminded_on = timezone.localdate(reminder.created_at).isoformat()
    assert f"{reminder.get_rule_display()} ({reminded_on})" in row

    permit = deadlines["permit"]
    row = _row_with(page, permit.case.number)
    assert f"Tillståndet går ut {permit.valid_to.day}\xa0" in row
    assert ", om 2 dagar – registrera nästa steg" in row

    application = deadlines["draft"]
    row = _row_with(page, application.case.number)
    assert (f"Utkastet ska skickas senast {application.due_on.day}\xa0") in row
    assert '<span class="badge text-bg-secondary">Utkast</span>' in row
    assert f"<span>{HOSTILE_SHOWN}</span>" in row
    assert '<td class="d-none d-md-table-cell small">–</td>' in row  # no reminder yet
    _assert_no_raw_hostile_markup(page)


def test_the_unit_board_masks_a_protected_person_of_another_coordinator(
    client, coordinator, manager, deadlines
) -> None:
    protected = deadlines["protected"]
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:deadline_board"), {"scope": "unit"})
    row = _row_with(page.content.decode(), protected.case.number)
    assert "Dolda" not in page.content.decode()
    assert "<span>Skuggan</span>" in row
    assert '<span class="badge text-bg-warning" title="Skyddad folkbokföring">Skyddad</span>' in row

    client.force_login(manager)
    page = client.get(reverse("reflection_period:deadline_board"), {"scope": "unit"})
    assert "<span>Dolda</span>" in _row_with(page.content.decode(), protected.case.number)


def test_an_empty_board_says_so(client, coordinator) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("reflection_period:deadline_board")).content.decode()
    assert _rows(page) == [
        '<tr><td colspan="7" class="text-body-secondary">Inget väntar. Inga öppna bevakningar.'
        "</td></tr>"
    ]


def test_the_board_runs_a_fixed_number_of_queries(
    client, coordinator, manager, deadlines, django_assert_max_num_queries
) -> None:
    for user, scope in ((coordinator, "mine"), (manager, "unit")):
        client.force_login(user)
        url = reverse("reflection_period:deadline_board")
        client.get(url, {"scope": scope})  # warm the session
        # session, user, roles, the open deadlines' count, the page's rows (with each one's
        # latest reminder), access log, unread notifications, the navigation's count of
        # waiting referrals
        with django_assert_max_num_queries(8):
            page = client.get(url, {"scope": scope}).content.decode()
        assert len(_rows(page)) == (3 if scope == "mine" else 4)


# --- The referral list ----------------------------------------------------------------------------


@pytest.fixture
def referrals(coordinator, outreach_worker):
    """One of each status: a presumed minor (hostile alias, an indicator, a language) waiting;
    one addressed to the coordinator, without an alias; accepted into a new case; declined;
    withdrawn by outreach."""

    def contact(**fields: object):
        return OutreachContactFactory.create(created_by=outreach_worker, **fields)

    minor = contact(
        alias=HOSTILE, age_group=AgeGroup.UNDER_18, language=Language.objects.get(code="ro")
    )
    minor.indicators.create(indicator=Indicator.DEBT)
    minor.indicators.create(indicator=Indicator.CONTROLLED)
    made = {"minor": outreach_services.referral_create(contact=minor, by=outreach_worker)}
    made["addressed"] = outreach_services.referral_create(
        contact=contact(alias="", description="Blå väska"),
        by=outreach_worker,
        to_coordinator=coordinator,
    )
    made["accepted"] = outreach_services.referral_create(
        contact=contact(alias="Mottagen"), by=outreach_worker
    )
    outreach_services.referral_accept_with_new_individual(
        referral=made["accepted"],
        by=coordinator,
        individual_fields={"alias": "Ny", "birth_year": 1990},
        coordinator=coordinator,
        opened_on=timezone.localdate(),
    )
    made["declined"] = outreach_services.referral_create(
        contact=contact(alias="Avböjd"), by=outreach_worker
    )
    outreach_services.referral_decline(referral=made["declined"], by=coordinator, reason="Fel")
    made["withdrawn"] = outreach_services.referral_create(
        contact=contact(alias="Borta"), by=outreach_worker
    )
    outreach_services.referral_withdraw(referral=made["withdrawn"], by=outreach_worker)
    for referral in made.values():
        referral.refresh_from_db()
    return made


def _minute(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_the_inbox_rows_as_a_coordinator_sees_them(client, coordinator, referrals) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("outreach:referral_list"), {"status": ""}).content.decode()
    assert len(_rows(page)) == 5

    minor = referrals["minor"]
    row = _row_with(page, HOSTILE_SHOWN)
    assert row.startswith('<tr class="table-danger">')  # a presumed minor, waiting
    url = f"/outreach/referrals/{minor.pk}/"
    assert f'<a href="{url}">{_minute(minor.referred_at)}</a>' in row
    assert "Gata, Norrmalm" in row  # the environment and the district
    assert f"{HOSTILE_SHOWN} · Under 18 · rumänska" in row
    assert '<span class="badge text-bg-danger">Antas vara under 18</span>' in row
    assert "Kontrolleras av andra, Skuld" in row  # the indicators, in code order
    assert "Gemensamma inkorgen" in row
    assert '<span class="badge text-bg-warning">Väntar</span>' in row
    assert f'<a class="btn btn-sm btn-primary" href="{url}">Hantera</a>' in row

    row = _row_with(page, "Blå väska")
    assert '<td class="d-none d-md-table-cell">Karin ' in row  # addressed to the coordinator
    assert "<tr>" in row

    accepted = referrals["accepted"]
    row = _row_with(page, "Mottagen ·")
    assert '<span class="badge text-bg-success">Mottagen</span>' in row
    assert _minute(accepted.accepted_at) in row
    assert f'<a href="/cases/{accepted.case_id}/">Ärende {accepted.case.number}</a>' in row
    assert "Hantera" not in row

    row = _row_with(page, "Avböjd ·")
    assert '<span class="badge text-bg-secondary">Avböjd</span>' in row
    assert (
        f'<span class="text-nowrap">{_minute(referrals["declined"].declined_at)}</span> · Karin '
    ) in row

    # Withdrawn by outreach: the coordinator no longer sees the contact.
    withdrawn = referrals["withdrawn"]
    row = _row_with(page, "Återkallad av uppsökaren: kontakten visas inte längre.")
    assert "Borta" not in page
    assert f'<span class="text-nowrap">{_minute(withdrawn.withdrawn_at)}</span> · Jonas ' in row
    assert '<span class="badge text-bg-light border">Återkallad</span>' in row
    _assert_no_raw_hostile_markup(page)


def test_outreach_staff_see_their_contacts_and_never_a_case(
    client, outreach_worker, referrals
) -> None:
    client.force_login(outreach_worker)
    page = client.get(reverse("outreach:referral_list"), {"status": ""}).content.decode()
    assert len(_rows(page)) == 5
    for referral in referrals.values():
        assert f'<a href="/outreach/contacts/{referral.contact_id}/">' in page
    assert "/outreach/referrals/" not in "".join(_rows(page))
    accepted = referrals["accepted"]
    assert accepted.case.number not in page
    assert "/cases/" not in page
    assert "Hantera" not in page
    assert "Borta" in page  # their own withdrawn contact
    _assert_no_raw_hostile_markup(page)


def test_managers_open_referrals_and_see_cases_but_handle_nothing(
    client, manager, referrals
) -> None:
    client.force_login(manager)
    page = client.get(reverse("outreach:referral_list"), {"status": ""}).content.decode()
    for referral in referrals.values():
        assert f'<a href="/outreach/referrals/{referral.pk}/">' in page
    accepted = referrals["accepted"]
    assert f'<a href="/cases/{accepted.case_id}/">Ärende {accepted.case.number}</a>' in page
    assert "Hantera" not in page
    assert "Borta" in page  # managers read every contact


def test_an_empty_referral_list_says_so(client, coordinator) -> None:
    client.force_login(coordinator)
    page = client.get(reverse("outreach:referral_list")).content.decode()
    assert _rows(page) == [
        '<tr><td colspan="5" class="text-body-secondary">Inga länkningar matchar filtren.</td></tr>'
    ]


# Session, user, roles, count, page (with contacts and cases), the staff the rows name,
# indicators, access log, unread notifications; for coordinators the navigation's count of
# waiting referrals, for managers the two queries of the time to acceptance.
@pytest.mark.parametrize(
    ("who", "most"), [("coordinator", 10), ("manager", 11), ("outreach_worker", 9)]
)
def test_the_referral_list_runs_a_fixed_number_of_queries(
    request, client, referrals, who: str, most: int, django_assert_max_num_queries
) -> None:
    client.force_login(request.getfixturevalue(who))
    url = reverse("outreach:referral_list")
    client.get(url, {"status": ""})  # warm the session
    with django_assert_max_num_queries(most):
        page = client.get(url, {"status": ""}).content.decode()
    assert len(_rows(page)) == 5


# --- The contact list -----------------------------------------------------------------------------


@pytest.fixture
def contacts(outreach_worker):
    """Two of the worker's own: one with two indicators, a hostile alias and a colleague present;
    one online (no district), without indicators, described rather than named."""
    colleague = UserFactory.create(
        username="kollega", first_name="Kim", last_name="Kollega", roles=[Role.OUTREACH]
    )
    marked = OutreachContactFactory.create(
        created_by=outreach_worker,
        alias=HOSTILE,
        age_group=AgeGroup.UNDER_18,
        staff=[outreach_worker, colleague],
    )
    marked.indicators.create(indicator=Indicator.VIOLENCE)
    marked.indicators.create(indicator=Indicator.CONTROLLED)
    online = OutreachContactFactory.create(
        created_by=outreach_worker,
        alias="",
        description="Blå väska",
        environment=Environment.ONLINE,
        district=None,
        contacted_at=timezone.now() - timedelta(days=1),
    )
    return {"marked": marked, "online": online}


def test_the_contact_list_rows_link_and_describe_each_contact(
    client, outreach_worker, manager, contacts
) -> None:
    client.force_login(outreach_worker)
    page = client.get(reverse("outreach:contact_list")).content.decode()
    _assert_no_raw_hostile_markup(page)
    marked, online = contacts["marked"], contacts["online"]
    first, second = _rows(page)
    assert f'<a href="/outreach/contacts/{marked.pk}/">' in first
    assert "Gata" in first
    assert "Norrmalm" in first
    assert HOSTILE_SHOWN in first
    assert "Under 18" in first
    # The indicators in code order, as the contact's page lists them.
    assert "Kontrolleras av andra, Tecken på våld" in first
    assert "Kim" not in page  # the staff column is the managers'
    assert f'<a href="/outreach/contacts/{online.pk}/">' in second
    assert "Annons på nätet" in second
    assert "Blå väska" in second
    assert '<td class="d-none d-md-table-cell small">–</td>' in second
    client.force_login(manager)
    page = client.get(reverse("outreach:contact_list")).content.decode()
    assert "Jonas" in _row_with(page, HOSTILE_SHOWN)
    assert "Kim Kollega" in _row_with(page, HOSTILE_SHOWN)


def test_the_contact_filters_show_the_chosen_values_and_the_districts_of_now(
    client, outreach_worker, contacts
) -> None:
    client.force_login(outreach_worker)
    url = reverse("outreach:contact_list")
    chosen = client.get(url, {"environment": "online"}).content.decode()
    assert '<option value="online" selected>' in chosen
    assert len(_rows(chosen)) == 1
    plain = client.get(url).content.decode()
    assert '<option value="online" selected>' not in plain
    assert "Nyby" not in plain
    District.objects.create(code="nyby", name="Nyby", sort_order=99)
    assert "Nyby" in client.get(url).content.decode()  # at once, in this process too
    wrong = client.get(url, {"year": "1999"}).content.decode()
    assert "1999" in wrong
    assert "invalid-feedback" in wrong


def test_the_contact_list_runs_a_fixed_number_of_queries(
    client, outreach_worker, manager, contacts, django_assert_num_queries
) -> None:
    for _ in range(20):
        OutreachContactFactory.create(created_by=outreach_worker).indicators.create(
            indicator=Indicator.DEBT
        )
    url = reverse("outreach:contact_list")
    # Session, user, roles, unread notifications, count, page, indicators, access log, the
    # districts (the filter bar's key); for managers the staff present and the staff filter.
    for user, queries in ((outreach_worker, 9), (manager, 11)):
        client.force_login(user)
        client.get(url)  # warm the session
        with django_assert_num_queries(queries):
            page = client.get(url).content.decode()
        assert len(_rows(page)) == 22
