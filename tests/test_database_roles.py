"""Two database roles on the real PostgreSQL: the owner runs the migrations, the application's
role only reads and writes rows. As the application's role, Lotsa cannot TRUNCATE, UPDATE or
DELETE the access log, nor switch its append-only trigger off (the superuser it used to connect
as could); its normal work (a page view written to the log, a case opened) still works.

The test makes a database and two roles of its own (random names) with the committed init
script (deploy/postgres/10-lotsa-roles.sh), migrates as the owner, applies `db_grants`, and
drops all three afterwards; the server's other roles and databases are never touched.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import psycopg
import pytest
from django.db import connection
from psycopg import errors

from tests.helpers import PRODUCTION, ROOT, clean_env

pytestmark = [pytest.mark.postgres, pytest.mark.psql]

LOG = "accounts_accesslogentry"


@dataclass
class Installation:
    host: str
    port: str
    superuser: str
    database: str
    owner: str
    app: str

    def url(self, role: str) -> str:
        return f"postgres://{role}:secret-{role}@{self.host}:{self.port}/{self.database}"

    def connect(self, role: str) -> psycopg.Connection:
        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=role,
            password=f"secret-{role}",
            dbname=self.database,
            autocommit=True,
        )


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        cwd=ROOT,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def installation() -> Iterator[Installation]:
    settings = connection.settings_dict
    name = f"lotsa_roletest_{secrets.token_hex(4)}"
    found = Installation(
        host=settings["HOST"] or "127.0.0.1",
        port=str(settings["PORT"] or 5432),
        superuser=settings["USER"],
        database=name,
        owner=f"{name}_owner",
        app=f"{name}_app",
    )
    admin = psycopg.connect(
        host=found.host, port=found.port, user=found.superuser, dbname="postgres", autocommit=True
    )
    try:
        created = _run(
            ["bash", str(ROOT / "deploy/postgres/10-lotsa-roles.sh")],
            PGHOST=found.host,
            PGPORT=found.port,
            POSTGRES_USER=found.superuser,
            POSTGRES_DB="postgres",
            LOTSA_DB_NAME=found.database,
            LOTSA_DB_OWNER=found.owner,
            LOTSA_DB_APP=found.app,
            LOTSA_DB_OWNER_PASSWORD=f"secret-{found.owner}",
            LOTSA_DB_APP_PASSWORD=f"secret-{found.app}",
        )
        assert created.returncode == 0, created.stderr
        as_owner = {**PRODUCTION, "DATABASE_URL": found.url(found.owner)}
        migrated = _run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], **as_owner
        )
        assert migrated.returncode == 0, migrated.stderr[-5000:]
        granted = _run(
            [sys.executable, "manage.py", "db_grants", "--apply", "--app-role", found.app],
            **as_owner,
        )
        assert granted.returncode == 0, granted.stderr[-5000:]
        yield found
    finally:
        admin.execute(
            psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                psycopg.sql.Identifier(found.database)
            )
        )
        for role in (found.app, found.owner):
            admin.execute(
                psycopg.sql.SQL("DROP ROLE IF EXISTS {}").format(psycopg.sql.Identifier(role))
            )
        admin.close()


@pytest.fixture(scope="module")
def day_of_work(installation) -> dict[str, object]:
    """The application's normal work, as the application's role."""
    result = _run(
        [sys.executable, "-m", "tests.app_role_scenario"],
        DJANGO_SETTINGS_MODULE="config.test_settings",
        DATABASE_URL=installation.url(installation.app),
    )
    assert result.returncode == 0, result.stderr[-5000:]
    output: dict[str, object] = json.loads(result.stdout.splitlines()[-1])
    return output


def test_the_roles_are_neither_superusers_nor_the_same(installation):
    with installation.connect(installation.app) as app:
        rows = app.execute(
            "SELECT rolname, rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
            "WHERE rolname IN (%s, %s) ORDER BY rolname",
            [installation.owner, installation.app],
        ).fetchall()
        assert [row[1:] for row in rows] == [(False, False, False)] * 2
        owner = app.execute(
            "SELECT tableowner FROM pg_tables WHERE tablename = %s", [LOG]
        ).fetchone()
    assert owner == (installation.owner,)


def test_the_applications_normal_work_runs_as_its_role(day_of_work, installation):
    assert day_of_work["role"] == installation.app
    assert day_of_work["created"] == 302
    assert day_of_work["case"]
    assert day_of_work["page"] == 200
    assert day_of_work["search"] == 200
    assert day_of_work["logged by the page"] >= 1  # the case (and its person)
    assert day_of_work["deadline board"] == 200
    assert day_of_work["my deadlines"] == 1  # the case's coordinator, written by the trigger
    assert day_of_work["contact list"] == 200
    assert day_of_work["own contacts counted"] == 1  # written by the triggers, as this role


@pytest.mark.parametrize(
    ("statement", "refusal"),
    [
        ("TRUNCATE accounts_accesslogentry", "permission denied for table"),
        ("UPDATE accounts_accesslogentry SET detail = 'rewritten'", "permission denied for table"),
        ("DELETE FROM accounts_accesslogentry", "permission denied for table"),
        ("ALTER TABLE accounts_accesslogentry DISABLE TRIGGER USER", "must be owner of table"),
        ("ALTER TABLE accounts_accesslogentry DISABLE TRIGGER ALL", "must be owner of table"),
        ("SET session_replication_role = replica", "permission denied to set parameter"),
        ("DROP TABLE accounts_accesslogentry", "must be owner of table"),
        ("CREATE TABLE lotsa_intruder (id int)", "permission denied for schema public"),
    ],
)
def test_the_applications_role_cannot_change_or_empty_the_access_log(
    day_of_work, installation, statement, refusal
):
    """Refused by the privileges themselves (not only by the trigger, which refuses UPDATE and
    DELETE with the same SQLSTATE, but whose owner could switch it off)."""
    with installation.connect(installation.app) as app:
        before = app.execute(f"SELECT count(*) FROM {LOG}").fetchone()  # noqa: S608
        assert before is not None
        assert before[0] >= 1  # the day of work wrote to it
        with pytest.raises(errors.InsufficientPrivilege) as refused:
            app.execute(statement)
        assert refusal in str(refused.value)
        after = app.execute(f"SELECT count(*), min(detail) FROM {LOG}").fetchone()  # noqa: S608
    assert after is not None
    assert after[0] == before[0]
    assert after[1] != "rewritten"


def test_the_trigger_is_still_on(day_of_work, installation):
    with installation.connect(installation.app) as app:
        states = app.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [LOG],
        ).fetchall()
    assert states
    assert {state for (state,) in states} == {"O"}  # enabled (origin)


def test_the_owner_keeps_the_trigger_against_its_own_updates(day_of_work, installation):
    """The owner could switch it off, so the application does not connect as the owner; but
    while it is on, even the owner's UPDATE is refused (migration audit.0001)."""
    with (
        installation.connect(installation.owner) as owner,
        pytest.raises(errors.InsufficientPrivilege, match="append-only"),
    ):
        owner.execute(f"UPDATE {LOG} SET detail = 'rewritten'")  # noqa: S608


def test_db_grants_refuses_to_make_the_owner_the_application(installation):
    result = _run(
        [sys.executable, "manage.py", "db_grants", "--app-role", installation.owner],
        **PRODUCTION,
        DATABASE_URL=installation.url(installation.owner),
    )
    assert result.returncode == 1
    assert "must not be the tables' owner" in result.stderr


def test_db_grants_prints_the_statements_without_applying_them(installation):
    result = _run(
        [sys.executable, "manage.py", "db_grants", "--app-role", installation.app],
        **PRODUCTION,
        DATABASE_URL=installation.url(installation.owner),
    )
    assert result.returncode == 0, result.stderr
    assert f'REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "{LOG}"' in result.stdout
    assert f'FROM "{installation.app}"' in result.stdout
