"""The demo outreach data: realistic, deterministic, idempotent, and harmless to the 2023–2025
figures of casework.

The full-size demo (about 400 contacts on top of casework's 200 cases) takes close to a minute
on PostgreSQL, so these tests run the same code on a smaller plan and a few outreach cases; the
full size runs in the smoke test (`scripts/demo-setup`).
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Notification, User
from casework.models import Case, Category, Origin
from outreach import demo as outreach_demo
from outreach.models import OutreachContact, Referral, ReferralStatus
from tests.factories import CaseFactory


@pytest.fixture
def demo_cases(db, monkeypatch):
    """Demo staff, a smaller plan, and demo-like cases: four came in from outreach."""
    monkeypatch.setattr(outreach_demo, "CONTACTS_PER_YEAR", {2023: 9, 2024: 12, 2025: 10})
    monkeypatch.setattr(outreach_demo, "DECLINED", 4)
    monkeypatch.setattr(outreach_demo, "WITHDRAWN", 2)
    accounts_demo.seed()
    coordinator = User.objects.get(username="koordinator")

    def case(year, opened, closed=None, origin=Origin.OUTREACH_REFERRAL, **individual):
        return CaseFactory.create(
            year=year,
            opened_on=opened,
            closed_on=closed,
            closing_reason="completed" if closed else "",
            origin=origin,
            coordinator=coordinator,
            category=Category.MINOR
            if (individual.get("birth_year") or 0) > 2006
            else Category.ADULT,
            **{f"individual__{k}": v for k, v in individual.items()},
            individual__created_by=coordinator,
        )

    return [
        case(2023, date(2023, 3, 6), date(2023, 9, 1), alias="Rosa 3", birth_year=1990),
        case(2024, date(2024, 2, 12), date(2024, 11, 5), alias="Mira", birth_year=2008),
        case(2024, date(2024, 6, 3), alias="Lin", birth_year=1985),
        case(2025, date(2025, 4, 22), alias="Joy", birth_year=None),
        case(2024, date(2024, 5, 5), origin=Origin.POLICE, alias="Vera", birth_year=1991),
    ]


def _snapshot():
    return {
        (case.number, case.opened_on, case.closed_on, case.category, case.last_activity_at)
        for case in Case.objects.all()
    }


def test_the_demo_outreach_data(demo_cases):
    before = _snapshot()
    created = outreach_demo.seed()
    contacts = OutreachContact.objects.select_related("district")
    assert created == contacts.count() == 31 + 4 + 4 + 2

    # Field work over 2023–2025 (and this year's few), mostly anonymous.
    years = Counter(timezone.localtime(c.contacted_at).year for c in contacts)
    assert years[2023] >= 9
    assert years[2024] >= 12
    assert years[2025] >= 10
    assert set(years) <= {2022, 2023, 2024, 2025, timezone.localdate().year}
    assert all(c.district or c.environment == "online" for c in contacts)
    assert any(not c.alias for c in contacts)

    # Every case that came in from outreach has its contact and accepted referral, accepted on
    # the day the case opened, a few hours to a few days after the referral. The police case has
    # none.
    accepted = Referral.objects.filter(status=ReferralStatus.ACCEPTED, case__year__lte=2025)
    assert sorted(accepted.values_list("case__number", flat=True)) == sorted(
        c.number for c in demo_cases if c.origin == Origin.OUTREACH_REFERRAL
    )
    for referral in accepted.select_related("case", "contact"):
        assert referral.accepted_at is not None
        assert referral.case is not None
        assert timedelta(minutes=20) <= referral.accepted_at - referral.referred_at
        assert referral.accepted_at - referral.referred_at <= timedelta(days=4)
        assert timezone.localdate(referral.accepted_at) == referral.case.opened_on
        assert referral.contact.contacted_at < referral.referred_at
    rosa = accepted.get(case=demo_cases[0]).contact
    assert rosa.alias == "Rosa"  # what outreach heard, without the demo's numbering
    assert accepted.get(case=demo_cases[1]).presumed_minor

    # Declined with a reason, withdrawn, and a few waiting this week, with their notifications.
    statuses = Counter(Referral.objects.values_list("status", flat=True))
    assert (statuses["declined"], statuses["withdrawn"], statuses["pending"]) == (4, 2, 4)
    assert all(r.decline_reason for r in Referral.objects.filter(status="declined"))
    waiting = Referral.objects.filter(status=ReferralStatus.PENDING)
    assert all(
        timezone.now() - timedelta(days=7) < r.referred_at <= timezone.now() for r in waiting
    )
    assert waiting.filter(presumed_minor=True).count() == 1
    assert Notification.objects.filter(key__startswith="outreach.referral.").exists()
    historic = Referral.objects.exclude(status=ReferralStatus.PENDING).values_list("pk", flat=True)
    assert not Notification.objects.filter(
        key__in=[f"outreach.referral.{pk}.new" for pk in historic]
    ).exists()

    # No case of 2023–2025 changed (not even its last activity); two new ones this year.
    assert {row for row in _snapshot() if row[1].year <= 2025} == before
    new = Case.objects.filter(year__gt=2025)
    assert new.count() == 2
    assert all(case.origin == Origin.OUTREACH_REFERRAL for case in new)

    # Deterministic, and safe to run again.
    first = outreach_demo._contact_plans(random.Random(outreach_demo.SEED))
    second = outreach_demo._contact_plans(random.Random(outreach_demo.SEED))
    assert [(p.at, p.environment, p.district, p.fate) for p in first] == [
        (p.at, p.environment, p.district, p.fate) for p in second
    ]
    assert {p.at for p in first} <= set(contacts.values_list("contacted_at", flat=True))
    assert outreach_demo.seed() == 0
    assert OutreachContact.objects.count() == created
