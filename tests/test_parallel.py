"""The suite runs in parallel (pytest-xdist, `scripts/test` with LOTSA_TEST_WORKERS): each
worker has a test database and a Redis database of its own, so one worker's flush (of the
database after a transactional test, of Redis in the cache tests) never reaches another's data.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from config.test_settings import _redis_database_of_this_worker

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def test_each_worker_counts_down_from_the_configured_redis_database():
    url = "redis://127.0.0.1:6379/15"
    assert _redis_database_of_this_worker(url, "") == url  # a serial run: as configured
    assert _redis_database_of_this_worker(url, "gw0") == url
    assert _redis_database_of_this_worker(url, "gw1") == "redis://127.0.0.1:6379/14"
    assert _redis_database_of_this_worker(url, "gw14") == "redis://127.0.0.1:6379/1"
    assert _redis_database_of_this_worker("", "gw3") == ""  # no broker: nothing to share
    # Database 0 is an installation's default: never flushed by a test worker.
    with pytest.raises(ImproperlyConfigured, match="gw15 would need Redis database 0"):
        _redis_database_of_this_worker(url, "gw15")


def test_this_worker_uses_its_own_database_and_redis_database(db, worker_services, settings):
    name = connection.settings_dict["NAME"]
    assert worker_services["database"] == name
    if WORKER:
        # pytest-django's suffix: test_<name>_gw0, test_<name>_gw1...
        assert name.endswith(f"_{WORKER}")
    else:
        assert not name.rsplit("_", 1)[-1].startswith("gw")
    if settings.LOTSA_TEST_BROKER_URL:
        configured = int(os.environ["LOTSA_TEST_BROKER_URL"].rsplit("/", 1)[1] or 0)
        index = int(WORKER[2:]) if WORKER else 0
        assert settings.LOTSA_TEST_BROKER_URL.endswith(f"/{configured - index}")


def _everyones(worker_services) -> dict[str, dict[str, str]]:
    """Every worker's services, as each wrote them at its start (tests/conftest.py); waits for
    all the workers of the run (they start together, each with its first test)."""
    deadline = time.monotonic() + 120
    while True:
        found = {}
        for path in Path(worker_services["registry"]).glob("*.json"):
            entry = json.loads(path.read_text())
            found[entry["worker"]] = entry
        if len(found) >= WORKERS or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def test_no_two_workers_share_a_database_or_a_redis_database(db, worker_services):
    everyone = _everyones(worker_services)
    assert len(everyone) == WORKERS, f"only {sorted(everyone)} of {WORKERS} workers started"
    assert everyone[worker_services["worker"]]["database"] == worker_services["database"]
    databases = [entry["database"] for entry in everyone.values()]
    assert len(set(databases)) == len(databases), databases
    brokers = [entry["redis"] for entry in everyone.values() if entry["redis"]]
    assert len(set(brokers)) == len(brokers), brokers
