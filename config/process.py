"""What a long-running process does once it has started: a gunicorn worker (config/wsgi.py) and
each Celery worker process (config/celery.py)."""

from __future__ import annotations

import gc


def settle() -> None:
    """Keep what start-up loaded (modules, settings, models, apps: some 86,000 objects in a
    gunicorn worker) out of the garbage collector's full passes, which otherwise walk all of it.

    Everything loaded so far lives as long as the process, so there is nothing there to
    collect (a collection at this point finds nothing unreachable). A full pass otherwise runs
    in the middle of whichever request sets it off; the annual report's PDF, whose layout makes
    many short-lived objects, gains most (bench/RESULTS.md)."""
    gc.freeze()
