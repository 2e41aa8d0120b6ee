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
from django.conf import settings

from config.celery import app as celery_app


def forget_broker_connections() -> None:
    # The producer pool is bound to the broker URL it was first created with (Celery's own
    # after-fork reset does the same).
    setattr(celery_app, "_pool", None)  # noqa: B010  (a private attribute, out of mypy's sight)
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
        # The router is built once from task_routes; the fixture changes them.
        amqp._rtable = None
        amqp.__dict__.pop("router", None)


def route_to_test_queues(broker_url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Send tasks to `broker_url` (eager mode off), on queues of their own named like the
    settings' (the default queue, and e-mail's as routed in CELERY_TASK_ROUTES); returns them."""
    queue = f"lotsa-test-{uuid.uuid4().hex}"
    email_queue = f"{queue}-email"
    conf = celery_app.conf
    routes = {
        task: {**route, "queue": email_queue}
        for task, route in conf.task_routes.items()
        if route.get("queue") == settings.LOTSA_EMAIL_QUEUE
    }
    assert routes, "CELERY_TASK_ROUTES sends nothing to the e-mail queue"
    for name, value in {
        "broker_url": broker_url,
        "task_always_eager": False,
        "task_default_queue": queue,
        "task_routes": routes,
        "worker_enable_remote_control": False,
    }.items():
        monkeypatch.setitem(conf, name, value)
    forget_broker_connections()
    return [queue, email_queue]


@pytest.fixture
def real_broker(settings, monkeypatch):
    """Tasks go to the test Redis (eager mode off) on queues of their own: yields the default
    queue's name; `worker_queues` gives both (the default one and e-mail's)."""
    queue, _email = route_to_test_queues(settings.LOTSA_TEST_BROKER_URL, monkeypatch)
    settings.LOTSA_BROKER_CONFIGURED = True
    yield queue
    forget_broker_connections()


@pytest.fixture
def worker_queues(real_broker):
    """The queues a test worker consumes to see every task: the default and the e-mail queue."""
    return [real_broker, f"{real_broker}-email"]


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
