"""Publishing Celery tasks so that a broker that is down never fails the request or loses work.

Every task Lotsa queues is asked for by a row in the database (an unsent notification's
e-mail, an unsent reminder, a queued export): the row is the outbox. Publishing after the
commit may fail when the broker (Redis) cannot be reached; the request then goes on, a warning
is logged, and a periodic sweep finds the row and queues its task again once the broker is
back. Without a broker (the zero-install default) tasks run in-process and nothing is caught.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a publish raises when the broker cannot be reached (kombu wraps most of it).
BROKER_ERRORS: tuple[type[Exception], ...] = (
    BrokerError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)

# A publish tries three times within about a second, then gives up: the sweep takes over.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0.2, "interval_step": 0.4, "interval_max": 1}


def enqueue(task: Task, *args: Any) -> bool:
    """Queue `task(*args)`: True once the broker has it, False (logged) when it cannot be
    reached. In-process (no broker): runs the task now, as Celery's eager mode does."""
    if task.app.conf.task_always_eager:
        task.apply_async(args=args)
        return True
    try:
        task.apply_async(args=args, retry=True, retry_policy=PUBLISH_RETRY)
    except BROKER_ERRORS as exc:
        logger.warning(
            "broker unreachable, %s%s not queued (a sweep queues it later): %s",
            task.name,
            tuple(args),
            type(exc).__name__,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """`enqueue` once the current transaction has committed (at once outside one)."""
    transaction.on_commit(lambda: enqueue(task, *args))
