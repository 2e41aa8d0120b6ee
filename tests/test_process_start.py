"""A gunicorn worker and each Celery worker process keep what start-up loaded out of the garbage
collector's full passes (config/process.py)."""

from __future__ import annotations

from tests.helpers import PRODUCTION, run_python


def _frozen_after(code: str) -> tuple[int, int]:
    result = run_python(
        "import gc; before = gc.get_freeze_count(); "
        + code
        + "; print(before, gc.get_freeze_count())",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split()[-2:]
    return int(before), int(after)


def test_the_web_process_freezes_what_it_loaded():
    before, after = _frozen_after("import config.wsgi")
    assert before == 0
    # Django, the apps and their models: tens of thousands of objects.
    assert after > 20_000


def test_each_celery_worker_process_freezes_what_it_loaded():
    before, after = _frozen_after(
        "import django; django.setup(); import config.celery; "
        "from celery.signals import worker_process_init; "
        "worker_process_init.send(sender=None)"
    )
    assert before == 0
    assert after > 20_000


def test_importing_the_celery_app_alone_freezes_nothing():
    """Only a worker process settles: `manage.py` commands and the web app that send tasks
    import the Celery app too, and freeze (or not) on their own terms."""
    before, after = _frozen_after("import django; django.setup(); import config.celery")
    assert (before, after) == (0, 0)
