"""Celery tasks of the accounts app: e-mailing notifications (see accounts/emails.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from accounts import emails
from core.queueing import enqueue

logger = logging.getLogger(__name__)

# The database was unreachable or the connection broke: try again shortly.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def _database_retry_delay(retries: int) -> int:
    """5, 10, 20, 40, 60, 60, ... seconds: a PostgreSQL restart or fail-over is covered."""
    return int(min(60, 5 * 2**retries))


@shared_task(
    bind=True,
    acks_late=True,
    # A worker lost mid-task puts the message back; a second run sends at most a repeat with
    # the same Message-ID (the claim makes it wait until the first run is certainly over).
    reject_on_worker_lost=True,
    soft_time_limit=settings.LOTSA_EMAIL_TIME_LIMIT - 10,
    time_limit=settings.LOTSA_EMAIL_TIME_LIMIT,
    max_retries=12,
    ignore_result=True,
)
def send_notification_email(self: Task, notification_id: int, sent_at: str | None = None) -> None:
    """E-mail one notification (at least once): the e-mail says only that there is something in
    Lotsa, with a link; no names, no case details (e-mail leaves the closed network).

    A failure to send is recorded with the time of the next try, which the sweep queues. A
    database error is retried here, with backoff; when it comes after the mail server accepted
    the message, the retry only records the delivery (`sent_at`) instead of sending again.
    """
    try:
        if sent_at is None:
            try:
                claim = emails.notification_email_claim(notification_id=notification_id)
            except emails.EmailBusy:
                return  # another attempt is sending; if it dies, its claim runs out
            if claim is None:
                return
            try:
                emails.notification_email_send(claim)
            except emails.SEND_ERRORS as error:
                emails.notification_email_record_failure(
                    notification_id=notification_id, error=error
                )
                return
            sent_at = timezone.now().isoformat()
        emails.notification_email_record_sent(
            notification_id=notification_id, sent_at=datetime.fromisoformat(sent_at)
        )
    except (*DATABASE_ERRORS, SoftTimeLimitExceeded) as exc:
        # The database went away, or stalled past the time limit: try again shortly (after a
        # delivery, only to record it).
        raise self.retry(
            exc=exc,
            kwargs={"notification_id": notification_id, "sent_at": sent_at},
            countdown=_database_retry_delay(self.request.retries),
        ) from exc
    logger.info("notification %s e-mailed", notification_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=DATABASE_ERRORS,
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=5,
    ignore_result=True,
)
def send_unsent_notification_emails() -> int:
    """The sweep: queue the e-mail of every notification that is due another try (never
    queued, lost with a worker, failed earlier). Queuing one twice is harmless (the claim)."""
    due = emails.notifications_email_due()
    for notification_id in due:
        enqueue(send_notification_email, notification_id)
    return len(due)
