"""`seed_demo` refuses a database that may be production's: it adds invented people and staff
accounts with printed passwords. It runs with DEBUG on (the demo) or with
`--i-know-this-is-not-production` (the module fixture of tests/test_reporting_outputs.py runs
the whole demo that way, with DEBUG off as in production)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import User
from casework.models import Case, Individual
from tests.helpers import PRODUCTION, run_manage


def test_with_debug_off_it_refuses_and_changes_nothing(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", stdout=io.StringIO())
    assert "--i-know-this-is-not-production" in str(refused.value)
    assert "Nothing was changed" in str(refused.value)
    assert not User.objects.exists()
    assert not Individual.objects.exists()
    assert not Case.objects.exists()


def test_resetting_the_demo_passwords_is_refused_too(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo", "--reset-passwords", stdout=io.StringIO())
    assert not User.objects.exists()


def test_an_operator_with_production_settings_gets_a_refusal_and_exit_code_1(tmp_path):
    """As `python manage.py seed_demo` on a production server: DEBUG off, the database migrated."""
    database = f"sqlite:///{tmp_path / 'production.sqlite3'}"
    migrated = run_manage("migrate", "--noinput", "-v", "0", **PRODUCTION, DATABASE_URL=database)
    assert migrated.returncode == 0, migrated.stderr
    result = run_manage("seed_demo", **PRODUCTION, DATABASE_URL=database)
    assert result.returncode == 1
    assert "Refusing to add demo data" in result.stderr
    assert "password:" not in result.stdout
    counted = run_manage(
        "shell",
        "-c",
        "from accounts.models import User; from casework.models import Case; "
        "print(User.objects.count(), Case.objects.count())",
        **PRODUCTION,
        DATABASE_URL=database,
    )
    assert counted.stdout.splitlines()[-1].split() == ["0", "0"], counted.stderr
