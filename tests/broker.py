"""Helpers for tests that need the real Redis broker and a real Celery worker.

The worker runs in a thread of the test process (Celery's `start_worker`), consuming a queue
whose name is unique to the test, so other test runs on the same Redis cannot take its messages.
Such tests are transactional: the worker thread has its own database connection.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import pytest

from config.celery import app as celery_app


def forget_broker_connections() -> None:
    # The producer pool is bound to the broker URL it was first created with (Celery's own
    # after-fork reset does the same).
    setattr(celery_app, "_pool", None)  # noqa: B010  (a private attribute, out of mypy's sight)
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None


@pytest.fixture
def real_broker(settings, monkeypatch):
    """Tasks go to the test Redis (eager mode off) on a queue of their own."""
    queue = f"lotsa-test-{uuid.uuid4().hex}"
    conf = celery_app.conf
    for name, value in {
        "broker_url": settings.LOTSA_TEST_BROKER_URL,
        "task_always_eager": False,
        "task_default_queue": queue,
        "worker_enable_remote_control": False,
    }.items():
        monkeypatch.setitem(conf, name, value)
    settings.LOTSA_BROKER_CONFIGURED = True
    forget_broker_connections()
    yield queue
    forget_broker_connections()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
