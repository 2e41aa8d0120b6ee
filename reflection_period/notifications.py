"""The notification texts of reflection-period reminders (registered in AppConfig.ready()).

Parameters are the case number, dates and thresholds: never a person's name.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.notifications import NotificationKind, register_kind
from reflection_period.models import ReminderRule

TEXTS = {
    ReminderRule.DRAFT_FORGOTTEN: _(
        "Your draft reflection-period application in case %(case)s, written %(drafted)s, has "
        "not been sent to Migrationsverket."
    ),
    ReminderRule.DECISION_PENDING: _(
        "No decision yet from Migrationsverket on the reflection-period application in case "
        "%(case)s, submitted %(submitted)s."
    ),
    ReminderRule.DECISION_OVERDUE: _(
        "Decision overdue: Migrationsverket has not decided on the reflection-period "
        "application in case %(case)s, submitted %(submitted)s, after %(days)s working days."
    ),
    ReminderRule.PERMIT_ENDING_FIRST: _(
        "The reflection-period permit in case %(case)s ends %(valid_to)s and no next step is "
        "recorded."
    ),
    ReminderRule.PERMIT_ENDING_SECOND: _(
        "The reflection-period permit in case %(case)s ends %(valid_to)s and still no next step "
        "is recorded."
    ),
    ReminderRule.PERIOD_ENDED: _(
        "The reflection-period permit in case %(case)s ended %(valid_to)s and no next step is "
        "recorded."
    ),
}


def register() -> None:
    for rule, text in TEXTS.items():
        register_kind(f"reflection_period.{rule}", NotificationKind(text=text, icon="clock"))
