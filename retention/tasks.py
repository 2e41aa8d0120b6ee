"""The monthly retention task: it only proposes. Culling needs a manager's confirmation."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from retention import services


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=3,
    ignore_result=True,
)
def propose_retention() -> int:
    """Make this month's proposal and notify the managers; returns the run's id. Running it
    twice only replaces the waiting proposal with an identical one."""
    run = services.run_propose(by=None)
    return run.pk
