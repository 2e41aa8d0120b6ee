"""Shared fixtures: named personas, and the rules for tests that need real services."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Generator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from pytest_django.plugin import blocking_manager_key

from tests.factories import (
    AdminFactory,
    CoordinatorFactory,
    ManagerFactory,
    OutreachWorkerFactory,
    UserFactory,
)

SERVICES_REQUIRED = os.environ.get("LOTSA_REQUIRE_SERVICES") == "1"

# Fixtures for the real broker (real_broker) live in tests/broker.py; the OpenID Connect
# provider of the single sign-on tests (oidc_provider) in tests/sso_provider.py; the whole demo,
# built once per test process (demo), in tests/demo.py.
pytest_plugins = ["tests.broker", "tests.sso_provider", "tests.demo"]


def _on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """In CI every test runs; elsewhere a test needing a missing service is skipped, loudly."""
    missing: dict[str, str] = {}
    if not _on_postgres():
        missing["postgres"] = "PostgreSQL is not configured (DATABASE_URL)"
    if not settings.LOTSA_TEST_BROKER_URL:
        missing["broker"] = "no Redis broker for tests (LOTSA_TEST_BROKER_URL)"
    if not os.path.exists("/usr/bin/chromium"):
        missing["e2e"] = "Debian's Chromium is not installed (apt-get install chromium)"
    if not shutil.which("xgettext"):
        missing["gettext"] = "GNU gettext is not installed (apt-get install gettext)"
    if not (shutil.which("caddy") and shutil.which("openssl")):
        missing["proxy"] = "Caddy or OpenSSL is not installed (apt-get install caddy openssl)"
    if not shutil.which("psql"):
        missing["psql"] = "psql is not installed (apt-get install postgresql-client)"
    if SERVICES_REQUIRED and missing:
        raise pytest.UsageError(
            "LOTSA_REQUIRE_SERVICES=1 but: " + "; ".join(missing.values()) + ". See .ci/run."
        )
    for item in items:
        for marker, reason in missing.items():
            if marker in item.keywords:
                item.add_marker(pytest.mark.skip(reason=f"SKIPPED LOUDLY: {reason}"))


# The serialized snapshot of the migrated test database (roles, reference data), as Django made
# it for transactional tests; the browser tests hand it on (see tests/e2e/conftest.py).
DB_SNAPSHOTS: dict[str, str] = {}


@pytest.fixture(scope="session", autouse=True)
def _db_snapshot(django_db_setup, django_db_blocker):
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents:
            DB_SNAPSHOTS[alias] = contents


def _transactional(item: pytest.Item) -> bool:
    """As pytest-django decides (its test ordering): the test commits, and Django empties every
    table after it."""
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool(
        (marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
        or "transactional_db" in names
        or "live_server" in names
    )


_after_a_flush = {"now": False}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, object, object]:
    result = yield
    if _transactional(item):
        _after_a_flush["now"] = True
    return result


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """After a transactional test Django leaves the tables empty, reference data (roles,
    districts, organisations) included; it restores them only when the next transactional test
    starts. A serial run orders every transactional test last (pytest-django), but a parallel
    one keeps each file's tests together on one worker (`--dist loadfile`), so another file's
    `db` tests may come next: the migrated database's snapshot is put back for them first."""
    if not _after_a_flush["now"] or _transactional(item) or not DB_SNAPSHOTS:
        return
    if "db" not in getattr(item, "fixturenames", ()) and not item.get_closest_marker("django_db"):
        return
    with item.config.stash[blocking_manager_key].unblock():
        for alias, contents in DB_SNAPSHOTS.items():
            connections[alias].creation.deserialize_db_from_string(contents)
    _after_a_flush["now"] = False


@pytest.fixture(scope="session", autouse=True)
def worker_services(django_db_setup, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """This test process's test database and Redis database, also written where the other
    workers of a parallel run (pytest-xdist) can read them: tests/test_parallel.py checks that
    no two share one. Returns {"worker", "database", "redis", "registry"} (the folder of
    every worker's file)."""
    mine = {
        "worker": os.environ.get("PYTEST_XDIST_WORKER", "main"),
        "database": connection.settings_dict["NAME"],
        "redis": settings.LOTSA_TEST_BROKER_URL,
    }
    # Every worker's base temporary directory is in the run's one (pytest-xdist's way).
    run = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        run = run.parent
    shared = run / "lotsa-workers"
    shared.mkdir(exist_ok=True)
    (shared / f"{mine['worker']}.json").write_text(json.dumps(mine))
    return {**mine, "registry": str(shared)}


@pytest.fixture
def report_cache(settings):
    """The statistics cache on (tests run without it) and empty before and after the test."""
    settings.LOTSA_REPORT_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coordinator(db):
    return CoordinatorFactory.create(username="karin", first_name="Karin")


@pytest.fixture
def other_coordinator(db):
    return CoordinatorFactory.create(username="samira", first_name="Samira")


@pytest.fixture
def outreach_worker(db):
    return OutreachWorkerFactory.create(username="jonas", first_name="Jonas")


@pytest.fixture
def manager(db):
    return ManagerFactory.create(username="maria", first_name="Maria")


@pytest.fixture
def admin_user(db):
    return AdminFactory.create(username="ali", first_name="Ali")


@pytest.fixture
def outsider(db):
    """Signed in, but without any role."""
    return UserFactory.create(username="olle", first_name="Olle")
