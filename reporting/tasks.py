"""Celery tasks of the reporting app."""

from __future__ import annotations

from celery import shared_task

from reporting import services


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def generate_export(export_id: int) -> None:
    """Generate an annual-report file (PDF, CSV zip or JSON) for a logged export request."""
    services.export_generate(export_id=export_id)
