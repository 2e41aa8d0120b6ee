"""Notification e-mails through a real SMTP server the test controls (tests/smtp_server.py):
no lock is held across SMTP, delivery is at least once with a stable Message-ID, failures are
tried again with backoff and swept up within minutes."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.emails import MAX_ATTEMPTS, claim_seconds, notifications_email_due
from accounts.models import Notification
from accounts.notifications import NotificationKind, notify, register_kind
from accounts.tasks import send_notification_email, send_unsent_notification_emails
from config.celery import app as celery_app
from tests.broker import wait_for
from tests.factories import TEST_PASSWORD
from tests.smtp_server import SMTPServer, use_smtp

register_kind("test.delivery", NotificationKind(text=gettext_lazy("Something needs you.")))


def _notify(user, key: str = "delivery-1") -> Notification:
    (notification,) = notify(recipients=[user], key=key, kind="test.delivery")
    return notification


@pytest.mark.broker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_recipient_signs_in_while_the_smtp_server_holds_its_reply(
    settings, worker_queues, coordinator
):
    """Before: the e-mail task locked the notification joined to its recipient (FOR UPDATE on
    both rows) and talked SMTP inside the transaction: the recipient's sign-in (which stamps
    last_login) and any new notification to them (its foreign key) waited for the mail server."""
    with SMTPServer(mode="hold", hold_seconds=20) as smtp:
        use_smtp(settings, smtp, timeout=30)
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=worker_queues,
            shutdown_timeout=30,
        ):
            notification = _notify(coordinator)
            assert smtp.data_received.wait(20), "the worker never reached the SMTP server"

            # The mail server is holding its reply. The recipient signs in meanwhile ...
            client = Client()
            started = time.monotonic()
            response = client.post(
                reverse("accounts:login"),
                {"username": coordinator.username, "password": TEST_PASSWORD},
            )
            signed_in_after = time.monotonic() - started
            assert response.status_code == 302, response.content[:500]
            # ... and a reminder scan's escalation notifies them again.
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '10s'")
                _notify(coordinator, key="delivery-escalation")
            assert not smtp.replied.is_set(), (
                f"the sign-in ({signed_in_after:.1f} s) waited for the mail server's reply"
            )

            smtp.release()
            assert wait_for(
                lambda: Notification.objects.filter(
                    pk=notification.pk, emailed_at__isnull=False
                ).exists()
            )
    coordinator.refresh_from_db()
    assert coordinator.last_login is not None


def test_every_e_mail_of_a_notification_has_the_same_message_id(
    db, settings, coordinator, django_capture_on_commit_callbacks
):
    """At least once: a repeat (here: the first delivery was never recorded, as when a worker
    dies after the server's 250) carries the Message-ID and Date of the first."""
    with SMTPServer() as smtp:
        use_smtp(settings, smtp)
        with django_capture_on_commit_callbacks(execute=False):
            notification = _notify(coordinator)
        send_notification_email(notification.pk)
        # Forget the delivery, as if the worker had died before recording it.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=None)
        send_notification_email(notification.pk)
    first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"]
    assert first["Message-ID"].startswith(f"<notification.{notification.pk}.")
    assert first["Message-ID"].endswith("@127.0.0.1>")  # LOTSA_BASE_URL's host
    assert first["Date"] == second["Date"]


def test_a_refused_e_mail_is_tried_again_with_backoff_by_the_sweep(
    db, settings, coordinator, django_capture_on_commit_callbacks
):
    with SMTPServer(mode="refuse") as smtp:
        use_smtp(settings, smtp)
        with django_capture_on_commit_callbacks(execute=False):
            notification = _notify(coordinator)
        send_notification_email(notification.pk)
        notification.refresh_from_db()
        assert notification.emailed_at is None
        assert notification.email_attempts == 1
        assert notification.email_error == "SMTPDataError 451"
        assert notification.email_claimed_until is None
        assert notification.email_retry_at is not None
        first_retry = notification.email_retry_at - timezone.now()
        assert timedelta(seconds=25) < first_retry <= timedelta(seconds=30)
        assert notifications_email_due() == []

        with time_machine.travel(timezone.now() + timedelta(seconds=31)):
            assert send_unsent_notification_emails() == 1  # refused again
        notification.refresh_from_db()
        assert notification.email_attempts == 2
        assert notification.email_retry_at is not None
        assert notification.email_retry_at - notification.created_at > timedelta(seconds=80)

        smtp.mode = "accept"
        with time_machine.travel(timezone.now() + timedelta(minutes=2)):
            assert send_unsent_notification_emails() == 1
            assert send_unsent_notification_emails() == 0
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None
    assert smtp.attempts == 3
    assert len(smtp.messages) == 1


def test_an_e_mail_never_queued_is_swept_up_within_two_minutes(
    db, settings, coordinator, django_capture_on_commit_callbacks
):
    """Before: the sweep looked only at notifications older than ten minutes, every fifteen."""
    assert settings.CELERY_BEAT_SCHEDULE["notification-email-sweep"]["schedule"] <= timedelta(
        minutes=1
    )
    with SMTPServer() as smtp:
        use_smtp(settings, smtp)
        with django_capture_on_commit_callbacks(execute=False):  # never queued
            notification = _notify(coordinator)
        assert send_unsent_notification_emails() == 0  # its own task may still be on the way
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            assert send_unsent_notification_emails() == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert len(smtp.messages) == 1


def test_a_claim_keeps_a_second_attempt_out_until_it_runs_out(
    db, settings, coordinator, django_capture_on_commit_callbacks
):
    """A worker that died mid-send leaves its claim; nobody sends until it has run out (the
    first attempt is then certainly over), and then the sweep does."""
    with SMTPServer() as smtp:
        use_smtp(settings, smtp)
        with django_capture_on_commit_callbacks(execute=False):
            notification = _notify(coordinator)
        Notification.objects.filter(pk=notification.pk).update(
            email_claimed_until=timezone.now() + timedelta(seconds=claim_seconds()),
            email_attempts=1,
        )
        send_notification_email(notification.pk)  # a redelivered task: finds the claim
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            assert notifications_email_due() == []
        assert smtp.messages == []
        with time_machine.travel(timezone.now() + timedelta(seconds=claim_seconds() + 1)):
            assert send_unsent_notification_emails() == 1
    assert len(smtp.messages) == 1


def test_an_e_mail_is_given_up_after_the_last_attempt(db, coordinator):
    notification = Notification.objects.create(
        recipient=coordinator, key="k", kind="test.delivery", email_attempts=MAX_ATTEMPTS
    )
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert notification.pk not in notifications_email_due()
