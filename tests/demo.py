"""The whole demo (`seed_demo`, what `make run` shows), built once per test process and shared.

Building the demo takes a while (about 200 cases, 400 outreach contacts), so it is built once, in
a database of its own: a copy of the migrated test database (`<test database>_demo`), made when
the test database is new and filled the first time a test asks for `demo`. A test that asks for
`demo` runs on that database, in a transaction rolled back afterwards like any `db` test, so what
it changes never reaches the next test; the tests without it never see the demo. The fixture
returns what `seed_demo` reported having made (a `Demo`).

`demo` works with the `db` fixture (one transaction per test) only: a transactional test would
empty the shared database, so asking for both is an error. On SQLite (a run without PostgreSQL)
the test database lives in memory and cannot be copied: there each test builds the demo in its
own transaction, slowly.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection


@dataclass(frozen=True)
class Demo:
    """What `seed_demo` made, as it reported it."""

    cases: int
    applications: int
    contacts: int
    trainings: int


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test that asks for `demo` gets it before any other function fixture (its `db` transaction
    and the personas must be made on the demo's database) but after the session and module ones
    (made on the test database), and gets `db` if it did not ask."""
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or "demo" not in names:
            continue
        for transactional in ("transactional_db", "live_server"):
            if transactional in names:
                raise pytest.UsageError(
                    f"{item.nodeid}: `demo` cannot be used with {transactional} (it would empty "
                    "the shared demo database); see tests/demo.py"
                )
        # After the session and module fixtures (made on the test database as usual), before
        # every function fixture.
        definitions = item._fixtureinfo.name2fixturedefs  # type: ignore[attr-defined]
        names.remove("demo")
        first = next(
            (
                index
                for index, name in enumerate(names)
                if name not in definitions or definitions[name][-1].scope == "function"
            ),
            len(names),
        )
        names.insert(first, "demo")
        if "db" not in names:
            names.insert(first + 1, "db")


class _DemoDatabase:
    """The copy of the test database that holds the demo (PostgreSQL); filled on first use."""

    def __init__(self) -> None:
        self.name = ""
        self.built: Demo | None = None

    def copy(self) -> None:
        test_name = connection.settings_dict["NAME"]
        self.name = f"{test_name}_demo"
        connection.close()  # CREATE DATABASE ... TEMPLATE needs the source to itself
        with _postgres_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{self.name}" TEMPLATE "{test_name}"')

    def drop(self) -> None:
        if self.name:
            with _postgres_admin() as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def build(self) -> Demo:
        if self.built is None:
            with connected_to(self.name):
                self.built = seed_demo()
        return self.built


def seed_demo() -> Demo:
    """`seed_demo` on the current database; what it reported having made."""
    out = io.StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=out)
    return Demo(
        cases=_reported(out.getvalue(), "Demo cases created"),
        applications=_reported(out.getvalue(), "Demo reflection-period applications"),
        contacts=_reported(out.getvalue(), "Demo outreach contacts created"),
        trainings=_reported(out.getvalue(), "Demo trainings created"),
    )


def _reported(output: str, line: str) -> int:
    found = re.search(rf"^{re.escape(line)}[^:]*: (\d+)$", output, re.MULTILINE)
    assert found, f"seed_demo did not report {line!r}:\n{output}"
    return int(found.group(1))


@contextmanager
def _postgres_admin() -> Iterator[psycopg.Connection]:
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"] or None,
        port=params["PORT"] or None,
        user=params["USER"] or None,
        password=params["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        yield admin


@contextmanager
def connected_to(name: str) -> Iterator[None]:
    """Django's default connection on database `name` for the duration (the same server)."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original


@pytest.fixture(scope="session", autouse=True)
def _demo_database(
    django_db_setup, django_db_blocker, request: pytest.FixtureRequest
) -> Iterator[_DemoDatabase | None]:
    """The demo's database, copied from the test database while it is new (no test has
    changed it, no other connection uses it); dropped at the end of the session. Only when a
    test of the run asks for `demo` (pytest-django makes no test database for a run without
    database tests)."""
    wanted = any("demo" in getattr(item, "fixturenames", ()) for item in request.session.items)
    if connection.vendor != "postgresql" or not wanted:
        yield None
        return
    with django_db_blocker.unblock():
        database = _DemoDatabase()
        database.copy()
    yield database
    with django_db_blocker.unblock():
        database.drop()


@pytest.fixture
def demo(
    _demo_database: _DemoDatabase | None, django_db_blocker, request: pytest.FixtureRequest
) -> Iterator[Demo]:
    """The whole demo: this test runs on the demo's database (see the module's docstring)."""
    if _demo_database is None:
        request.getfixturevalue("db")  # the test's transaction, then the demo in it
        yield seed_demo()
        return
    with django_db_blocker.unblock():
        built = _demo_database.build()
    with connected_to(_demo_database.name):
        yield built
