"""In-app notifications (the bell) and their e-mails."""

from __future__ import annotations

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils.translation import gettext_lazy

from accounts.models import Notification
from accounts.notifications import NotificationKind, notify, register_kind
from accounts.tasks import send_notification_email

register_kind("test.hello", NotificationKind(text=gettext_lazy("Case %(case)s needs you.")))


def _notify(django_capture_on_commit_callbacks, users, key="k1"):
    with django_capture_on_commit_callbacks(execute=True):
        return notify(
            recipients=users,
            key=key,
            kind="test.hello",
            params={"case": "2024-0001"},
            url="/cases/1/",
        )


def test_notify_once_per_key_and_email_once(
    db, coordinator, manager, django_capture_on_commit_callbacks
):
    created = _notify(django_capture_on_commit_callbacks, [coordinator, manager])
    assert len(created) == 2
    again = _notify(django_capture_on_commit_callbacks, [coordinator, manager])
    assert again == []
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2
    assert all(n.emailed_at for n in Notification.objects.all())


def test_email_holds_no_case_details(db, coordinator, django_capture_on_commit_callbacks):
    _notify(django_capture_on_commit_callbacks, [coordinator])
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "2024-0001" not in f"{message.subject} {message.body}"
    assert "Lotsa" in message.subject
    assert "/notifications/" in message.body


class FlakySMTP(EmailBackend):
    failures = 1

    def send_messages(self, messages):
        if FlakySMTP.failures:
            FlakySMTP.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection lost")
        return super().send_messages(messages)


def test_an_email_failure_is_retried_without_a_second_notification(
    db, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.test_notifications.FlakySMTP"
    FlakySMTP.failures = 1
    with django_capture_on_commit_callbacks(execute=False):
        (notification,) = notify(
            recipients=[coordinator], key="k", kind="test.hello", params={"case": "x"}
        )
    # The first attempt fails: recorded, with the next try due later (tests/test_email_delivery.py
    # covers the backoff and the sweep); the next attempt sends it.
    send_notification_email.apply(args=(notification.pk,), throw=False)
    assert FlakySMTP.failures == 0
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert notification.email_error == "SMTPServerDisconnected"
    send_notification_email.apply(args=(notification.pk,))
    # A further (duplicate) delivery of the task sends nothing more.
    send_notification_email.apply(args=(notification.pk,))
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_bell_shows_unread_count_and_acknowledging_clears_it(
    client, db, coordinator, django_capture_on_commit_callbacks
):
    _notify(django_capture_on_commit_callbacks, [coordinator])
    _notify(django_capture_on_commit_callbacks, [coordinator], key="k2")
    client.force_login(coordinator)
    page = client.get(reverse("notifications")).content.decode()
    assert "Case 2024-0001 needs you." in page  # a test-only kind: no Swedish text
    assert '2<span class="visually-hidden"> olästa' in page
    first = Notification.objects.earliest("pk")
    response = client.post(
        reverse("notification_acknowledge", args=[first.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.read_at is not None
    client.post(reverse("notification_acknowledge_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_others_notifications_are_404(
    client, db, coordinator, manager, django_capture_on_commit_callbacks
):
    _notify(django_capture_on_commit_callbacks, [manager])
    client.force_login(coordinator)
    notification = Notification.objects.get()
    assert (
        client.post(reverse("notification_acknowledge", args=[notification.pk])).status_code == 404
    )
    assert (
        client.get(reverse("notification_acknowledge", args=[notification.pk])).status_code == 405
    )


def test_unknown_kind_is_refused(db, coordinator):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify(recipients=[coordinator], key="x", kind="nope")


def test_unsent_emails_are_swept_up_later(db, coordinator, django_capture_on_commit_callbacks):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from accounts.tasks import send_unsent_notification_emails

    # The process died after the commit, before the e-mail was queued.
    with django_capture_on_commit_callbacks(execute=False):
        (notification,) = notify(
            recipients=[coordinator], key="lost", kind="test.hello", params={"case": "x"}
        )
    assert send_unsent_notification_emails() == 0  # too recent: its own e-mail may be on the way
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert send_unsent_notification_emails() == 1
        assert send_unsent_notification_emails() == 0
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1


def test_retiring_a_key_marks_its_notifications_read(
    db, coordinator, manager, django_capture_on_commit_callbacks
):
    from accounts.notifications import notifications_retire

    _notify(django_capture_on_commit_callbacks, [coordinator, manager], key="referral.1.new")
    assert notifications_retire(key="referral.1.new") == 2
    assert not Notification.objects.filter(read_at__isnull=True).exists()
