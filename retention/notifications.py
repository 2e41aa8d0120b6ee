"""The notification retention sends (the bell and an e-mail that names nobody)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.notifications import NotificationKind, register_kind

RUN_PROPOSED = "retention.run_proposed"

register_kind(
    RUN_PROPOSED,
    NotificationKind(
        text=_(
            "A retention proposal is waiting: %(count)s individuals whose personal data may be "
            "culled. Review it and confirm or cancel."
        ),
    ),
)
