"""The demo's database (SQLite, `make run`) under hostile input and two people at once.

On SQLite a 100 kB search failed with "LIKE or GLOB pattern too complex" (500) on the case
list, its CSV export and the contact list, and two coordinators accepting one referral at the
same moment got a 500 "database is locked". Now a search text over the limit is refused with a
Swedish message (400), two writers queue for the lock (BEGIN IMMEDIATE) so the second gets the
same 409 as on PostgreSQL, and a lock held longer than Lotsa waits answers 409 too.

These run against a real SQLite file in a process of their own (tests/sqlite_scenarios.py),
since the suite's database is PostgreSQL. They need nothing but Python: never skipped.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from core.search import SEARCH_MAX_LENGTH
from tests.helpers import ROOT, clean_env

TOO_LONG = "Söktexten är för lång"
ACCEPTED_BEFORE_YOU = "före dig. Inget sparades för din del."
BUSY = "Någon annan sparade samtidigt"


def _env(database: Path) -> dict[str, str]:
    return clean_env(
        DJANGO_SETTINGS_MODULE="config.test_settings", DATABASE_URL=f"sqlite:///{database}"
    )


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """One migrated SQLite file for the module; each test works on a copy."""
    database = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return database


@pytest.fixture
def database(migrated, tmp_path) -> Path:
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(migrated, copy)
    return copy


def _run(database: Path, *args: str) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_scenarios", *args],
        cwd=ROOT,
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    output: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return output


def test_the_demo_database_is_in_write_ahead_mode(database):
    import sqlite3

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)


@pytest.fixture(scope="module")
def searched(migrated, tmp_path_factory) -> dict[str, Any]:
    copy = tmp_path_factory.mktemp("searched") / "demo.sqlite3"
    shutil.copy(migrated, copy)
    return _run(copy, "search")


def test_a_100_kb_search_is_refused_in_swedish_on_every_search(searched):
    result = searched
    for name, outcome in result.items():
        if name.startswith("admin"):
            continue
        if "huge" in name:
            assert outcome["status"] == 400, (name, outcome["body"][:2000])
            assert TOO_LONG in outcome["body"], name
            assert f"högst {SEARCH_MAX_LENGTH} tecken" in outcome["body"], name
            # htmx shows it where the results would go (lotsa.js swaps an explained 400).
            assert outcome["explained"] == "1", name
        else:  # a search at the limit works, with non-ASCII letters
            assert outcome["status"] == 200, (name, outcome["body"][:2000])
            assert TOO_LONG not in outcome["body"], name


def test_a_huge_admin_search_finds_nothing_and_says_why(searched):
    outcome = searched["admin search huge"]
    assert outcome["status"] == 200
    assert "Söktexten är för lång: sök med högst" in outcome["body"]


def test_two_coordinators_accepting_one_referral_at_once_get_one_success_and_one_409(database):
    result = _run(database, "race")
    for outcome in result["rounds"]:
        assert outcome["statuses"] == [302, 409], outcome["statuses"]
        assert outcome["status"] == "accepted"
        # The same explanation as on PostgreSQL: who accepted it first, nothing saved for you.
        assert ACCEPTED_BEFORE_YOU in outcome["bodies"][0]
    assert result["accepted"] == len(result["rounds"])


def test_a_database_locked_longer_than_lotsa_waits_answers_409_and_saves_nothing(database):
    result = _run(database, "locked", str(database))
    assert result["busy"]["status"] == 409
    assert BUSY in result["busy"]["body"]
    assert "Inget sparades" in result["busy"]["body"]
    assert result["busy htmx"]["status"] == 409
    assert result["busy htmx"]["explained"] == "1"
    assert BUSY in result["busy htmx"]["body"]
    assert result["entries while locked"] == 0
    assert result["after"] == 302
    assert result["entries after"] == 1
