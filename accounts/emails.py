"""Delivering a notification's e-mail: at least once, with no lock held across SMTP.

Exactly once is not possible over SMTP: a worker can die after the mail server accepted a
message and before Lotsa stored that it did. Lotsa therefore promises *at least once* and makes
a repeat recognisable: every e-mail of a notification carries the same Message-ID (and Date),
so mail systems that deduplicate drop it and a person sees the same message twice.

One attempt is three steps, each short:

1. **claim** (a transaction that locks the notification's row only): nothing to do if it was
   sent, or if another attempt holds an unexpired claim; otherwise the row is claimed for
   longer than an e-mail task may run, and the transaction commits;
2. **send**, outside any transaction, with `EMAIL_TIMEOUT` on every SMTP operation;
3. **record** the delivery (`emailed_at`), or the failure with the moment of the next try
   (backoff), in a transaction of its own.

A claim left by a worker that died runs out by itself; the sweep (`notifications_email_due`,
every `LOTSA_EMAIL_SWEEP_SECONDS`) then queues the e-mail again, as it does for failures whose
next try is due and for e-mails never queued (the broker was down).
"""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from urllib.parse import urlsplit

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Notification

logger = logging.getLogger(__name__)

# How long a first attempt may take to come round before the sweep queues it again.
FIRST_ATTEMPT_GRACE = timedelta(minutes=1)
# After the n-th failure the next try waits 30 s × 2^(n-1), at most an hour: 30 s, 1, 2, 4, 8,
# 16, 32 min, then hourly. After MAX_ATTEMPTS the e-mail is given up (the in-app notification
# stays); that is about 14 hours of failures.
RETRY_FIRST = timedelta(seconds=30)
RETRY_MAX = timedelta(hours=1)
MAX_ATTEMPTS = 20

# Failures worth another try later: the server refused for now, the connection failed or timed
# out, or the task ran out of time.
SEND_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPException,
    OSError,
    SoftTimeLimitExceeded,
)


class EmailBusy(Exception):
    """Another attempt holds an unexpired claim on this notification's e-mail."""


@dataclass(frozen=True)
class EmailClaim:
    notification_id: int
    to: str
    subject: str
    body: str
    message_id: str
    date: datetime


def claim_seconds() -> int:
    """A claim outlasts the longest an e-mail task may run (it is then certainly over)."""
    return int(settings.LOTSA_EMAIL_TIME_LIMIT) + 30


def message_id(notification: Notification) -> str:
    """The same for every e-mail of one notification, and unique across installations and
    restored copies (the id alone would repeat after a restore into an older state)."""
    domain = urlsplit(settings.LOTSA_BASE_URL).hostname or "lotsa.invalid"
    return f"<notification.{notification.pk}.{notification.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def retry_delay(attempts: int) -> timedelta:
    return min(RETRY_MAX, RETRY_FIRST * (1 << max(0, min(attempts, MAX_ATTEMPTS) - 1)))


def notification_email_claim(*, notification_id: int) -> EmailClaim | None:
    """Step 1: the e-mail to send now, or None when there is none (sent already, the recipient
    has no address or left). Raises EmailBusy while another attempt holds the claim."""
    with transaction.atomic():
        # Race: the notification's own task, a task of the sweep and a task redelivered after a
        # worker was lost may run at once; the lock orders their claims. It is the notification's
        # row only (`of`): the recipient's user row, which every sign-in updates and every new
        # notification's foreign key reads, is never locked here.
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.emailed_at is not None:
            return None
        recipient = notification.recipient
        if not recipient.email or not recipient.is_active:
            return None
        now = timezone.now()
        if notification.email_claimed_until and notification.email_claimed_until > now:
            raise EmailBusy(notification_id)
        notification.email_claimed_until = now + timedelta(seconds=claim_seconds())
        notification.email_attempts += 1
        notification.save(update_fields=["email_claimed_until", "email_attempts"])
    with translation.override(settings.LANGUAGE_CODE):
        subject = settings.EMAIL_SUBJECT_PREFIX + _("You have a new notification in Lotsa")
        body = render_to_string(
            "emails/notification.txt",
            {
                "recipient": recipient,
                "link": settings.LOTSA_BASE_URL.rstrip("/") + "/notifications/",
            },
        )
    return EmailClaim(
        notification_id=notification_id,
        to=recipient.email,
        subject=subject,
        body=body,
        message_id=message_id(notification),
        date=notification.created_at,
    )


def notification_email_send(claim: EmailClaim) -> None:
    """Step 2, outside any transaction: one SMTP conversation (EMAIL_TIMEOUT per operation)."""
    EmailMessage(
        claim.subject,
        claim.body,
        None,
        [claim.to],
        headers={"Message-ID": claim.message_id, "Date": format_datetime(claim.date)},
    ).send()


def notification_email_record_sent(*, notification_id: int, sent_at: datetime) -> None:
    """Step 3 after a delivery."""
    Notification.objects.filter(pk=notification_id).update(
        emailed_at=sent_at, email_claimed_until=None, email_retry_at=None, email_error=""
    )


def notification_email_record_failure(*, notification_id: int, error: BaseException) -> None:
    """Step 3 after a failure: release the claim and set the next try (backoff)."""
    notification = Notification.objects.only("email_attempts").get(pk=notification_id)
    delay = retry_delay(notification.email_attempts)
    code = getattr(error, "smtp_code", None)
    Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(
        email_claimed_until=None,
        email_retry_at=timezone.now() + delay,
        email_error=f"{type(error).__name__}{f' {code}' if code else ''}"[:100],
    )
    level = logging.ERROR if notification.email_attempts >= MAX_ATTEMPTS else logging.WARNING
    logger.log(
        level,
        "notification %s: e-mail attempt %s failed (%s)%s",
        notification_id,
        notification.email_attempts,
        type(error).__name__,
        " — given up" if level == logging.ERROR else f", next try in {delay}",
    )


def notifications_email_due(*, limit: int = 500) -> list[int]:
    """Notifications whose e-mail should be tried now: unsent, unclaimed (or the claim ran
    out), the next try due (a first attempt gets FIRST_ATTEMPT_GRACE to come round), fewer than
    MAX_ATTEMPTS so far, and still unread by an active recipient with an address."""
    now = timezone.now()
    return list(
        Notification.objects.filter(
            emailed_at__isnull=True,
            read_at__isnull=True,
            recipient__is_active=True,
            email_attempts__lt=MAX_ATTEMPTS,
        )
        .filter(Q(email_claimed_until__isnull=True) | Q(email_claimed_until__lte=now))
        .alias(due=Coalesce(F("email_retry_at"), F("created_at") + FIRST_ATTEMPT_GRACE))
        .filter(due__lte=now)
        .exclude(recipient__email="")
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
