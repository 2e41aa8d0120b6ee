"""What a long-running process does once it has started: a gunicorn worker (config/wsgi.py) and
each Celery worker process (config/celery.py)."""

from __future__ import annotations

import gc


def settle() -> None:
    """Keep what start-up loaded (modules, settings, models, apps: some 86,000 objects in a
    gunicorn worker) out of the garbage collector's full passes, which otherwise walk all of it.

    Everything loaded so far lives as long as the process, so there is nothing there to
    collect (a collection at this point finds nothing unreachable). Measured on the benchmark's
    machine (bench/RESULTS.md): a full pass took 28–37 ms in a fresh worker, and about 80 ms
    once pages had been served (136,000 objects), in the middle of whichever request set it
    off; the annual report's PDF, whose layout makes many short-lived objects, took 0.31 s
    instead of 0.40 s."""
    gc.freeze()
