"""Celery tasks of the importing app."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from importing import services


@shared_task(
    acks_late=True,
    soft_time_limit=settings.LOTSA_IMPORT_TASK_SECONDS - 60,
    time_limit=settings.LOTSA_IMPORT_TASK_SECONDS,
    # Not reject_on_worker_lost: a job that kills its worker would come back forever; the sweep
    # gives a lost one up and the page says to upload the file again.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=60,
    max_retries=3,
    ignore_result=True,
)
def run_import_job(job_id: int) -> None:
    """Check (dry run) or import the rows of a large file (importing.services.import_job_run)."""
    services.import_job_run(job_id=job_id)


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    max_retries=3,
    ignore_result=True,
)
def sweep_import_jobs() -> dict[str, int]:
    """Queue again jobs that never reached a worker; give up lost ones; delete expired ones."""
    return services.import_jobs_sweep()
