"""Celery tasks of the exportjobs app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from exportjobs import services


@shared_task(
    acks_late=True,
    soft_time_limit=settings.LOTSA_EXPORT_TASK_SECONDS - 60,
    time_limit=settings.LOTSA_EXPORT_TASK_SECONDS,
    # Not reject_on_worker_lost: a file that kills its worker (memory) would come back forever;
    # the sweep gives a lost one up and the page says to ask again.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=3,
    ignore_result=True,
)
def make_export_file(job_id: int) -> None:
    """Make the file of a background export (exportjobs.services.job_make)."""
    services.job_make(job_id=job_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
    ignore_result=True,
)
def sweep_export_jobs() -> dict[str, int]:
    """Queue again jobs that never reached a worker; give up lost ones; delete expired ones."""
    return services.jobs_sweep()
