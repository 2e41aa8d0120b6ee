"""The Celery application: configured from Django's settings (the CELERY_ namespace)."""

import os
from typing import Any

from celery import Celery
from celery.signals import worker_process_init

from config.process import settle

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("lotsa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def _settle_worker_process(**_kwargs: Any) -> None:
    """Each worker process, once forked and set up (it renders the PDF exports)."""
    settle()
