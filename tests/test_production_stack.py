"""The production commands of docker-compose.yml, run here: gunicorn with config/gunicorn.py
answers the compose health check with ALLOWED_HOSTS set to a real name, and the Celery workers
consume every queue the settings route tasks to, e-mail on a worker of its own."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.helpers import PRODUCTION, ROOT, clean_env, collect_static
from tests.own_services import free_port

COMPOSE = (ROOT / "docker-compose.yml").read_text()


def _service(name: str) -> str:
    """The text of one service of the compose file (up to the next service)."""
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \S|^\S|\Z)", COMPOSE, re.MULTILINE | re.DOTALL)
    assert match, name
    return match.group(1)


def _json_list(service: str, key: str) -> list[str]:
    match = re.search(rf"^\s+{key}: (\[.*\])$", _service(service), re.MULTILINE)
    assert match, (service, key)
    value: list[str] = json.loads(match.group(1))
    return value


def _worker_queues() -> dict[str, set[str]]:
    """Queues each worker service consumes (its --queues)."""
    workers = {}
    for name in re.findall(r"^  (\w[\w-]*):\n", COMPOSE, re.MULTILINE):
        try:
            command = _json_list(name, "command")
        except AssertionError:
            continue
        if command[:4] == ["celery", "-A", "config", "worker"]:
            assert "--queues" in command, f"{name} consumes no named queue"
            workers[name] = set(command[command.index("--queues") + 1].split(","))
    return workers


def test_every_routed_queue_is_consumed_and_e_mail_has_a_worker_of_its_own():
    workers = _worker_queues()
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    consumed = set().union(*workers.values())
    assert {settings.CELERY_TASK_DEFAULT_QUEUE, *routed} <= consumed
    email_workers = [
        name for name, queues in workers.items() if settings.LOTSA_EMAIL_QUEUE in queues
    ]
    assert email_workers
    for name in email_workers:
        assert workers[name] == {settings.LOTSA_EMAIL_QUEUE}, f"{name} shares e-mail's worker"


def test_the_e_mail_task_has_time_limits_and_the_sweeps_are_scheduled():
    from accounts.tasks import send_notification_email

    hard, soft = send_notification_email.time_limit, send_notification_email.soft_time_limit
    assert hard == settings.LOTSA_EMAIL_TIME_LIMIT
    assert soft is not None
    assert settings.EMAIL_TIMEOUT < soft < hard
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "accounts.tasks.send_unsent_notification_emails",
        "reporting.tasks.sweep_exports",
    } <= tasks


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_compose_health_check_passes_with_allowed_hosts_set_to_a_real_name(tmp_path):
    """Before: the check asked for http://localhost:8000/healthz and Django answered 400
    (DisallowedHost) with ALLOWED_HOSTS=lotsa.example.se: `web` was never healthy."""
    port = free_port()
    db = connection.settings_dict
    env = clean_env(
        **PRODUCTION,
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        GUNICORN_THREADS="2",
        # As in the image: without the collected files every page, the 400 included, is a 500.
        STATIC_ROOT=str(collect_static(tmp_path / "static")),
    )
    assert env["ALLOWED_HOSTS"] == "lotsa.example.se"
    command = _json_list("web", "command")
    assert command[command.index("--config") + 1] == "config/gunicorn.py"
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "config.wsgi:application",
            "-c",
            "config/gunicorn.py",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing", timeout=2)
            except urllib.error.HTTPError:
                break  # answering
            except OSError:
                time.sleep(0.3)
        check = _json_list("web", "test")
        assert check[:2] == ["CMD", "python"]
        code = check[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        result = subprocess.run(
            [sys.executable, *check[2:-1], code],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        # Host validation is unchanged for every other page.
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10)
        assert refused.value.code == 400
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
