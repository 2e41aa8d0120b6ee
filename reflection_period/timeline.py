"""The reflection period on the case page: a panel beside the timeline (applications, open
deadlines, "Apply for reflection period") and timeline items (what was done to each
application, and the reminders sent). Registered in ReflectionPeriodConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from accounts.models import User
from casework.models import Case
from casework.selectors import can_edit_cases
from casework.timeline import (
    Panel,
    TimelineItem,
    has_rows,
    newest,
    register,
    register_panel,
    register_presence,
)
from reflection_period.deadlines import Thresholds, deadline_state
from reflection_period.models import ApplicationEvent, ReflectionPeriodApplication, Reminder
from reflection_period.selectors import case_applications

_HAS_APPLICATIONS = (ReflectionPeriodApplication, "case")


def _applications(case: Case) -> list[ReflectionPeriodApplication]:
    """The case's applications, read once per case page: the panel and both timeline providers
    ask. Most cases have none, which the case page's presence query (casework.timeline) answers:
    such a case costs no query of its own here."""
    store = case.__dict__
    if "_reflection_period_applications" not in store:
        store["_reflection_period_applications"] = (
            case_applications(case) if has_rows(case, _HAS_APPLICATIONS) else []
        )
    applications: list[ReflectionPeriodApplication] = store["_reflection_period_applications"]
    return applications


def application_panel(case: Case, user: User) -> Panel:
    """Two queries (shared with the timeline): the case's applications and their purposes."""
    applications = _applications(case)
    today = timezone.localdate()
    thresholds = Thresholds.current()
    rows = [(app, deadline_state(app, today, thresholds)) for app in applications]
    can_apply = (
        can_edit_cases(user) and case.is_open and not any(app.is_open for app in applications)
    )
    return Panel(
        template="reflection_period/_case_panel.html",
        context={"rows": rows, "can_apply": can_apply, "case": case},
    )


def event_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    if not _applications(case):
        return
    events = ApplicationEvent.objects.filter(application__case=case).select_related(
        "application", "by"
    )
    for event in newest(events, limit, "on", "at"):
        yield TimelineItem(
            on=event.on,
            recorded_at=event.at,
            template="reflection_period/timeline/_event.html",
            context={"event": event, "application": event.application},
        )


def reminder_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    if not _applications(case):
        return
    reminders = Reminder.objects.filter(application__case=case).select_related(
        "application", "recipient"
    )
    for reminder in newest(reminders, limit, "created_at"):
        yield TimelineItem(
            on=timezone.localdate(reminder.created_at),
            recorded_at=reminder.created_at,
            template="reflection_period/timeline/_reminder.html",
            context={"reminder": reminder},
        )


def register_all() -> None:
    register_presence(*_HAS_APPLICATIONS)
    register(event_items)
    register(reminder_items)
    register_panel(application_panel)
