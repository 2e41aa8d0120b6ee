"""Celery tasks of the reflection period: the periodic reminder scan and delivering one
reminder. Thin: they call the services, which make both exactly-once (see services.py)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reflection_period import services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    # A worker killed mid-scan puts the scan back on the queue; running it again is harmless.
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=3,
    ignore_result=True,
)
def scan_reminders() -> int:
    """Create and send the reminders due now (every 15 minutes from beat)."""
    result = services.reminders_scan()
    logger.info(
        "reminder scan: %s created, %s unsent delivered, %s acknowledged",
        result.created,
        result.recovered,
        result.acknowledged,
    )
    return result.created


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=30,
    max_retries=5,
    ignore_result=True,
)
def send_reminder(reminder_id: int) -> bool:
    """Deliver one reminder; a second delivery of this task finds it sent and does nothing."""
    return services.reminder_send(reminder_id=reminder_id)
