"""The shared cache (Redis) fails soft: when it cannot be reached, pages go on without it.

Everything Lotsa keeps in the cache can be done without it: cached figures and counts are
computed from the database, and the rate limits count in the process's own memory (each web
process then counts on its own; the sign-in lockout is django-axes's, in the database, and is
not affected). A warning is logged once per outage and process; after a failure the cache is
left alone for RETRY_SECONDS, so that a cache that hangs does not slow every request.

When the cache answers again, this process first retires every cached value of every
generation cache (core/generation_cache.py): a change saved during the outage could not retire
them, and must not be hidden by values cached before it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import caches
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

T = TypeVar("T")

RETRY_SECONDS = 5.0
# What an unreachable or failing cache server raises (Redis; a memcached would add its own).
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)

_lock = threading.Lock()
_down_since: float | None = None
_retry_at = 0.0
_on_recovery: list[Callable[[], None]] = []


def on_recovery(callback: Callable[[], None]) -> None:
    """Run `callback` when the cache answers again after an outage this process saw."""
    _on_recovery.append(callback)


def is_down() -> bool:
    return time.monotonic() < _retry_at


def _failed(alias: str, exc: Exception) -> None:
    global _down_since, _retry_at
    with _lock:
        first = _down_since is None
        if first:
            _down_since = time.monotonic()
        _retry_at = time.monotonic() + RETRY_SECONDS
    if first:
        logger.warning("cache %r unreachable (%s): working without it until it answers", alias, exc)


def _answered(alias: str) -> None:
    global _down_since
    with _lock:
        if _down_since is None:
            return
        outage = time.monotonic() - _down_since
        _down_since = None
    # Retire what was cached before the outage (a change made during it could not).
    for callback in _on_recovery:
        callback()
    logger.warning("cache %r answers again after %.0f s; cached values retired", alias, outage)


def call(alias: str, operation: Callable[[Any], T], fallback: Callable[[], T]) -> T:
    """`operation(cache)` on the cache `alias`, or `fallback()` when the cache fails (or failed
    less than RETRY_SECONDS ago)."""
    if is_down():
        return fallback()
    try:
        result = operation(caches[alias])
    except CACHE_ERRORS as exc:
        _failed(alias, exc)
        return fallback()
    if _down_since is not None:
        _answered(alias)
    return result


def reset() -> None:
    """Forget an outage (tests)."""
    global _down_since, _retry_at
    with _lock:
        _down_since = None
        _retry_at = 0.0
