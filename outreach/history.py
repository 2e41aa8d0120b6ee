"""The change history of outreach contacts and referrals, on their pages (the machinery:
casework.history)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import User
from casework.history import (
    HistoryEntry,
    HistorySource,
    Spec,
    build_history,
    can_see_history,
    history_versions,
    named,
)
from outreach.models import OutreachContact, Referral

CONTACT = Spec(OutreachContact)
REFERRAL = Spec(Referral, hidden=frozenset({"contact"}))


def contact_history(contact: OutreachContact, user: User) -> list[HistoryEntry] | None:
    if not can_see_history(user):
        return None
    return build_history(
        [HistorySource(CONTACT, history_versions(CONTACT, id=contact.pk), named(_("The contact")))]
    )


def referral_history(referral: Referral, user: User) -> list[HistoryEntry] | None:
    if not can_see_history(user):
        return None
    return build_history(
        [
            HistorySource(
                REFERRAL, history_versions(REFERRAL, id=referral.pk), named(_("The referral"))
            )
        ]
    )
