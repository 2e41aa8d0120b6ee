"""Backup and restore as an operator runs them (`manage.py backup`, `manage.py restore`, each in
a process of its own with the production settings): a backup restored into a fresh
database gives the same cases, journal, access log and 2024 report, and the restore clears the
cached statistics (a Redis of the test's own holds them, as in production)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import cast

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from casework import services as casework_services
from casework.models import ClosingReason, JournalKind
from documents import encryption
from documents import services as documents_services
from documents.models import Direction, DocumentKind
from reporting.models import Training
from tests.documents_helpers import pdf_bytes
from tests.factories import UserFactory
from tests.helpers import PRODUCTION, run_manage
from tests.own_services import RedisServer
from tests.reflection_period_helpers import granted, open_case, submitted

REPORT_2024 = (
    "annual_report",
    "2024",
    "--as-of",
    "2025-03-31",
    "--format",
    "json",
    "--output",
    "-",
)


def _url(name: str) -> str:
    params = connection.settings_dict
    return (
        f"postgres://{params['USER']}:{params.get('PASSWORD') or ''}@{params['HOST']}:"
        f"{params['PORT'] or 5432}/{name}"
    )


def _rows(database: str, sql: str) -> list[tuple[object, ...]]:
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params.get("PASSWORD") or None,
        dbname=database,
    ) as conn:
        return conn.execute(sql).fetchall()


def _admin(sql: str) -> None:
    params = connection.settings_dict
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        password=params.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


CHECKS = {
    "cases": (
        "SELECT closed_on IS NULL, category, count(*) FROM casework_case "
        "GROUP BY 1, 2 ORDER BY 1, 2"
    ),
    "a journal entry": (
        "SELECT id, case_id, text, author_id, signed_at FROM casework_journalentry "
        "ORDER BY id LIMIT 1 OFFSET 2"
    ),
    "journal entries": "SELECT count(*), max(id) FROM casework_journalentry",
    "access log": "SELECT * FROM accounts_accesslogentry ORDER BY id",
}


@pytest.fixture
def fresh_database():
    """An empty database beside the test database (its name contains the run's)."""
    name = f"{connection.settings_dict['NAME']}_restore"
    _admin(f'DROP DATABASE IF EXISTS "{name}"')
    _admin(f'CREATE DATABASE "{name}"')
    yield name
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_backup_restored_into_a_fresh_database_is_the_same_installation(
    tmp_path: Path, settings, coordinator, fresh_database
):
    # A small installation: cases of 2024 with applications (granted, rejected, pending), a
    # closed case, signed journal entries, and pages read (the access log).
    cases = [
        open_case(
            coordinator, opened_on=date(2024, 2, 1 + n), alias=f"Person {n}", birth_year=1990 + n
        )
        for n in range(6)
    ]
    granted(cases[0], submitted_on=date(2024, 3, 4), valid_from=date(2024, 3, 6))
    granted(cases[1], submitted_on=date(2024, 5, 6), valid_from=date(2024, 5, 8))
    submitted(cases[2], date(2024, 11, 4))
    casework_services.case_close(
        case=cases[5], by=coordinator, closed_on=date(2024, 12, 1), reason=ClosingReason.OTHER
    )
    for n, case in enumerate(cases[:4]):
        entry = casework_services.journal_entry_create(
            case=case,
            author=coordinator,
            entry_date=date(2024, 6, 1 + n),
            kind=JournalKind.MEETING,
            text=f"Samtal nummer {n} med åäö.",
        )
        casework_services.journal_entry_sign(entry=entry, by=coordinator)
    client = Client()
    client.force_login(coordinator)
    for case in cases:
        assert client.get(reverse("casework:case_detail", args=[case.pk])).status_code == 200
    # A case document, encrypted with the installation's key into its document folder.
    documents_folder = tmp_path / "documents"
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": documents_folder},
        },
    }
    settings.LOTSA_DOCUMENT_KEY = [PRODUCTION["LOTSA_DOCUMENT_KEY"]]
    letter = pdf_bytes("Beslut före säkerhetskopian")
    document = documents_services.document_upload(
        case=cases[0],
        by=coordinator,
        content=letter,
        file_name="beslut.pdf",
        kind=DocumentKind.MIGRATION_DECISION,
        direction=Direction.RECEIVED,
        dated_on=date(2024, 3, 8),
        title="Beslut",
    )

    with RedisServer(tmp_path / "redis") as redis:
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis.url(0),
                "KEY_PREFIX": "lotsa",
            }
        }
        settings.LOTSA_REPORT_CACHE_SECONDS = 3600
        source = connection.settings_dict["NAME"]
        env = {
            **PRODUCTION,
            "DATABASE_URL": _url(source),
            "CACHE_URL": redis.url(0),
            "LOTSA_REPORT_CACHE_SECONDS": "3600",
            "LOTSA_DOCUMENT_ROOT": str(documents_folder),
        }

        def report(database: str) -> dict[str, object]:
            result = run_manage(*REPORT_2024, **{**env, "DATABASE_URL": _url(database)})
            assert result.returncode == 0, result.stderr
            figures: dict[str, object] = json.loads(result.stdout)
            figures.pop("generated_at", None)
            return figures

        before = {name: _rows(source, sql) for name, sql in CHECKS.items()}
        figures_before = report(source)  # and cached in Redis
        assert figures_before["q1"]["applications"] == 3  # type: ignore[index]

        result = run_manage("backup", str(tmp_path / "backups"), **env)
        assert result.returncode == 0, result.stderr
        (folder,) = (tmp_path / "backups").iterdir()
        assert sorted(p.name for p in folder.iterdir()) == [
            "database.dump",
            "documents.tar",
            "environment.env",
            "manifest.json",
            "media.tar",
        ]
        assert f"SECRET_KEY={PRODUCTION['SECRET_KEY']}" in (folder / "environment.env").read_text()
        assert oct(folder.stat().st_mode)[-3:] == "700"

        # After the backup the installation goes on: a 2024 training changes the figures, which
        # are computed and cached again.
        Training.objects.create(
            held_on=date(2024, 10, 1),
            title="Efter säkerhetskopian",
            audience="x",
            organiser="x",
            participants=9,
            created_by=UserFactory.create(username="trainer"),
        )
        figures_after_backup = report(source)
        assert figures_after_backup != figures_before

        refused = run_manage("restore", str(folder), **env)  # the live database: refused
        assert refused.returncode != 0
        assert "is not empty" in refused.stderr

        restored_documents = tmp_path / "restored-documents"
        restored_env = {
            **env,
            "DATABASE_URL": _url(fresh_database),
            "LOTSA_DOCUMENT_ROOT": str(restored_documents),
        }
        result = run_manage("restore", str(folder), **restored_env)
        assert result.returncode == 0, result.stderr + result.stdout
        assert "reporting:statistics" in result.stdout

        after = {name: _rows(fresh_database, sql) for name, sql in CHECKS.items()}
        for name in CHECKS:
            assert after[name] == before[name], name
        assert after["access log"], "the access log was empty"
        # The restored database's figures: the backup's, not those cached after it.
        assert report(fresh_database) == figures_before
        # The document came back with its key: it decrypts to what was uploaded.
        ((stored_name, key_id, wrapped),) = _rows(
            fresh_database,
            f"SELECT storage_name, key_id, wrapped_key FROM documents_casedocument "  # noqa: S608
            f"WHERE id = {document.pk}",
        )
        blob = (restored_documents / str(stored_name)).read_bytes()
        assert blob == (documents_folder / document.storage_name).read_bytes()
        restored = encryption.decrypt(
            blob,
            name=str(stored_name),
            key_id=str(key_id),
            wrapped_key=bytes(cast(memoryview, wrapped)),
        )
        assert restored == letter


def test_a_damaged_backup_is_refused(tmp_path: Path):
    folder = tmp_path / "lotsa-backup-x"
    folder.mkdir()
    (folder / "database.dump").write_bytes(b"not a dump")
    (folder / "manifest.json").write_text(json.dumps({"sha256": {"database.dump": "0" * 64}}))
    result = run_manage(
        "restore",
        str(folder),
        **PRODUCTION,
        DATABASE_URL=_url(f"{connection.settings_dict['NAME']}_never"),
    )
    assert result.returncode != 0
    assert "database.dump is missing or damaged" in result.stderr
