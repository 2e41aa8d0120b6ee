"""The deadline rules: what an application is waiting for, when it is due, when it is overdue,
which reminder is due on a given day. Pure functions of an application's data and the settings,
so the services, the reminder scan and the pages all agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from reflection_period.models import (
    DueKind,
    ReflectionPeriodApplication,
    ReminderRule,
    Status,
)
from reflection_period.workdays import add_working_days


@dataclass(frozen=True)
class Thresholds:
    """The unit's thresholds (settings), read when used so a test can change them."""

    decision_reminder_working_days: int
    decision_escalation_working_days: int
    permit_ending_first_days: int
    permit_ending_second_days: int
    draft_days: int
    scan_minutes: int

    @classmethod
    def current(cls) -> Thresholds:
        first, second = settings.LOTSA_PERMIT_ENDING_REMINDER_DAYS
        return cls(
            decision_reminder_working_days=settings.LOTSA_DECISION_REMINDER_WORKING_DAYS,
            decision_escalation_working_days=settings.LOTSA_DECISION_ESCALATION_WORKING_DAYS,
            permit_ending_first_days=first,
            permit_ending_second_days=second,
            draft_days=settings.LOTSA_DRAFT_REMINDER_DAYS,
            scan_minutes=settings.LOTSA_REMINDER_SCAN_MINUTES,
        )


@dataclass(frozen=True)
class Deadline:
    kind: str
    due_on: date | None
    overdue_on: date | None


NO_DEADLINE = Deadline("", None, None)


def drafted_on(application: ReflectionPeriodApplication) -> date:
    if application._state.adding:  # not saved yet: drafted today
        return timezone.localdate()
    return timezone.localdate(application.created_at)


def deadline_for(application: ReflectionPeriodApplication, thresholds: Thresholds) -> Deadline:
    """What the application waits for now, and from when that is due and overdue.

    - a draft is due to be sent `draft_days` after it was written (no escalation);
    - a submitted application expects a decision after `decision_reminder_working_days`
      working days, overdue after `decision_escalation_working_days`;
    - a granted permit without a recorded next step is due on its last day, overdue the day
      after.
    """
    if application.status == Status.DRAFT:
        return Deadline(
            DueKind.SUBMIT, drafted_on(application) + timedelta(days=thresholds.draft_days), None
        )
    if application.status == Status.SUBMITTED and application.submitted_on:
        submitted = application.submitted_on
        return Deadline(
            DueKind.DECISION,
            add_working_days(submitted, thresholds.decision_reminder_working_days),
            add_working_days(submitted, thresholds.decision_escalation_working_days),
        )
    if application.status == Status.GRANTED and application.valid_to and not application.next_step:
        return Deadline(
            DueKind.NEXT_STEP, application.valid_to, application.valid_to + timedelta(days=1)
        )
    return NO_DEADLINE


def rule_due(
    application: ReflectionPeriodApplication, today: date, thresholds: Thresholds
) -> tuple[ReminderRule, date] | None:
    """The reminder due on `today` and the day it fell due, from the stored deadline.

    Only the latest rule of a family applies: if the scan did not run on the day of the first
    permit-ending reminder and the second is due already, only the second is created (it says
    everything the first would have).
    """
    kind, due_on, overdue_on = application.due_kind, application.due_on, application.overdue_on
    if due_on is None:
        return None
    if kind == DueKind.SUBMIT and today >= due_on:
        return ReminderRule.DRAFT_FORGOTTEN, due_on
    if kind == DueKind.DECISION:
        if overdue_on and today >= overdue_on:
            return ReminderRule.DECISION_OVERDUE, overdue_on
        if today >= due_on:
            return ReminderRule.DECISION_PENDING, due_on
    if kind == DueKind.NEXT_STEP:
        if overdue_on and today >= overdue_on:
            return ReminderRule.PERIOD_ENDED, overdue_on
        second = due_on - timedelta(days=thresholds.permit_ending_second_days)
        if today >= second:
            return ReminderRule.PERMIT_ENDING_SECOND, second
        first = due_on - timedelta(days=thresholds.permit_ending_first_days)
        if today >= first:
            return ReminderRule.PERMIT_ENDING_FIRST, first
    return None


# The last rule of each kind of deadline: once it exists, nothing more is due.
FINAL_RULE = {
    DueKind.SUBMIT: ReminderRule.DRAFT_FORGOTTEN,
    DueKind.DECISION: ReminderRule.DECISION_OVERDUE,
    DueKind.NEXT_STEP: ReminderRule.PERIOD_ENDED,
}


# --- How a deadline looks on a page ---------------------------------------------------------------


# A deadline's dates in its sentence ("4 dec", "4 dec 2027"), joined by no-break spaces: a
# date never breaks across two lines on a phone, and needs no markup inside the sentence.
DATE_IN_SENTENCE = "j\xa0b"
DATE_IN_SENTENCE_WITH_YEAR = "j\xa0b\xa0Y"


@dataclass(frozen=True)
class DeadlineState:
    """A deadline as a page shows it: a word and a colour (never the colour alone), and its one
    sentence (`sentence`). Every page that shows a deadline (the start pages, the board, the
    application and the case) shows this state's word and sentence, so they cannot disagree.

    - `due_on`: for a decision the day of the reminder, for a permit its last day, for a draft
      the day it was to be sent; `overdue_on`: from when it counts as overdue (none for a draft);
    - `days`: for a decision the working days after submission that the state is about (the
      reminder's while due, the escalation's once overdue); for a permit ending soon, the days
      left; otherwise 0;
    - `date_format`: the dates' format, with the year only when one is not this year's.
    """

    kind: str
    kind_label: Promise | str
    due_on: date
    overdue_on: date | None
    state: str
    label: Promise | str
    css: str
    days: int = 0
    date_format: str = DATE_IN_SENTENCE

    @property
    def sentence(self) -> str:
        """What the deadline waits for, and since or until when, in one plain-text sentence.

        Written here rather than in a template: as an include with `blocktranslate` it cost
        about 0.2 ms a row, 5.5 ms of the deadline board's 26 (bench/RESULTS.md)."""
        due = date_format(self.due_on, self.date_format)
        overdue = date_format(self.overdue_on, self.date_format) if self.overdue_on else ""
        if self.kind == DueKind.DECISION:
            if self.state == "overdue":
                text = ngettext(
                    "No decision after %(days)s working day – overdue since %(overdue)s "
                    "(reminder sent %(reminder)s)",
                    "No decision after %(days)s working days – overdue since %(overdue)s "
                    "(reminder sent %(reminder)s)",
                    self.days,
                )
            elif self.state == "due":
                text = ngettext(
                    "No decision after %(days)s working day – reminder sent %(reminder)s; "
                    "counted as overdue from %(overdue)s",
                    "No decision after %(days)s working days – reminder sent %(reminder)s; "
                    "counted as overdue from %(overdue)s",
                    self.days,
                )
            else:
                text = gettext(
                    "Waiting for the decision – a reminder on %(reminder)s if none has come; "
                    "counted as overdue from %(overdue)s"
                )
            return text % {"days": self.days, "overdue": overdue, "reminder": due}
        if self.kind == DueKind.NEXT_STEP:
            if self.state == "overdue":
                text = gettext(
                    "The permit ended %(ended)s without a recorded next step – overdue since "
                    "%(overdue)s"
                )
            elif self.state == "ending_soon" and self.days == 0:
                text = gettext("The permit ends today, %(ends)s – record the next step")
            elif self.state == "ending_soon":
                text = ngettext(
                    "The permit ends %(ends)s, in %(days)s day – record the next step",
                    "The permit ends %(ends)s, in %(days)s days – record the next step",
                    self.days,
                )
            else:
                text = gettext(
                    "The permit is valid until %(ends)s – record the next step before it ends"
                )
            return text % {"days": self.days, "ended": due, "ends": due, "overdue": overdue}
        if self.state == "due":
            text = gettext("The draft was to be sent by %(due)s and has not been sent")
        else:
            text = gettext("The draft is to be sent by %(due)s")
        return text % {"due": due}


STATE_LABELS: dict[str, tuple[Promise, str]] = {
    "overdue": (_("Overdue"), "danger"),
    "due": (_("Due"), "warning"),
    "ending_soon": (_("Ending soon"), "warning"),
    "waiting": (_("Waiting"), "info"),
    "running": (_("Running"), "success"),
    "draft": (_("Draft"), "secondary"),
}


def deadline_state(
    application: ReflectionPeriodApplication, today: date, thresholds: Thresholds
) -> DeadlineState | None:
    if not application.due_kind or application.due_on is None:
        return None
    kind, due_on, overdue_on = application.due_kind, application.due_on, application.overdue_on
    if overdue_on and today >= overdue_on:
        state = "overdue"
    elif kind == DueKind.NEXT_STEP:
        lead = timedelta(days=thresholds.permit_ending_first_days)
        state = "ending_soon" if today >= due_on - lead else "running"
    elif today >= due_on:
        state = "due"
    else:
        state = "waiting" if kind == DueKind.DECISION else "draft"
    label, css = STATE_LABELS[state]
    days = 0
    if kind == DueKind.DECISION:
        days = (
            thresholds.decision_escalation_working_days
            if state == "overdue"
            else thresholds.decision_reminder_working_days
        )
    elif kind == DueKind.NEXT_STEP and state == "ending_soon":
        days = (due_on - today).days
    years = {due_on.year} | ({overdue_on.year} if overdue_on else set())
    return DeadlineState(
        kind=kind,
        kind_label=DueKind(kind).label,
        due_on=due_on,
        overdue_on=overdue_on,
        state=state,
        label=label,
        css=css,
        days=days,
        date_format=DATE_IN_SENTENCE if years == {today.year} else DATE_IN_SENTENCE_WITH_YEAR,
    )
