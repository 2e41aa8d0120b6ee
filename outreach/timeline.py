"""Outreach's items on the case timeline: each referral accepted into the case, with its contact.

The item shows what the coordinators need at a glance (when, where, indicators, what was
offered); the full contact, notes included, is one click away on its own page, where the read
is logged.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from accounts.models import User
from casework.models import Case
from casework.timeline import TimelineItem, newest, register_if_present
from outreach.models import Referral


@register_if_present(Referral, "case")
def referral_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    """Three queries whatever the number of referrals: referrals, indicators, offers."""
    referrals = (
        Referral.objects.filter(case=case)
        .select_related("contact__district", "contact__language")
        .with_staff("referred_by", "accepted_by")
        .prefetch_related("contact__indicators", "contact__offers")
    )
    for referral in newest(referrals, limit, "referred_at"):
        yield TimelineItem(
            on=timezone.localtime(referral.referred_at).date(),
            recorded_at=referral.referred_at,
            template="outreach/timeline/_referral.html",
            context={"referral": referral, "contact": referral.contact},
        )
