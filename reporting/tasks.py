"""Celery tasks of the reporting app."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from reporting import services

# Seconds a worker may spend on one export (the PDF at national scale takes a few).
GENERATE_TIME_LIMIT = 180


@shared_task(
    acks_late=True,
    soft_time_limit=GENERATE_TIME_LIMIT - 60,
    time_limit=GENERATE_TIME_LIMIT,
    # Not reject_on_worker_lost: an export that kills its worker (memory) would come back
    # forever. The export sweep queues a lost one again once, then gives up.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=5,
    ignore_result=True,
)
def generate_export(export_id: int) -> None:
    """Generate an annual-report file (PDF, CSV zip or JSON) for a logged export request."""
    services.export_generate(export_id=export_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
    ignore_result=True,
)
def sweep_exports() -> dict[str, int]:
    """Queue again exports that never reached a worker; retry or give up lost ones."""
    return services.exports_sweep()
