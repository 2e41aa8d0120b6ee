"""The rules of outreach, as the services enforce them: contacts, the consent rule, the
referral's transitions (including two coordinators accepting at the same moment), notifications
and the time from referral to acceptance."""

from __future__ import annotations

import random
import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import Notification
from accounts.notifications import notification_text
from accounts.roles import Role
from casework import services as casework_services
from casework.models import Case, CaseEvent, Category, ClosingReason, Individual, Origin
from outreach import services
from outreach.models import (
    AgeGroup,
    ContactIndicator,
    ContactOffer,
    District,
    Environment,
    Indicator,
    Offer,
    OutreachContact,
    Referral,
    ReferralConsent,
    ReferralStatus,
)
from outreach.selectors import acceptance_times, percentile_cont
from tests.factories import CaseFactory, OutreachContactFactory, UserFactory

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.fixture
def other_outreach_worker(db):
    return UserFactory.create(username="lena", first_name="Lena", roles=[Role.OUTREACH])


@pytest.fixture
def norrmalm(db):
    return District.objects.get(code="norrmalm")


@pytest.fixture
def contact(outreach_worker):
    return OutreachContactFactory.create(created_by=outreach_worker, alias="Rosa")


def _messages(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return " ".join(error.value.messages)


def _create(by, **overrides):
    arguments = {
        "by": by,
        "contacted_at": timezone.now() - timedelta(minutes=5),
        "environment": Environment.STREET,
        "district": District.objects.get(code="sodermalm"),
        "staff": [by],
    }
    arguments.update(overrides)
    return services.contact_create(**arguments)


# --- Contacts -------------------------------------------------------------------------------------


def test_a_contact_is_stored_with_its_checklists_and_staff(outreach_worker, other_outreach_worker):
    contact = _create(
        outreach_worker,
        staff=[outreach_worker, other_outreach_worker],
        alias=" Rosa ",
        age_group=AgeGroup.FROM_18_TO_25,
        indicators=[Indicator.DEBT, Indicator.NO_DOCUMENTS, Indicator.DEBT],
        offers=[Offer.HEALTH_CARE],
        presumed_nationality="RO",
    )
    contact.refresh_from_db()
    assert contact.alias == "Rosa"
    assert contact.created_by == outreach_worker
    assert set(contact.staff.all()) == {outreach_worker, other_outreach_worker}
    assert sorted(ContactIndicator.objects.values_list("indicator", flat=True)) == [
        "debt",
        "no_documents",
    ]
    assert list(ContactOffer.objects.values_list("offer", flat=True)) == ["health_care"]
    assert contact.consent == ReferralConsent.NOT_ASKED  # anonymous and not asked by default
    assert str(contact).startswith(f"#{contact.pk} ")  # never the alias


def test_a_contact_needs_a_district_unless_it_was_online(outreach_worker):
    with pytest.raises(ValidationError) as error:
        _create(outreach_worker, district=None)
    assert "district" in error.value.message_dict
    assert "stadsdelsområdet" in _messages(error)
    online = _create(outreach_worker, district=None, environment=Environment.ONLINE)
    assert online.district is None
    assert OutreachContact.objects.count() == 1


def test_the_database_refuses_a_street_contact_without_district(outreach_worker):
    with pytest.raises(IntegrityError), transaction.atomic():
        OutreachContact.objects.create(
            contacted_at=timezone.now(), environment="street", created_by=outreach_worker
        )


def test_a_contact_cannot_be_in_the_future(outreach_worker):
    with pytest.raises(ValidationError) as error:
        _create(outreach_worker, contacted_at=timezone.now() + timedelta(hours=2))
    assert "framtiden" in _messages(error)
    # A phone clock a few minutes ahead is fine.
    _create(outreach_worker, contacted_at=timezone.now() + timedelta(minutes=3))


def test_the_minor_indicator_needs_the_age_group_under_18(outreach_worker):
    with pytest.raises(ValidationError) as error:
        _create(outreach_worker, indicators=[Indicator.MINOR], age_group=AgeGroup.FROM_18_TO_25)
    assert "age_group" in error.value.message_dict
    _create(outreach_worker, indicators=[Indicator.MINOR], age_group=AgeGroup.UNDER_18)


def test_only_outreach_staff_log_contacts_and_only_outreach_staff_are_present(
    outreach_worker, coordinator
):
    with pytest.raises(ValidationError) as error:
        _create(coordinator, staff=[outreach_worker])
    assert "Bara uppsökare" in _messages(error)
    with pytest.raises(ValidationError) as error:
        _create(outreach_worker, staff=[outreach_worker, coordinator])
    assert "staff" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(outreach_worker, staff=[])
    assert "staff" in error.value.message_dict
    assert not OutreachContact.objects.exists()


def test_unknown_checklist_values_are_refused(outreach_worker):
    with pytest.raises(ValidationError) as error:
        _create(outreach_worker, indicators=["aliens"])
    assert "indicators" in error.value.message_dict
    assert not OutreachContact.objects.exists()


def test_correcting_a_contact_carries_a_version(outreach_worker, other_outreach_worker):
    contact = _create(outreach_worker, staff=[outreach_worker, other_outreach_worker])

    def correct(by, version, alias):
        return services.contact_update(
            contact=contact,
            by=by,
            expected_version=version,
            data={"alias": alias},
            staff=[outreach_worker, other_outreach_worker],
            indicators=[Indicator.DEBT],
            offers=[],
        )

    correct(other_outreach_worker, 1, "Lilja")
    with pytest.raises(ValidationError) as error:
        correct(outreach_worker, 1, "Rosa")  # opened before Lena saved
    assert "Någon annan har sparat" in _messages(error)
    contact.refresh_from_db()
    assert (contact.alias, contact.version) == ("Lilja", 2)
    assert list(contact.indicators.values_list("indicator", flat=True)) == ["debt"]


def test_only_the_staff_present_correct_a_contact(contact, other_outreach_worker):
    with pytest.raises(ValidationError) as error:
        services.contact_update(
            contact=contact,
            by=other_outreach_worker,
            expected_version=1,
            data={"alias": "X"},
            staff=[other_outreach_worker],
            indicators=[],
            offers=[],
        )
    assert "Bara den personal" in _messages(error)


def test_a_referred_contact_cannot_be_corrected(contact, outreach_worker):
    services.referral_create(contact=contact, by=outreach_worker)
    with pytest.raises(ValidationError) as error:
        services.contact_update(
            contact=contact,
            by=outreach_worker,
            expected_version=1,
            data={"alias": "X"},
            staff=[outreach_worker],
            indicators=[],
            offers=[],
        )
    assert "ligger nu hos koordinatorerna" in _messages(error)


# --- The consent rule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("consent", "age_group", "allowed"),
    [
        (ReferralConsent.YES, AgeGroup.FROM_26_TO_35, True),
        (ReferralConsent.NO, AgeGroup.FROM_26_TO_35, False),
        (ReferralConsent.NOT_ASKED, AgeGroup.FROM_26_TO_35, False),
        (ReferralConsent.NOT_ASKED, AgeGroup.UNKNOWN, False),
        (ReferralConsent.NOT_ASKED, AgeGroup.UNDER_18, True),
        (ReferralConsent.NO, AgeGroup.UNDER_18, True),
    ],
)
def test_a_referral_needs_consent_unless_the_person_is_presumed_under_18(
    outreach_worker, consent, age_group, allowed
):
    contact = OutreachContactFactory.create(
        created_by=outreach_worker, consent=consent, age_group=age_group
    )
    if not allowed:
        with pytest.raises(ValidationError) as error:
            services.referral_create(contact=contact, by=outreach_worker)
        assert "har inte samtyckt" in _messages(error)
        assert not Referral.objects.exists()
        return
    referral = services.referral_create(contact=contact, by=outreach_worker)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert referral.presumed_minor == (age_group == AgeGroup.UNDER_18)  # flagged
    assert referral.consent_given == (consent == ReferralConsent.YES)


def test_the_database_refuses_a_referral_without_consent_or_presumed_minority(
    contact, outreach_worker
):
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            contact=contact,
            referred_at=timezone.now(),
            referred_by=outreach_worker,
            consent_given=False,
            presumed_minor=False,
        )


# --- Referring ------------------------------------------------------------------------------------


def test_a_contact_has_at_most_one_waiting_or_accepted_referral(
    contact, outreach_worker, coordinator
):
    first = services.referral_create(contact=contact, by=outreach_worker)
    with pytest.raises(ValidationError) as error:
        services.referral_create(contact=contact, by=outreach_worker)
    assert "redan länkad" in _messages(error)
    # After a decline (or a withdrawal) the contact may be referred again.
    services.referral_decline(referral=first, by=coordinator, reason="Fel kommun")
    second = services.referral_create(contact=contact, by=outreach_worker)
    services.referral_withdraw(referral=second, by=outreach_worker)
    services.referral_create(contact=contact, by=outreach_worker)
    assert list(Referral.objects.order_by("pk").values_list("status", flat=True)) == [
        "declined",
        "withdrawn",
        "pending",
    ]


def test_the_database_allows_one_open_referral_per_contact(contact, outreach_worker):
    services.referral_create(contact=contact, by=outreach_worker)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            contact=contact,
            referred_at=timezone.now(),
            referred_by=outreach_worker,
            consent_given=True,
        )


def test_only_the_staff_present_refer_a_contact(contact, other_outreach_worker, coordinator):
    with pytest.raises(ValidationError) as error:
        services.referral_create(contact=contact, by=other_outreach_worker)
    assert "Bara den personal" in _messages(error)
    with pytest.raises(ValidationError):
        services.referral_create(contact=contact, by=coordinator)
    assert not Referral.objects.exists()


def test_a_named_recipient_must_be_an_active_coordinator(contact, outreach_worker, manager):
    retired = UserFactory.create(roles=[Role.COORDINATOR], is_active=False)
    for recipient in (manager, retired):
        with pytest.raises(ValidationError) as error:
            services.referral_create(contact=contact, by=outreach_worker, to_coordinator=recipient)
        assert "to_coordinator" in error.value.message_dict


def test_new_referrals_notify_every_active_coordinator_without_identity_data(
    contact,
    outreach_worker,
    coordinator,
    other_coordinator,
    manager,
    django_capture_on_commit_callbacks,
):
    UserFactory.create(roles=[Role.COORDINATOR], is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        referral = services.referral_create(contact=contact, by=outreach_worker)
    notifications = Notification.objects.filter(key=f"outreach.referral.{referral.pk}.new")
    assert {n.recipient for n in notifications} == {coordinator, other_coordinator}
    text = notification_text(notifications[0])
    assert text == "En ny länkning från uppsökande arbete väntar i inkorgen."
    assert notifications[0].url == f"/outreach/referrals/{referral.pk}/"
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [coordinator.email, other_coordinator.email]
    )
    for message in mail.outbox:
        assert "Rosa" not in f"{message.subject} {message.body}"


def test_a_named_coordinator_alone_is_notified_and_minors_are_flagged(
    outreach_worker, coordinator, other_coordinator
):
    named = OutreachContactFactory.create(created_by=outreach_worker)
    referral = services.referral_create(
        contact=named, by=outreach_worker, to_coordinator=coordinator
    )
    (notification,) = Notification.objects.filter(key=f"outreach.referral.{referral.pk}.new")
    assert notification.recipient == coordinator
    assert notification.kind == "outreach.referral_new_personal"
    child = OutreachContactFactory.create(
        created_by=outreach_worker,
        age_group=AgeGroup.UNDER_18,
        consent=ReferralConsent.NOT_ASKED,
    )
    referral = services.referral_create(contact=child, by=outreach_worker)
    kinds = set(
        Notification.objects.filter(key=f"outreach.referral.{referral.pk}.new").values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"outreach.referral_new_minor"}


# --- Accepting, declining, withdrawing -------------------------------------------------------------


@pytest.fixture
def referral(contact, outreach_worker):
    return services.referral_create(contact=contact, by=outreach_worker)


@pytest.fixture
def open_case(coordinator):
    return CaseFactory.create(coordinator=coordinator, individual__created_by=coordinator)


def test_accepting_into_an_existing_case(referral, coordinator, other_coordinator, open_case):
    before = open_case.last_activity_at
    accepted = services.referral_accept_into_case(
        referral=referral, by=other_coordinator, case=open_case
    )
    accepted.refresh_from_db()
    assert accepted.status == ReferralStatus.ACCEPTED
    assert accepted.case == open_case
    assert accepted.accepted_by == other_coordinator
    assert accepted.accepted_at is not None
    assert accepted.referred_at <= accepted.accepted_at <= timezone.now()
    open_case.refresh_from_db()
    assert open_case.last_activity_at > before
    (notification,) = Notification.objects.filter(recipient=referral.referred_by)
    assert notification.kind == "outreach.referral_accepted"
    assert open_case.number not in notification_text(notification)  # outreach never sees it


def test_a_closed_case_is_reopened_first(referral, coordinator, open_case):
    casework_services.case_close(
        case=open_case, by=coordinator, closed_on=date(2024, 5, 1), reason=ClosingReason.COMPLETED
    )
    with pytest.raises(ValidationError) as error:
        services.referral_accept_into_case(referral=referral, by=coordinator, case=open_case)
    assert "är avslutat" in _messages(error)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_accepting_with_a_new_individual_and_case_is_one_transaction(referral, coordinator):
    accepted = services.referral_accept_with_new_individual(
        referral=referral,
        by=coordinator,
        individual_fields={"alias": "Rosa", "sex": "female", "citizenship": "RO"},
        coordinator=coordinator,
        category=Category.ADULT,
        opened_on=timezone.localdate(),
    )
    case = Case.objects.get()
    assert accepted.case == case
    assert case.origin == Origin.OUTREACH_REFERRAL
    assert case.individual.alias == "Rosa"
    assert CaseEvent.objects.filter(case=case, kind="opened").exists()


def test_a_failed_case_opening_leaves_the_referral_waiting(referral, coordinator):
    # An unknown age group gives no estimated birth year: no category can be suggested.
    OutreachContact.objects.filter(pk=referral.contact_id).update(age_group=AgeGroup.UNKNOWN)
    referral.contact.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.referral_accept_with_new_individual(
            referral=referral,
            by=coordinator,
            individual_fields={"alias": "Rosa"},  # no age, so no category can be suggested
            coordinator=coordinator,
            opened_on=timezone.localdate(),
        )
    assert "category" in error.value.message_dict
    assert not Individual.objects.exists()
    assert not Case.objects.exists()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING
    assert referral.accepted_at is None


def test_accepting_with_a_new_case_for_a_registered_person(referral, coordinator, open_case):
    casework_services.case_close(
        case=open_case, by=coordinator, closed_on=date(2024, 5, 1), reason=ClosingReason.COMPLETED
    )
    accepted = services.referral_accept_with_new_case(
        referral=referral,
        by=coordinator,
        individual=open_case.individual,
        coordinator=coordinator,
        category=Category.ADULT,
        opened_on=timezone.localdate(),
    )
    assert accepted.case is not None
    assert accepted.case.individual == open_case.individual
    assert accepted.case.origin == Origin.OUTREACH_REFERRAL


def test_declining_needs_a_reason_the_referrer_reads(referral, coordinator):
    with pytest.raises(ValidationError) as error:
        services.referral_decline(referral=referral, by=coordinator, reason="  ")
    assert "reason" in error.value.message_dict
    services.referral_decline(referral=referral, by=coordinator, reason="Bor i Huddinge")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.decline_reason == "Bor i Huddinge"
    assert referral.declined_by == coordinator
    assert referral.declined_at is not None
    (notification,) = Notification.objects.filter(recipient=referral.referred_by)
    assert notification.kind == "outreach.referral_declined"


def test_only_coordinators_accept_or_decline(referral, manager, outreach_worker, open_case):
    for user in (manager, outreach_worker):
        with pytest.raises(ValidationError) as error:
            services.referral_accept_into_case(referral=referral, by=user, case=open_case)
        assert "Bara regionkoordinatorer" in _messages(error)
        with pytest.raises(ValidationError):
            services.referral_decline(referral=referral, by=user, reason="x")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.PENDING


def test_withdrawing_is_for_the_staff_present_and_only_while_waiting(
    referral, outreach_worker, other_outreach_worker, coordinator, open_case
):
    with pytest.raises(ValidationError) as error:
        services.referral_withdraw(referral=referral, by=other_outreach_worker)
    assert "Bara den personal" in _messages(error)
    services.referral_accept_into_case(referral=referral, by=coordinator, case=open_case)
    with pytest.raises(ValidationError) as error:
        services.referral_withdraw(referral=referral, by=outreach_worker)
    assert "tog emot länkningen" in _messages(error)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED


@pytest.mark.parametrize("first", ["accept", "decline", "withdraw"])
@pytest.mark.parametrize("then", ["accept", "decline", "withdraw"])
def test_a_handled_referral_cannot_be_handled_again(
    referral, outreach_worker, coordinator, other_coordinator, open_case, first, then
):
    def act(action, coordinator_acting):
        if action == "accept":
            return services.referral_accept_into_case(
                referral=referral, by=coordinator_acting, case=open_case
            )
        if action == "decline":
            return services.referral_decline(referral=referral, by=coordinator_acting, reason="Nej")
        return services.referral_withdraw(referral=referral, by=outreach_worker)

    act(first, coordinator)
    with pytest.raises(services.ReferralAlreadyHandled) as error:
        act(then, other_coordinator)
    assert "Inget sparades för din del" in _messages(error)
    referral.refresh_from_db()
    assert (
        referral.status
        == {"accept": "accepted", "decline": "declined", "withdraw": "withdrawn"}[first]
    )


def test_the_second_coordinator_is_told_who_accepted_first(
    referral, coordinator, other_coordinator
):
    services.referral_accept_with_new_individual(
        referral=referral,
        by=coordinator,
        individual_fields={"alias": "Rosa", "birth_year": 1990},
        coordinator=coordinator,
        opened_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as error:
        services.referral_accept_with_new_individual(
            referral=referral,
            by=other_coordinator,
            individual_fields={"alias": "Rosa", "birth_year": 1990},
            coordinator=other_coordinator,
            opened_on=timezone.localdate(),
        )
    assert f"{coordinator} tog emot länkningen" in _messages(error)
    assert "före dig" in _messages(error)
    assert Case.objects.count() == 1
    assert Individual.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_coordinators_accepting_at_the_same_moment_one_wins(
    outreach_worker, coordinator, other_coordinator
):
    contact = OutreachContactFactory.create(created_by=outreach_worker, alias="Rosa")
    referral = services.referral_create(contact=contact, by=outreach_worker)
    barrier = threading.Barrier(2)
    won: list[str] = []
    lost: list[str] = []
    errors: list[BaseException] = []

    def accept(user):
        try:
            barrier.wait(timeout=10)
            services.referral_accept_with_new_individual(
                referral=Referral.objects.get(pk=referral.pk),
                by=user,
                individual_fields={"alias": "Rosa", "birth_year": 1990},
                coordinator=user,
                opened_on=timezone.localdate(),
            )
            won.append(user.username)
        except services.ReferralAlreadyHandled as error:
            lost.append(" ".join(error.messages))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(u,)) for u in (coordinator, other_coordinator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert len(won) == 1
    assert len(lost) == 1
    winner = coordinator if won[0] == coordinator.username else other_coordinator
    assert f"{winner} tog emot länkningen" in lost[0]
    assert "Inget sparades för din del" in lost[0]
    # Nothing was created for the one who lost: one person, one case, the winner's.
    assert Individual.objects.count() == 1
    case = Case.objects.get()
    assert case.coordinator == winner
    referral.refresh_from_db()
    assert (referral.status, referral.case, referral.accepted_by) == ("accepted", case, winner)


# --- History (the demo data) ----------------------------------------------------------------------


def test_history_is_recorded_at_its_time_without_notifications(
    outreach_worker, coordinator, open_case
):
    contacted = datetime(2024, 3, 4, 21, 30, tzinfo=STOCKHOLM)
    contact = OutreachContactFactory.create(created_by=outreach_worker, contacted_at=contacted)
    referral = services.referral_create(
        contact=contact,
        by=outreach_worker,
        at=contacted + timedelta(minutes=20),
        send_notifications=False,
    )
    before = Case.objects.get(pk=open_case.pk).last_activity_at
    services.referral_accept_into_case(
        referral=referral,
        by=coordinator,
        case=open_case,
        at=contacted + timedelta(hours=14),
        send_notifications=False,
    )
    referral.refresh_from_db()
    assert referral.accepted_at is not None
    assert referral.accepted_at - referral.referred_at == timedelta(hours=13, minutes=40)
    assert not Notification.objects.exists()
    assert Case.objects.get(pk=open_case.pk).last_activity_at == before  # not "active today"


def test_history_cannot_be_in_the_future_or_before_the_contact(contact, outreach_worker):
    with pytest.raises(ValidationError):
        services.referral_create(
            contact=contact, by=outreach_worker, at=timezone.now() + timedelta(days=1)
        )
    with pytest.raises(ValidationError) as error:
        services.referral_create(
            contact=contact, by=outreach_worker, at=contact.contacted_at - timedelta(hours=1)
        )
    assert "innan den ägde rum" in _messages(error)


def test_history_accepts_only_into_a_case_open_at_that_moment(
    outreach_worker, coordinator, open_case
):
    casework_services.case_close(
        case=open_case, by=coordinator, closed_on=date(2024, 6, 1), reason=ClosingReason.COMPLETED
    )
    contacted = datetime(2024, 7, 1, 12, 0, tzinfo=STOCKHOLM)
    contact = OutreachContactFactory.create(created_by=outreach_worker, contacted_at=contacted)
    referral = services.referral_create(contact=contact, by=outreach_worker, at=contacted)
    with pytest.raises(ValidationError):
        services.referral_accept_into_case(
            referral=referral, by=coordinator, case=open_case, at=contacted + timedelta(hours=1)
        )
    earlier = OutreachContactFactory.create(
        created_by=outreach_worker, contacted_at=datetime(2024, 5, 2, 12, 0, tzinfo=STOCKHOLM)
    )
    referral = services.referral_create(
        contact=earlier, by=outreach_worker, at=earlier.contacted_at, send_notifications=False
    )
    services.referral_accept_into_case(
        referral=referral,
        by=coordinator,
        case=open_case,
        at=earlier.contacted_at + timedelta(hours=3),
        send_notifications=False,
    )


# --- Time from referral to acceptance --------------------------------------------------------------


def test_percentile_cont_interpolates_like_postgresql():
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([7.0], 0.9) == 7.0
    assert percentile_cont([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert percentile_cont([1.0, 2.0, 3.0, 4.0, 10.0], 0.9) == pytest.approx(7.6)


def _accepted_after(hours, *, on, by_outreach, by_coordinator, case):
    referred = datetime.combine(on, datetime.min.time(), tzinfo=STOCKHOLM) + timedelta(hours=8)
    contact = OutreachContactFactory.create(
        created_by=by_outreach, contacted_at=referred - timedelta(minutes=5)
    )
    referral = services.referral_create(
        contact=contact, by=by_outreach, at=referred, send_notifications=False
    )
    return services.referral_accept_into_case(
        referral=referral,
        by=by_coordinator,
        case=case,
        at=referred + timedelta(hours=hours),
        send_notifications=False,
    )


def test_median_and_90th_percentile_hours_per_year_of_acceptance(
    outreach_worker, coordinator, open_case
):
    open_case.opened_on = date(2023, 1, 1)
    open_case.save(update_fields=["opened_on"])
    for hours in (1, 2, 3, 4, 10):
        _accepted_after(
            hours,
            on=date(2024, 4, 1),
            by_outreach=outreach_worker,
            by_coordinator=coordinator,
            case=open_case,
        )
    _accepted_after(
        48,
        on=date(2025, 2, 1),
        by_outreach=outreach_worker,
        by_coordinator=coordinator,
        case=open_case,
    )
    rows = {row.year: row for row in acceptance_times()}
    assert (rows[2024].accepted, rows[2024].median_hours, rows[2024].p90_hours) == (5, 3.0, 7.6)
    assert (rows[2025].accepted, rows[2025].median_hours, rows[2025].p90_hours) == (1, 48.0, 48.0)
    assert (rows[None].accepted, rows[None].median_hours) == (6, 3.5)
    assert rows[None].p90_hours == pytest.approx(29.0)  # 10 + 0.5 × (48 − 10)


@pytest.mark.postgres
def test_the_sql_percentiles_equal_the_python_ones(outreach_worker, coordinator, open_case):
    open_case.opened_on = date(2023, 1, 1)
    open_case.save(update_fields=["opened_on"])
    rng = random.Random(5)
    hours = [round(rng.uniform(0.2, 120), 2) for _ in range(23)]
    for value in hours:
        _accepted_after(
            value,
            on=date(2024, 1, 1) + timedelta(days=rng.randint(0, 300)),
            by_outreach=outreach_worker,
            by_coordinator=coordinator,
            case=open_case,
        )
    assert connection.vendor == "postgresql"
    (year, total) = acceptance_times()
    assert year.year == 2024
    assert total.median_hours == round(percentile_cont(hours, 0.5) or 0, 1)
    assert total.p90_hours == round(percentile_cont(hours, 0.9) or 0, 1)


def test_once_handled_the_inboxs_notifications_are_retired(
    contact, outreach_worker, coordinator, other_coordinator
):
    referral = services.referral_create(contact=contact, by=outreach_worker)
    key = f"outreach.referral.{referral.pk}.new"
    assert Notification.objects.filter(key=key, read_at__isnull=True).count() == 2
    services.referral_decline(referral=referral, by=coordinator, reason="Ingen kontakt")
    # The colleague's bell no longer asks for something already done.
    assert not Notification.objects.filter(key=key, read_at__isnull=True).exists()
    assert Notification.objects.get(key=key, recipient=other_coordinator).read_at is not None
