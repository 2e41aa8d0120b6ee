"""The notification two-factor sign-in sends: a reset, to the person whose sign-in it was (the
bell, and an e-mail that says only that there is something in Lotsa)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.notifications import NotificationKind, register_kind
from twofactor.services import RESET_NOTICE

register_kind(
    RESET_NOTICE,
    NotificationKind(
        text=_(
            "A system administrator reset your two-factor sign-in on %(date)s. Add your app "
            "again with the enrolment link you were given. If you did not ask for this, tell "
            "your manager at once."
        )
    ),
)
