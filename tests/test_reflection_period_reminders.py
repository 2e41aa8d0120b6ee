"""Deadline reminders: each rule fires on its day and not the day before, exactly once, to the
right people, also across a crash, a retry, an e-mail failure or two scans at once."""

from __future__ import annotations

import os
import signal
import smtplib
import threading
from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.db import connection

from accounts.models import Notification
from accounts.notifications import notification_acknowledge, notification_text
from accounts.notifications import notify as real_notify
from accounts.tasks import send_unsent_notification_emails
from casework.models import Case
from config.celery import app as celery_app
from reflection_period import services
from reflection_period.models import NextStep, Reminder, ReminderRule
from tests.reflection_period_helpers import open_case, permit_ending_on, submitted

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def at(day: date, hour: int = 10):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=STOCKHOLM), tick=False
    )


def scan(day: date) -> services.ScanResult:
    with at(day, hour=8):
        return services.reminders_scan()


def rules() -> list[str]:
    return sorted(Reminder.objects.values_list("rule", flat=True))


# --- Each rule on its day -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_on", "pending_day", "overdue_day"),
    [
        # Easter 2025: Good Friday 18 April and Easter Monday 21 April are not working days.
        (date(2025, 4, 16), date(2025, 4, 22), date(2025, 4, 25)),
        # Midsummer Eve 2025 (Friday 20 June) is not a working day.
        (date(2025, 6, 18), date(2025, 6, 23), date(2025, 6, 26)),
        # Christmas and New Year 2024/25; Epiphany (Monday 6 January) as well.
        (date(2024, 12, 20), date(2024, 12, 27), date(2025, 1, 3)),
    ],
)
def test_decision_reminders_fire_on_their_working_day_and_not_the_day_before(
    coordinator, manager, submitted_on, pending_day, overdue_day
):
    case = open_case(coordinator, opened_on=date(2024, 12, 2))
    with at(submitted_on):
        application = submitted(case, submitted_on)

    scan(pending_day - timedelta(days=1))
    assert rules() == []
    scan(pending_day)
    assert rules() == [ReminderRule.DECISION_PENDING]
    pending = Reminder.objects.get()
    assert pending.recipient == coordinator
    assert pending.due_on == pending_day
    assert pending.sent_at is not None
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["karin"]
    text = notification_text(Notification.objects.get())
    assert text == (
        f"Migrationsverket har ännu inte beslutat om ansökan om betänketid i ärende "
        f"{case.number}, inskickad {submitted_on.isoformat()}."
    )

    scan(overdue_day - timedelta(days=1))
    assert rules() == [ReminderRule.DECISION_PENDING]
    scan(overdue_day)
    assert rules() == [ReminderRule.DECISION_OVERDUE, ReminderRule.DECISION_PENDING]
    overdue = Reminder.objects.get(rule=ReminderRule.DECISION_OVERDUE)
    # Escalation: the coordinator and every manager.
    assert sorted(
        Notification.objects.filter(key=overdue.key).values_list("recipient__username", flat=True)
    ) == ["karin", "maria"]
    assert "efter 5 arbetsdagar" in notification_text(
        Notification.objects.get(key=overdue.key, recipient=manager)
    )
    assert application.pk == overdue.application_id


def test_permit_reminders_fire_7_and_2_days_before_and_the_day_after(coordinator, manager):
    valid_to = date(2025, 5, 20)
    case = open_case(coordinator, opened_on=date(2025, 4, 1))
    with at(date(2025, 4, 25)):
        application = permit_ending_on(case, valid_to)
    checks = [
        (date(2025, 5, 12), []),
        (date(2025, 5, 13), [ReminderRule.PERMIT_ENDING_FIRST]),
        (date(2025, 5, 17), [ReminderRule.PERMIT_ENDING_FIRST]),
        (date(2025, 5, 18), [ReminderRule.PERMIT_ENDING_FIRST, ReminderRule.PERMIT_ENDING_SECOND]),
        (date(2025, 5, 20), [ReminderRule.PERMIT_ENDING_FIRST, ReminderRule.PERMIT_ENDING_SECOND]),
        (
            date(2025, 5, 21),
            [
                ReminderRule.PERIOD_ENDED,
                ReminderRule.PERMIT_ENDING_FIRST,
                ReminderRule.PERMIT_ENDING_SECOND,
            ],
        ),
    ]
    for day, expected in checks:
        scan(day)
        assert rules() == sorted(expected), day
    ended = Reminder.objects.get(rule=ReminderRule.PERIOD_ENDED)
    assert ended.is_escalation
    assert Notification.objects.filter(key=ended.key).count() == 2
    assert "gick ut 2025-05-20 och inget nästa steg" in notification_text(
        Notification.objects.get(key=ended.key, recipient=coordinator)
    )
    application.refresh_from_db()
    assert application.due_kind == "next_step"


def test_a_recorded_next_step_stops_the_permit_reminders(coordinator):
    case = open_case(coordinator, opened_on=date(2025, 4, 1))
    with at(date(2025, 4, 25)):
        application = permit_ending_on(case, date(2025, 5, 20))
    scan(date(2025, 5, 13))
    with at(date(2025, 5, 14)):
        services.application_record_next_step(
            application=application,
            by=coordinator,
            next_step=NextStep.SAFE_RETURN,
            next_step_on=date(2025, 5, 14),
        )
    for day in (date(2025, 5, 18), date(2025, 5, 21), date(2025, 6, 30)):
        scan(day)
    assert rules() == [ReminderRule.PERMIT_ENDING_FIRST]


def test_a_late_scan_sends_only_the_latest_reminder_of_a_family(coordinator):
    """The scan did not run for a week: only the reminder that is current is created."""
    case = open_case(coordinator, opened_on=date(2025, 4, 1))
    with at(date(2025, 4, 25)):
        permit_ending_on(case, date(2025, 5, 20))
    scan(date(2025, 5, 19))
    assert rules() == [ReminderRule.PERMIT_ENDING_SECOND]


def test_a_forgotten_draft_reminds_its_author_after_2_days(coordinator, other_coordinator):
    case = open_case(coordinator, opened_on=date(2025, 4, 1))
    with at(date(2025, 9, 1)):
        application = services.application_create(
            case=case, by=other_coordinator, offence="exploitation", purposes=["labour"]
        )
    scan(date(2025, 9, 2))
    assert rules() == []
    scan(date(2025, 9, 3))
    reminder = Reminder.objects.get()
    assert reminder.rule == ReminderRule.DRAFT_FORGOTTEN
    assert reminder.recipient == other_coordinator  # the author, not the case's coordinator
    assert notification_text(Notification.objects.get()) == (
        f"Ditt utkast till ansökan om betänketid i ärende {case.number}, skrivet 2025-09-01, "
        "har inte skickats till Migrationsverket."
    )
    assert application.pk == reminder.application_id


def test_a_decision_before_the_reminder_day_means_no_reminder(coordinator):
    case = open_case(coordinator, opened_on=date(2025, 4, 1))
    with at(date(2025, 4, 16)):
        application = submitted(case, date(2025, 4, 16))
    with at(date(2025, 4, 17)):
        services.application_record_decision(
            application=application,
            by=coordinator,
            decision="rejected",
            decided_on=date(2025, 4, 17),
        )
    scan(date(2025, 4, 30))
    assert rules() == []


# --- Exactly once ---------------------------------------------------------------------------------


@pytest.fixture
def due_application(coordinator, manager):
    """An application with an overdue decision: one reminder to two recipients is due."""
    case = open_case(coordinator, opened_on=date(2025, 4, 1))
    with at(date(2025, 4, 16)):
        return submitted(case, date(2025, 4, 16))


DAY = date(2025, 4, 28)


def test_the_scan_is_idempotent(due_application, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = scan(DAY)
        second = scan(DAY)
    assert (first.created, second.created) == (1, 0)
    assert Reminder.objects.count() == 1
    assert Notification.objects.count() == 2  # coordinator and manager, once each
    assert len(mail.outbox) == 2


def test_a_crash_between_create_and_send_loses_nothing_and_sends_once(
    due_application, django_capture_on_commit_callbacks
):
    # The process dies after the reminder was committed, before its send task was queued.
    with django_capture_on_commit_callbacks(execute=False) as lost_tasks, at(DAY):
        services.reminders_create_due(today=DAY)
    reminder = Reminder.objects.get()
    assert reminder.sent_at is None
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        result = scan(DAY)
    assert (result.created, result.recovered) == (0, 1)
    assert Reminder.objects.get().sent_at is not None
    assert Notification.objects.count() == 2

    # The lost task turns up after all (a redelivery): nothing more happens.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in lost_tasks:
            callback()
        scan(DAY)
    assert Reminder.objects.count() == 1
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_a_crash_while_sending_rolls_back_and_the_next_scan_sends(
    due_application, monkeypatch, django_capture_on_commit_callbacks
):
    def notify_then_crash(**kwargs):
        real_notify(**kwargs)
        raise ConnectionError("worker lost")

    monkeypatch.setattr(services, "notify", notify_then_crash)
    with pytest.raises(ConnectionError), django_capture_on_commit_callbacks(execute=False):
        scan(DAY)
    # The reminder was created in its own transaction; the half-done delivery was rolled back.
    assert Reminder.objects.get().sent_at is None
    assert not Notification.objects.exists()

    monkeypatch.setattr(services, "notify", real_notify)
    with django_capture_on_commit_callbacks(execute=True):
        scan(DAY)
    assert Reminder.objects.get().sent_at is not None
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


class FlakySMTP(EmailBackend):
    failures = 0

    def send_messages(self, messages):
        if FlakySMTP.failures:
            FlakySMTP.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


def test_an_email_failure_is_retried_without_a_second_reminder(
    due_application, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_reflection_period_reminders.FlakySMTP"
    FlakySMTP.failures = 1
    # As in production without a broker: a failing in-process task is retried, not raised.
    monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
    with django_capture_on_commit_callbacks(execute=True):
        scan(DAY)
        scan(DAY)
    # One e-mail failed once: recorded, with its next try due 30 s later (accounts/emails.py) ...
    assert FlakySMTP.failures == 0
    failed = Notification.objects.get(emailed_at__isnull=True)
    assert failed.email_error == "SMTPServerDisconnected"
    assert failed.email_retry_at is not None
    # ... when the e-mail sweep (every minute) sends it; a second scan sent nothing twice.
    with time_machine.travel(failed.email_retry_at + timedelta(seconds=1)):
        assert send_unsent_notification_emails() == 1
    assert Reminder.objects.count() == 1
    assert Notification.objects.count() == 2
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert len(mail.outbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_scans_at_the_same_moment_create_each_reminder_once(coordinator, manager):
    applications = []
    with at(date(2025, 4, 16)):
        for number in range(12):
            case = open_case(coordinator, opened_on=date(2025, 4, 1), alias=f"Person {number}")
            applications.append(submitted(case, date(2025, 4, 16)))
    barrier = threading.Barrier(2)
    results: list[services.ScanResult] = []
    errors: list[BaseException] = []

    def run_scan():
        try:
            barrier.wait(timeout=10)
            results.append(services.reminders_scan(today=DAY))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run_scan) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sum(result.created for result in results) == 12
    assert Reminder.objects.count() == 12
    assert Reminder.objects.filter(sent_at__isnull=True).count() == 0
    # One notification per recipient and reminder, each e-mailed once.
    assert Notification.objects.count() == 24
    assert len(mail.outbox) == 24
    assert len({(m.to[0], m.body) for m in mail.outbox}) <= 24


# --- Acknowledging --------------------------------------------------------------------------------


def test_reading_the_notification_acknowledges_the_reminder(
    due_application, coordinator, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scan(DAY)
    reminder = Reminder.objects.get()
    # A manager reading their copy does not acknowledge the coordinator's reminder.
    notification_acknowledge(notification=Notification.objects.get(recipient=manager), by=manager)
    assert services.reminders_sync_acknowledged() == 0
    notification_acknowledge(
        notification=Notification.objects.get(recipient=coordinator), by=coordinator
    )
    assert scan(DAY).acknowledged == 1
    reminder.refresh_from_db()
    assert reminder.acknowledged_at is not None


def test_acknowledging_the_reminder_marks_its_notification_read(
    due_application, coordinator, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scan(DAY)
    reminder = Reminder.objects.get()
    services.reminder_acknowledge(reminder=reminder, by=coordinator)
    reminder.refresh_from_db()
    assert reminder.acknowledged_at is not None
    assert Notification.objects.get(recipient=coordinator).read_at is not None
    assert Notification.objects.get(recipient=manager).read_at is None
    with pytest.raises(Exception, match="Bara mottagaren"):
        services.reminder_acknowledge(reminder=reminder, by=manager)


# --- The command and the schedule -----------------------------------------------------------------


def test_run_reminders_makes_one_pass(due_application, django_capture_on_commit_callbacks):
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True), at(DAY):
        call_command("run_reminders", stdout=out)
        call_command("run_reminders", stdout=out)
    assert "Reminders: 1 created" in out.getvalue()
    assert "Reminders: 0 created" in out.getvalue()
    assert Reminder.objects.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_reminders_loop_stops_on_a_signal(due_application, monkeypatch):
    """--loop runs a pass, waits, and stops cleanly on SIGTERM (sent here after two passes)."""
    from reflection_period.management.commands import run_reminders

    passes: list[int] = []
    real_pass = run_reminders.Command._pass

    def counting_pass(self):
        try:
            real_pass(self)
        finally:
            passes.append(1)
            if len(passes) == 2:
                os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(run_reminders.Command, "_pass", counting_pass)
    handler_before = signal.getsignal(signal.SIGTERM)
    out = StringIO()
    with at(DAY):
        call_command("run_reminders", "--loop", "--interval", "0.05", stdout=out)
    assert len(passes) == 2
    assert "Reminders: 1 created" in out.getvalue()
    assert "Reminder scan stopped." in out.getvalue()
    assert Reminder.objects.count() == 1
    assert signal.getsignal(signal.SIGTERM) == handler_before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_scan_is_declared_for_celery_beat_every_15_minutes():
    """Beat's database scheduler copies the declared schedule into its tables at start."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.celery import app

    DatabaseScheduler(app=app)
    task = PeriodicTask.objects.get(name="reflection-period-reminder-scan")
    assert task.task == "reflection_period.tasks.scan_reminders"
    assert (task.interval.every, task.interval.period) == (900, "seconds")
    assert task.enabled


def test_cases_of_other_coordinators_are_not_in_my_reminders(
    coordinator, other_coordinator, django_capture_on_commit_callbacks
):
    mine = open_case(coordinator, opened_on=date(2025, 4, 1))
    theirs = open_case(other_coordinator, opened_on=date(2025, 4, 1), alias="Lilja")
    with at(date(2025, 4, 16)):
        submitted(mine, date(2025, 4, 16))
        submitted(theirs, date(2025, 4, 16))
    with django_capture_on_commit_callbacks(execute=True):
        scan(date(2025, 4, 22))
    assert sorted(Reminder.objects.values_list("recipient__username", flat=True)) == [
        "karin",
        "samira",
    ]
    assert Case.objects.count() == 2
