"""accounts.staff: the staff members a referral names are read in one query after the rows,
instead of one join each (bench/RESULTS.md), and every name is still the right one."""

from __future__ import annotations

import pytest

from outreach import services
from outreach.models import Referral
from outreach.selectors import referral_queryset
from tests.factories import CaseFactory, OutreachContactFactory


def _referred(worker, **kwargs):
    contact = OutreachContactFactory.create(created_by=worker)
    return services.referral_create(contact=contact, by=worker, **kwargs)


@pytest.fixture
def referrals(outreach_worker, coordinator, other_coordinator):
    pending = _referred(outreach_worker, to_coordinator=other_coordinator)
    accepted = _referred(outreach_worker)
    services.referral_accept_into_case(
        referral=accepted, by=coordinator, case=CaseFactory.create(coordinator=coordinator)
    )
    declined = _referred(outreach_worker)
    services.referral_decline(referral=declined, by=other_coordinator, reason="Nej")
    withdrawn = _referred(outreach_worker)
    services.referral_withdraw(referral=withdrawn, by=outreach_worker)
    return {"pending": pending, "accepted": accepted, "declined": declined, "withdrawn": withdrawn}


STAFF = ("to_coordinator", "referred_by", "accepted_by", "declined_by", "withdrawn_by")


def test_a_page_of_referrals_names_its_staff_from_one_query(
    referrals, coordinator, django_assert_num_queries
):
    # the rows with their contacts and cases, then the staff, then the indicators
    with django_assert_num_queries(3):
        rows = list(referral_queryset(coordinator).order_by("pk"))
    with django_assert_num_queries(0):
        loaded = {row.pk: [getattr(row, name) for name in STAFF] for row in rows}
    for referral in referrals.values():
        fresh = Referral.objects.get(pk=referral.pk)
        assert loaded[referral.pk] == [getattr(fresh, name) for name in STAFF]
    assert loaded[referrals["accepted"].pk][2] == coordinator


def test_slices_and_single_reads_get_the_staff_too(
    referrals, coordinator, other_coordinator, outreach_worker
):
    queryset = referral_queryset(coordinator)
    one = queryset.get(pk=referrals["declined"].pk)
    assert one.declined_by == other_coordinator
    page = list(queryset.order_by("pk")[1:3])
    assert [row.pk for row in page] == [referrals["accepted"].pk, referrals["declined"].pk]
    assert page[0].accepted_by == coordinator
    # iterator() streams rows without the extra query; the names are then read one by one.
    streamed = {row.pk: row.withdrawn_by for row in queryset.iterator(chunk_size=100)}
    assert streamed[referrals["withdrawn"].pk] == outreach_worker
    assert streamed[referrals["pending"].pk] is None
