"""Who may see a protected identity: an explicit, recorded authorisation for that person.

Managers hold it implicitly; everyone else, the responsible coordinator included, needs an
authorisation a manager granted (or the one Lotsa recorded when the person was registered with
protection, or when authorisations were introduced). Opening a case, accepting a referral, the
duplicate check's "Öppna ärendet för …" and reassigning a case never grant it; without an
authorisation those four are refused with a Swedish message, the managers are told, and the
identity stays masked on every page, list, search, export, PDF and history.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessLogEntry, Notification
from accounts.notifications import notification_text
from accounts.roles import Role
from casework import services as casework_services
from casework.models import Case, IdentityAuthorisation, Individual, Origin, Protection
from casework.selectors import identity_access, may_see_identity
from outreach import services as outreach_services
from outreach.models import District, Referral, ReferralStatus
from reflection_period import services as reflection_services
from tests.factories import IndividualFactory, UserFactory

NAME = ("Zelmira", "Skyddeborg")
PERSONAL_NUMBER = "19850607-1235"
PHONE = "073-555 12 34"
SECRETS = [*NAME, PERSONAL_NUMBER, "198506071235", "1985-06-07", PHONE]
ALIAS = "Fjärilen"
REFUSED = "En chef måste"  # the start of the refusal message, whatever the action


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def people(db):
    return {
        "responsible": UserFactory.create(username="karin", roles=[Role.COORDINATOR]),
        "other": UserFactory.create(username="samira", roles=[Role.COORDINATOR]),
        "colleague": UserFactory.create(username="per", roles=[Role.COORDINATOR]),
        "outreach": UserFactory.create(username="jonas", roles=[Role.OUTREACH]),
        "manager": UserFactory.create(username="maria", roles=[Role.MANAGER]),
        "second_manager": UserFactory.create(username="mats", roles=[Role.MANAGER]),
    }


def _contact(worker, alias: str, days_ago: int):
    return outreach_services.contact_create(
        by=worker,
        contacted_at=timezone.now() - timedelta(days=days_ago),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[worker],
        alias=alias,
        consent="yes",
    )


@pytest.fixture
def world(people):
    """A person with protected registration, registered by the responsible coordinator (who
    so holds an authorisation), with a journal entry, an application waiting for a decision,
    an accepted referral and one waiting in the inbox."""
    responsible = people["responsible"]
    today = timezone.localdate()
    case = casework_services.case_open_with_new_individual(
        by=responsible,
        individual_fields={
            "alias": ALIAS,
            "given_name": NAME[0],
            "family_name": NAME[1],
            "personal_number": PERSONAL_NUMBER.replace("-", ""),
            "date_of_birth": date(1985, 6, 7),
            "phone": PHONE,
            "sex": "female",
            "citizenship": "RO",
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=responsible,
        opened_on=date(today.year, 1, 10),
        origin=Origin.OUTREACH_REFERRAL,
        offence="trafficking",
        purposes=["sexual"],
    )
    casework_services.journal_entry_create(
        case=case, author=responsible, entry_date=today, kind="meeting", text="Möte"
    )
    application = reflection_services.application_create(
        case=case,
        by=responsible,
        offence="trafficking",
        purposes=["sexual"],
        submitted_on=today - timedelta(days=10),
    )
    worker = people["outreach"]
    accepted = outreach_services.referral_create(
        contact=_contact(worker, "Kontakten", 20), by=worker
    )
    outreach_services.referral_accept_into_case(referral=accepted, by=responsible, case=case)
    waiting = outreach_services.referral_create(contact=_contact(worker, "Väntande", 1), by=worker)
    Notification.objects.all().delete()  # the referrals' own notifications
    mail.outbox.clear()
    return {
        "case": case,
        "individual": case.individual,
        "application": application,
        "waiting": waiting,
    }


def _everywhere(client, world) -> dict[str, str]:
    """Every page, list, search, export, PDF and history a coordinator can open that could show
    the person, as text (the text typed into a search field taken out)."""
    individual = world["individual"]
    application, waiting = world["application"], world["waiting"]
    texts: dict[str, str] = {}

    def page(name: str, response, typed: str = "") -> None:
        body = response.content.decode("utf-8-sig")
        texts[name] = body.replace(f'value="{typed}"', "") if typed else body

    page("start", client.get(reverse("home:start_coordinator")))
    page("case list", client.get(reverse("casework:case_list"), {"status": ""}))
    page(
        "case list, htmx",
        client.post(reverse("casework:case_list"), {"status": ""}, HTTP_HX_REQUEST="true"),
    )
    for text in (ALIAS, *NAME, " ".join(NAME)):
        page(
            f"search {text}",
            client.post(reverse("casework:case_list"), {"status": "", "q": text}),
            text,
        )
        page(f"csv {text}", client.post(reverse("casework:case_export"), {"status": "", "q": text}))
        page(
            f"referral search {text}",
            client.post(
                reverse("outreach:referral_detail", args=[waiting.pk]),
                {"q": text},
                HTTP_HX_REQUEST="true",
            ),
            text,
        )
    page("csv", client.post(reverse("casework:case_export"), {"status": ""}))
    page(
        "deadline board",
        client.get(reverse("reflection_period:deadline_board"), {"scope": "unit"}),
    )
    page("referral inbox", client.get(reverse("outreach:referral_list"), {"status": ""}))
    for other_case in Case.objects.filter(individual=individual):
        page(
            f"case {other_case.number}",
            client.get(reverse("casework:case_detail", args=[other_case.pk])),
        )
        page(
            f"case history {other_case.number}",
            client.get(reverse("casework:case_history", args=[other_case.pk])),
        )
    page("individual", client.get(reverse("casework:individual_detail", args=[individual.pk])))
    page(
        "application",
        client.get(reverse("reflection_period:application_detail", args=[application.pk])),
    )
    pdf = client.get(reverse("reflection_period:application_pdf", args=[application.pk]))
    texts["application pdf"] = (
        _pdf_text(pdf.content) if pdf.status_code == 200 else pdf.content.decode()
    )
    page("notifications", client.get(reverse("notifications")))
    return texts


def assert_masked_everywhere(client, world) -> None:
    texts = _everywhere(client, world)
    for name, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (name, secret)
    assert "*****" in texts["individual"]
    assert world["case"].number in texts["case list"]  # the pages did show the case


def assert_visible(client, world) -> None:
    texts = _everywhere(client, world)
    full_name = " ".join(NAME)
    for name in ("case list", "csv", f"search {ALIAS}", "deadline board", "individual"):
        assert full_name in texts[name], name
    assert PERSONAL_NUMBER in texts["application pdf"]
    assert world["case"].number in texts[f"search {NAME[1]}"]


def _refusals(manager) -> int:
    return Notification.objects.filter(
        recipient=manager, kind__startswith="casework.identity_refused"
    ).count()


# --- Who sees it ----------------------------------------------------------------------------------


def test_the_coordinator_who_registered_the_person_holds_an_authorisation(client, people, world):
    authorisation = IdentityAuthorisation.objects.get(
        individual=world["individual"], user=people["responsible"]
    )
    assert authorisation.basis == IdentityAuthorisation.Basis.REGISTERED
    assert authorisation.revoked_at is None
    client.force_login(people["responsible"])
    assert_visible(client, world)


def test_registering_a_protected_person_is_told_to_the_managers(people):
    """The authorisation recorded at registration is a grant like any other: logged and told
    (the demo data, which registers people in bulk, tells no one)."""

    def register(alias, **options):
        return casework_services.case_open_with_new_individual(
            by=people["responsible"],
            individual_fields={
                "alias": alias,
                "birth_year": 1990,
                "protection": "fictitious_identity",
            },
            coordinator=people["colleague"],
            opened_on=date(2024, 3, 1),
            origin=Origin.POLICE,
            **options,
        )

    told = Notification.objects.filter(kind="casework.identity_authorisation_registered")
    case = register("Tranan")
    assert set(told.values_list("recipient", flat=True)) == {
        people["manager"].pk,
        people["second_manager"].pk,
    }
    assert may_see_identity(people["colleague"], case.individual)  # the case's coordinator
    assert not may_see_identity(people["responsible"], case.individual)  # who typed it in
    row = AccessLogEntry.objects.get(action="grant", individual_id=case.individual_id)
    assert row.user == people["responsible"]
    register("Storken", send_notifications=False)
    assert told.count() == 2


def test_managers_see_it_without_an_authorisation(client, people, world):
    assert not IdentityAuthorisation.objects.filter(user=people["manager"]).exists()
    client.force_login(people["manager"])
    page = client.get(reverse("casework:individual_detail", args=[world["individual"].pk]))
    for secret in (*NAME, PERSONAL_NUMBER, PHONE):
        assert secret in page.content.decode()


def test_other_coordinators_see_it_nowhere(client, people, world):
    client.force_login(people["other"])
    assert_masked_everywhere(client, world)


def test_a_responsible_coordinator_without_an_authorisation_does_not_see_it(client, people, world):
    """Being named responsible coordinator is not an authorisation: the manager reassigns the
    case, and the new coordinator sees the identity once a manager has granted it."""
    manager, other = people["manager"], people["other"]
    casework_services.case_reassign(case=world["case"], coordinator=other, by=manager)
    client.force_login(other)
    assert_masked_everywhere(client, world)
    casework_services.identity_authorisation_grant(
        individual=world["individual"], user=other, by=manager, reason="Tar över ärendet."
    )
    client.force_login(other)
    assert_visible(client, world)


def test_one_helper_decides_for_every_page(people, world):
    individual = world["individual"]
    assert may_see_identity(people["manager"], individual)
    assert may_see_identity(people["responsible"], individual)
    assert not may_see_identity(people["other"], individual)
    assert not may_see_identity(people["outreach"], individual)
    access = identity_access(people["other"])
    assert access.identity(individual).masked
    assert access.identity(IndividualFactory.create(given_name="Öppen")).masked is False


# --- The four ways that used to reveal it, refused ------------------------------------------------


def _open_a_case_for_the_person(client, people, world):
    return client.post(
        reverse("casework:case_open_for_individual", args=[world["individual"].pk]),
        {
            "coordinator": people["other"].pk,
            "category": "relative",
            "opened_on": timezone.localdate().isoformat(),
            "origin": "police",
            "offence": "unclear",
        },
    )


def _open_the_case_after_the_duplicate_check(client, people, world):
    return client.post(
        reverse("casework:case_create"),
        {
            "ind-alias": ALIAS,
            "ind-birth_year": "1985",
            "ind-sex": "female",
            "ind-protection": "none",
            "case-coordinator": people["other"].pk,
            "case-category": "relative",
            "case-opened_on": timezone.localdate().isoformat(),
            "case-origin": "police",
            "case-offence": "unclear",
            "use_individual": world["individual"].pk,
        },
    )


def _accept_a_referral_with_a_new_case_for_the_person(client, people, world):
    url = reverse("outreach:referral_accept_new", args=[world["waiting"].pk])
    return client.post(
        f"{url}?individual={world['individual'].pk}",
        {
            "individual": world["individual"].pk,
            "case-coordinator": people["other"].pk,
            "case-category": "relative",
            "case-opened_on": timezone.localdate().isoformat(),
            "case-offence": "unclear",
        },
    )


def _accept_a_referral_into_the_persons_case(client, people, world):
    return client.post(
        reverse("outreach:referral_accept_case", args=[world["waiting"].pk]),
        {"case": world["case"].pk},
    )


def _reassign_the_case_to_oneself(client, people, world):
    return client.post(
        reverse("casework:case_reassign", args=[world["case"].pk]),
        {"coordinator": people["other"].pk, "note": "", "version": world["case"].version},
    )


ATTEMPTS = {
    "open a case": _open_a_case_for_the_person,
    "duplicate check": _open_the_case_after_the_duplicate_check,
    "accept: new case": _accept_a_referral_with_a_new_case_for_the_person,
    "accept: into the case": _accept_a_referral_into_the_persons_case,
    "reassign to oneself": _reassign_the_case_to_oneself,
}


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_without_an_authorisation_the_attempt_is_refused_and_the_identity_stays_masked(
    client, people, world, attempt
):
    other, manager = people["other"], people["manager"]
    client.force_login(other)
    cases_before = set(Case.objects.values_list("pk", "coordinator_id"))
    response = ATTEMPTS[attempt](client, people, world)
    assert response.status_code == 400, response.status_code
    assert REFUSED in response.content.decode(), attempt
    # Nothing changed: no case, the same coordinators, the referral still waiting.
    assert set(Case.objects.values_list("pk", "coordinator_id")) == cases_before
    assert Referral.objects.get(pk=world["waiting"].pk).status == ReferralStatus.PENDING
    assert not IdentityAuthorisation.objects.filter(user=other).exists()
    # Every manager is told (in the bell; the e-mail names nobody), and the log holds it.
    for each in (manager, people["second_manager"]):
        assert _refusals(each) == 1
    notification = Notification.objects.filter(recipient=manager).get()
    assert world["individual"].reference in notification.params.values()
    assert AccessLogEntry.objects.filter(
        user=other, action="refused", individual_id=world["individual"].pk
    ).exists()
    for message in mail.outbox:
        for secret in (*SECRETS, ALIAS, world["individual"].reference, world["case"].number):
            assert secret not in f"{message.subject} {message.body}"
    client.force_login(other)
    assert_masked_everywhere(client, world)


def test_an_authorised_coordinator_may_open_a_case_naming_a_colleague_who_still_needs_one(
    client, people, world
):
    responsible, colleague = people["responsible"], people["colleague"]
    client.force_login(responsible)
    response = client.post(
        reverse("casework:case_open_for_individual", args=[world["individual"].pk]),
        {
            "coordinator": colleague.pk,
            "category": "relative",
            "opened_on": timezone.localdate().isoformat(),
            "origin": "police",
            "offence": "unclear",
        },
    )
    assert response.status_code == 302
    assert Case.objects.filter(individual=world["individual"], coordinator=colleague).exists()
    assert not may_see_identity(colleague, world["individual"])
    client.force_login(colleague)
    assert_masked_everywhere(client, world)


def test_a_manager_reassigns_without_granting_and_is_reminded(client, people, world):
    manager, other = people["manager"], people["other"]
    client.force_login(manager)
    response = client.post(
        reverse("casework:case_reassign", args=[world["case"].pk]),
        {"coordinator": other.pk, "note": "", "version": world["case"].version},
        follow=True,
    )
    page = response.content.decode()
    assert "har ingen behörighet" in page
    assert Case.objects.get(pk=world["case"].pk).coordinator == other
    assert not may_see_identity(other, world["individual"])


def test_the_pages_say_a_manager_must_do_it_before_anyone_tries(client, people, world):
    client.force_login(people["other"])
    individual = world["individual"]
    for url in (
        reverse("casework:case_open_for_individual", args=[individual.pk]),
        reverse("outreach:referral_accept_new", args=[world["waiting"].pk])
        + f"?individual={individual.pk}",
        reverse("casework:case_reassign", args=[world["case"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert REFUSED in response.content.decode(), url
    assert _refusals(people["manager"]) == 0  # looking is not an attempt


# --- Granting and revoking from the individual's page ---------------------------------------------


def _grant(client, world, user, reason="Ska ta över ärendet under semestern."):
    return client.post(
        reverse("casework:identity_authorisation_grant", args=[world["individual"].pk]),
        {"user": user.pk, "reason": reason},
    )


def test_a_manager_grants_and_the_coordinator_then_sees_it(client, people, world):
    manager, other = people["manager"], people["other"]
    client.force_login(manager)
    response = _grant(client, world, other)
    assert response.status_code == 302
    authorisation = IdentityAuthorisation.objects.get(user=other, revoked_at__isnull=True)
    assert (authorisation.granted_by, authorisation.basis) == (
        manager,
        IdentityAuthorisation.Basis.GRANTED,
    )
    assert authorisation.reason == "Ska ta över ärendet under semestern."
    row = AccessLogEntry.objects.get(action="grant", user=manager)
    assert (row.user, row.individual_id, row.flagged) == (manager, world["individual"].pk, False)
    assert row.object_id == str(authorisation.pk)
    # Every other manager is told (the one who granted it knows).
    granted = Notification.objects.filter(kind="casework.identity_authorisation_granted")
    assert set(granted.values_list("recipient", flat=True)) == {people["second_manager"].pk}
    # The person's page lists it, and its history shows who granted it to whom.
    page = client.get(
        reverse("casework:individual_detail", args=[world["individual"].pk])
    ).content.decode()
    assert "Ska ta över ärendet under semestern." in page
    assert str(other) in page
    client.force_login(other)
    assert_visible(client, world)


def test_a_manager_revokes_and_the_coordinator_no_longer_sees_it(client, people, world):
    manager, responsible = people["manager"], people["responsible"]
    authorisation = IdentityAuthorisation.objects.get(user=responsible)
    client.force_login(manager)
    response = client.post(
        reverse(
            "casework:identity_authorisation_revoke",
            args=[world["individual"].pk, authorisation.pk],
        ),
        {"reason": "Byter enhet."},
    )
    assert response.status_code == 302
    authorisation.refresh_from_db()
    assert authorisation.revoked_by == manager
    assert authorisation.revoked_at is not None
    assert authorisation.revoke_reason == "Byter enhet."
    assert AccessLogEntry.objects.filter(action="revoke", user=manager).count() == 1
    assert Notification.objects.filter(
        recipient=people["second_manager"], kind="casework.identity_authorisation_revoked"
    ).exists()
    client.force_login(responsible)
    assert_masked_everywhere(client, world)
    # Revoked is revoked: the same link again changes nothing and says so.
    client.force_login(manager)
    again = client.post(
        reverse(
            "casework:identity_authorisation_revoke",
            args=[world["individual"].pk, authorisation.pk],
        ),
        {"reason": "Igen."},
    )
    assert again.status_code == 400
    assert AccessLogEntry.objects.filter(action="revoke").count() == 1


def test_a_grant_needs_a_reason_and_a_coordinator(client, people, world):
    client.force_login(people["manager"])
    response = _grant(client, world, people["other"], reason="  ")
    assert response.status_code == 400
    assert "Skriv varför" in response.content.decode()
    response = _grant(client, world, people["outreach"])
    assert response.status_code == 400
    assert not IdentityAuthorisation.objects.filter(
        user__in=[people["other"], people["outreach"]]
    ).exists()
    # Granting twice: the second is refused with a message, the first stays.
    assert _grant(client, world, people["other"]).status_code == 302
    assert _grant(client, world, people["other"]).status_code == 400
    assert IdentityAuthorisation.objects.filter(user=people["other"]).count() == 1


@pytest.mark.parametrize("who", ["responsible", "other", "outreach"])
def test_only_managers_grant_and_revoke(client, people, world, who):
    authorisation = IdentityAuthorisation.objects.get(user=people["responsible"])
    logged = AccessLogEntry.objects.filter(action__in=["grant", "revoke"]).count()
    client.force_login(people[who])
    grant = _grant(client, world, people["other"])
    revoke = client.post(
        reverse(
            "casework:identity_authorisation_revoke",
            args=[world["individual"].pk, authorisation.pk],
        ),
        {"reason": "x"},
    )
    expected = 404 if who == "outreach" else 403
    assert (grant.status_code, revoke.status_code) == (expected, expected)
    assert IdentityAuthorisation.objects.filter(revoked_at__isnull=True).count() == 1
    assert AccessLogEntry.objects.filter(action__in=["grant", "revoke"]).count() == logged


# --- When protection is set later -----------------------------------------------------------------


def test_setting_protection_keeps_the_open_cases_coordinators_and_no_one_else(people):
    responsible, other = people["responsible"], people["other"]
    case = casework_services.case_open_with_new_individual(
        by=responsible,
        individual_fields={"alias": "Lärkan", "given_name": "Ilona", "birth_year": 1990},
        coordinator=responsible,
        opened_on=date(2024, 3, 1),
        origin=Origin.POLICE,
    )
    closed = casework_services.case_open(
        individual=case.individual,
        by=other,
        coordinator=other,
        category="relative",
        opened_on=date(2024, 3, 2),
        origin=Origin.POLICE,
    )
    casework_services.case_close(
        case=closed, by=other, closed_on=date(2024, 4, 1), reason="completed"
    )
    person = Individual.objects.get(pk=case.individual_id)
    person = casework_services.individual_update(
        individual=person,
        by=responsible,
        expected_version=person.version,
        data={"protection": Protection.CONFIDENTIALITY_MARK},
    )
    assert may_see_identity(responsible, person)
    assert not may_see_identity(other, person)  # a closed case's coordinator
    kept = IdentityAuthorisation.objects.get(user=responsible)
    assert kept.basis == IdentityAuthorisation.Basis.PROTECTION_SET
    assert Notification.objects.filter(
        recipient=people["manager"], kind="casework.identity_authorisation_protection_set"
    ).exists()


def test_lifting_protection_is_told_to_the_managers_without_details_in_the_email(people):
    """Lifting the protection shows the identity to every reader of the person's cases: the
    managers are told who did it, in the bell; the e-mail says only that there is news."""
    responsible = people["responsible"]
    case = casework_services.case_open_with_new_individual(
        by=responsible,
        individual_fields={
            "alias": "Tärnan",
            "given_name": "Ilona",
            "birth_year": 1990,
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=responsible,
        opened_on=date(2024, 3, 1),
        origin=Origin.POLICE,
    )
    person = Individual.objects.get(pk=case.individual_id)
    mail.outbox.clear()
    casework_services.individual_update(
        individual=person,
        by=responsible,
        expected_version=person.version,
        data={"protection": Protection.NONE},
    )
    notice = Notification.objects.get(
        recipient=people["manager"], kind="casework.identity_protection_lifted"
    )
    text = notification_text(notice)
    assert person.reference in text
    assert str(responsible) in text
    assert not Notification.objects.filter(
        recipient=responsible, kind="casework.identity_protection_lifted"
    ).exists()
    assert all(
        "Ilona" not in message.body and person.reference not in message.body
        for message in mail.outbox
    )
    # Changing the level of a protection that stays is no news for the managers.
    person.refresh_from_db()
    casework_services.individual_update(
        individual=person,
        by=responsible,
        expected_version=person.version,
        data={"protection": Protection.CONFIDENTIALITY_MARK},
    )
    person.refresh_from_db()
    casework_services.individual_update(
        individual=person,
        by=responsible,
        expected_version=person.version,
        data={"protection": Protection.FICTITIOUS_IDENTITY},
    )
    assert (
        Notification.objects.filter(
            recipient=people["manager"], kind="casework.identity_protection_lifted"
        ).count()
        == 1
    )


# --- The duplicate check -------------------------------------------------------------------------

MATCH = "Lotsa hittade en möjlig träff som bara en chef kan kontrollera"


def _register(client, user, **person):
    return client.post(
        reverse("casework:case_create"),
        {
            "ind-sex": "female",
            "ind-protection": "none",
            "case-coordinator": user.pk,
            "case-category": "adult",
            "case-opened_on": timezone.localdate().isoformat(),
            "case-origin": "police",
            "case-offence": "unclear",
            **{f"ind-{name}": value for name, value in person.items()},
        },
    )


MATCHES: dict[str, dict[str, str | int]] = {
    "name and birth year": {"given_name": NAME[0], "family_name": NAME[1], "birth_year": 1985},
    "alias and birth year": {"alias": ALIAS, "birth_year": 1985},
    "personal number": {"alias": "Ny", "personal_number": PERSONAL_NUMBER},
}


@pytest.mark.parametrize("match", MATCHES)
def test_the_duplicate_check_says_only_that_a_manager_must_help(client, people, world, match):
    other, individual = people["other"], world["individual"]
    client.force_login(other)
    individuals = Individual.objects.count()
    response = _register(client, other, **MATCHES[match])
    page = response.content.decode()
    assert MATCH in page
    for typed in MATCHES[match].values():
        page = page.replace(f'value="{typed}"', "")
    for secret in (*SECRETS, individual.reference, world["case"].number, ">Skyddad</span>"):
        assert secret not in page, secret
    assert 'name="use_individual"' not in page
    assert 'name="confirm_new"' not in page
    # Logged as a check of the person, and the managers are told who needs help (once a day).
    assert AccessLogEntry.objects.filter(
        user=other, action="search", individual_id=individual.pk, flagged=True
    ).exists()
    told = Notification.objects.filter(kind="casework.identity_match_needs_manager")
    assert set(told.values_list("recipient", flat=True)) == {
        people["manager"].pk,
        people["second_manager"].pk,
    }
    assert individual.reference in told.get(recipient=people["manager"]).params.values()
    _register(client, other, **MATCHES[match])
    assert told.count() == 2
    assert Individual.objects.count() == individuals


def test_registering_anyway_is_refused_while_a_protected_person_may_match(client, people, world):
    """Registering a new person over a hidden match would copy a protected identity into an
    unprotected record: refused until a manager has helped."""
    other = people["other"]
    client.force_login(other)
    individuals = Individual.objects.count()
    response = client.post(
        reverse("casework:case_create"),
        {
            "ind-alias": ALIAS,
            "ind-birth_year": "1985",
            "ind-sex": "female",
            "ind-protection": "none",
            "case-coordinator": other.pk,
            "case-category": "adult",
            "case-opened_on": timezone.localdate().isoformat(),
            "case-origin": "police",
            "case-offence": "unclear",
            "confirm_new": "1",
        },
    )
    assert response.status_code == 400
    assert MATCH in response.content.decode()
    assert Individual.objects.count() == individuals


def test_an_authorised_coordinator_is_shown_the_match_as_before(client, people, world):
    responsible = people["responsible"]
    client.force_login(responsible)
    page = _register(client, responsible, **MATCHES["alias and birth year"]).content.decode()
    assert "Personen kan redan vara registrerad" in page
    assert world["individual"].reference in page
    assert f'name="use_individual" value="{world["individual"].pk}"' in page
    assert MATCH not in page
    page = _register(client, responsible, **MATCHES["personal number"]).content.decode()
    assert "En annan individ har redan detta nummer" in page


# --- Existing data --------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_authorises_the_coordinators_of_a_protected_persons_cases():
    """Nobody loses sight of a person they work with when authorisations begin: every
    coordinator of one of a protected person's cases, open or closed, gets one (recorded in
    the person's history, by Lotsa); nobody else does."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from tests.factories import CaseFactory

    karin, samira, per = (UserFactory.create(roles=[Role.COORDINATOR]) for _n in range(3))
    protected = IndividualFactory.create(protection=Protection.FICTITIOUS_IDENTITY)
    CaseFactory.create(individual=protected, coordinator=karin)
    CaseFactory.create(
        individual=protected,
        coordinator=samira,
        category="relative",
        closed_on=date(2024, 6, 1),
        closing_reason="completed",
    )
    CaseFactory.create(individual=protected, coordinator=karin, category="minor")
    CaseFactory.create(coordinator=per)  # an unprotected person
    executor = MigrationExecutor(connection)
    executor.migrate([("casework", "0008_case_search")])
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    granted = IdentityAuthorisation.objects.all()
    assert sorted((a.individual_id, a.user_id, a.basis) for a in granted) == sorted(
        [(protected.pk, karin.pk, "introduced"), (protected.pk, samira.pk, "introduced")]
    )
    assert all(a.in_force and a.granted_by is None for a in granted)
    versions = IdentityAuthorisation.history.filter(individual_id=protected.pk)
    assert sorted((v.user_id, v.history_type, v.history_user_id) for v in versions) == sorted(
        [(karin.pk, "+", None), (samira.pk, "+", None)]
    )
    assert may_see_identity(karin, protected)
    assert may_see_identity(samira, protected)
    assert not may_see_identity(per, protected)
