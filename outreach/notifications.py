"""The notifications outreach sends (through accounts.notifications: the bell and e-mail).

The texts never carry a person's alias, description or anything else that could identify them:
the bell and the e-mail only say that something is waiting, with a link.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.notifications import NotificationKind, register_kind

REFERRAL_NEW = "outreach.referral_new"
REFERRAL_NEW_PERSONAL = "outreach.referral_new_personal"
REFERRAL_NEW_MINOR = "outreach.referral_new_minor"
REFERRAL_ACCEPTED = "outreach.referral_accepted"
REFERRAL_DECLINED = "outreach.referral_declined"

register_kind(
    REFERRAL_NEW,
    NotificationKind(text=_("A new referral from outreach is waiting in the referral inbox.")),
)
register_kind(
    REFERRAL_NEW_PERSONAL,
    NotificationKind(text=_("Outreach has sent a referral to you personally.")),
)
register_kind(
    REFERRAL_NEW_MINOR,
    NotificationKind(
        text=_("A new referral from outreach concerns a person presumed to be under 18.")
    ),
)
register_kind(
    REFERRAL_ACCEPTED,
    NotificationKind(text=_("Your referral of %(date)s was accepted by a coordinator.")),
)
register_kind(
    REFERRAL_DECLINED,
    NotificationKind(
        text=_("Your referral of %(date)s was declined. The reason is on the contact.")
    ),
)
