"""Celery tasks of the accounts app: e-mailing notifications."""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    retry_backoff_max=3600,
    max_retries=8,
)
def send_notification_email(notification_id: int) -> None:
    """E-mail one notification, once. The e-mail says only that there is something in Lotsa,
    with a link: no names, no case details (e-mail leaves the closed network).

    The row lock makes a second worker wait and then see `emailed_at` set. A failure to send
    raises, the transaction rolls back, and Celery retries later; the in-app notification
    exists already and is not touched.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            return
        with translation.override(settings.LANGUAGE_CODE):
            subject = settings.EMAIL_SUBJECT_PREFIX + _("You have a new notification in Lotsa")
            body = render_to_string(
                "emails/notification.txt",
                {
                    "recipient": recipient,
                    "link": settings.LOTSA_BASE_URL.rstrip("/") + "/notifications/",
                },
            )
        send_mail(subject, body, None, [recipient.email])
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    logger.info("notification %s e-mailed", notification_id)


@shared_task(acks_late=True)
def send_unsent_notification_emails() -> int:
    """The safety net of `notify()`: queue the e-mail of every notification left unsent.

    Idempotent: `send_notification_email` sends each notification at most once.
    """
    from accounts.notifications import notifications_unsent

    pending = notifications_unsent()
    for notification_id in pending:
        send_notification_email.delay(notification_id)
    return len(pending)
