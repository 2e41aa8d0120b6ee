"""Settings come from the environment and fail loudly when a required one is missing."""

from __future__ import annotations

import json

import psycopg
import pytest
from django.db import connection

from tests.helpers import PRODUCTION, run_manage, run_python

SHOW = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'broker': s.CELERY_BROKER_URL, 'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, "
    "'email': s.EMAIL_BACKEND, 'hosts': s.ALLOWED_HOSTS, "
    "'report_cache': s.LOTSA_REPORT_CACHE_SECONDS}))"
)


def _settings(**env: str) -> dict:
    result = run_python(SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_missing_secret_key_with_debug_off_refuses_to_start():
    result = run_python("import django; django.setup()", DEBUG="false", ALLOWED_HOSTS="x")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "refuses to start" in result.stderr


def test_missing_allowed_hosts_with_debug_off_refuses_to_start():
    result = run_python("import django; django.setup()", DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_defaults_are_the_zero_install_setup():
    values = _settings(DEBUG="true")
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"].endswith("var/lotsa.sqlite3")
    assert values["eager"] is True  # no broker: tasks run in-process
    assert values["tz"] == "Europe/Stockholm"
    assert values["lang"] == "sv"
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"


def test_the_report_cache_is_on_only_with_a_cache_every_process_shares():
    """A change clears the cached statistics in the cache it is made through: with each web
    process's own memory, the others would go on showing the old figures."""
    assert _settings(**PRODUCTION)["report_cache"] == 0
    assert _settings(**PRODUCTION, CACHE_URL="redis://127.0.0.1:6379/1")["report_cache"] == 86400
    chosen = _settings(**PRODUCTION, LOTSA_REPORT_CACHE_SECONDS="600")
    assert chosen["report_cache"] == 600


def test_database_url_switches_the_engine():
    values = _settings(**PRODUCTION, DATABASE_URL="postgres://lotsa:pw@db.example:5432/lotsa")
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "lotsa"


def test_broker_url_sends_tasks_to_workers():
    values = _settings(**PRODUCTION, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/0"


def test_email_url_selects_smtp():
    values = _settings(**PRODUCTION, EMAIL_URL="smtp://mail.example.se:25")
    assert values["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_deploy_check_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PARALLEL = "max_parallel_workers_per_gather"


def test_postgresql_connections_run_without_parallel_workers_unless_asked(db):
    """DATABASE_PARALLEL_WORKERS (default 0) reaches every PostgreSQL connection Lotsa opens."""
    if connection.vendor != "postgresql":
        pytest.fail("the test suite runs on PostgreSQL (scripts/test)")
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {PARALLEL}")
        assert cursor.fetchone() == ("0",)
    show = (
        "import django; django.setup(); from django.db import connection as c; "
        "cur = c.cursor(); cur.execute('SHOW max_parallel_workers_per_gather'); "
        "print(cur.fetchone()[0])"
    )
    params = connection.settings_dict
    server = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
    with psycopg.connect(server.replace("postgres://", "postgresql://")) as plain:
        (server_default,) = plain.execute(f"SHOW {PARALLEL}").fetchone() or ("?",)
    for value, shown in (("3", "3"), ("", server_default)):  # empty: no option sent
        result = run_python(
            show, DEBUG="true", DATABASE_URL=server, DATABASE_PARALLEL_WORKERS=value
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == shown


def test_postgresql_connections_run_without_jit_unless_asked(db):
    """DATABASE_JIT (default off) reaches every PostgreSQL connection Lotsa opens; empty sends
    no option (the server's setting applies)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
    show = (
        "import django; django.setup(); from django.db import connection as c; "
        "cur = c.cursor(); cur.execute('SHOW jit'); "
        "print(cur.fetchone()[0])"
    )
    params = connection.settings_dict
    server = f"postgres://{params['USER']}@{params['HOST']}:{params['PORT']}/{params['NAME']}"
    with psycopg.connect(server.replace("postgres://", "postgresql://")) as plain:
        (server_default,) = plain.execute("SHOW jit").fetchone() or ("?",)
    for value, shown in (("on", "on"), ("off", "off"), ("", server_default)):
        result = run_python(show, DEBUG="true", DATABASE_URL=server, DATABASE_JIT=value)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip().splitlines()[-1] == shown
