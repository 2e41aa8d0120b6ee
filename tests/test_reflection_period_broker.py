"""A reminder round-trips through the real Redis broker and a real Celery worker.

The worker runs in a thread of the test process (Celery's `start_worker`), consuming a queue
whose name is unique to this test run, so other test runs on the same Redis cannot take its
messages. The test is transactional: the worker thread has its own database connection and
must see what the test committed.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.core import mail
from django.utils import timezone

from accounts.models import Notification
from config.celery import app as celery_app
from reflection_period.models import Reminder, ReminderRule
from reflection_period.tasks import scan_reminders
from reflection_period.workdays import subtract_working_days
from tests.broker import wait_for
from tests.reflection_period_helpers import open_case, submitted


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reminder_round_trips_through_the_broker(worker_queues, coordinator, manager):
    today = timezone.localdate()
    case = open_case(coordinator, opened_on=today - timedelta(days=60))
    application = submitted(case, subtract_working_days(today, 3))
    ran_in: list[tuple[str, str]] = []

    def record(sender=None, **kwargs):
        ran_in.append((sender.name, threading.current_thread().name))

    task_prerun.connect(record, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=worker_queues,
            shutdown_timeout=30,
        ):
            scan_reminders.delay()  # published to Redis, taken by the worker
            assert wait_for(
                lambda: Notification.objects.filter(emailed_at__isnull=False).exists()
            ), f"no reminder e-mailed through the broker; tasks run: {ran_in}"
    finally:
        task_prerun.disconnect(record)

    reminder = Reminder.objects.get()
    assert reminder.application_id == application.pk
    assert reminder.rule == ReminderRule.DECISION_PENDING
    assert reminder.sent_at is not None
    notification = Notification.objects.get()
    assert notification.recipient == coordinator
    assert notification.key == reminder.key
    assert [message.to for message in mail.outbox] == [[coordinator.email]]
    # Both the scan and the e-mail ran in the worker's thread, not in the test's.
    names = {name for name, thread in ran_in if thread != threading.current_thread().name}
    assert {
        "reflection_period.tasks.scan_reminders",
        "accounts.tasks.send_notification_email",
    } <= names
