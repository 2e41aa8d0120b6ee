"""Two transactions at once, for tests of what database triggers write when changes meet."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection, connections, transaction


def while_uncommitted(
    change_here: Callable[[], object], other_change: Callable[[], object]
) -> None:
    """Make `change_here` in this thread's transaction; meanwhile `other_change` runs in a
    transaction of its own in another thread. Commit once the other one has finished or is
    waiting for a lock, then wait for it; its error, if any, fails the test."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with transaction.atomic():
                other_change()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections["default"].close()

    other = threading.Thread(target=run)
    with transaction.atomic():
        change_here()
        other.start()
        deadline = time.monotonic() + 10
        with connection.cursor() as cursor:
            while other.is_alive() and time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
                time.sleep(0.02)
    other.join(timeout=10)
    assert not other.is_alive()
    assert not errors
