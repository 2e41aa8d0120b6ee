"""Backup and restore of one Lotsa installation (docs/operations.md, "Backup and restore").

A backup is a folder, `lotsa-backup-<UTC time>/`, holding everything needed to bring the
installation back on a new server with the same version of Lotsa:

- `database.dump`: PostgreSQL's custom-format dump (`pg_dump -Fc`). pg_dump reads the whole
  database in one repeatable-read transaction, so the dump is consistent (every case with its
  journal, every access-log row) while Lotsa keeps running;
- `media.tar`: the uploaded files (MEDIA_ROOT), when they are kept on the file system; with
  another storage (S3) the bucket is backed up by its own means (versioning, replication);
- `documents.tar`: the case documents as stored (encrypted) in STORAGES["documents"], when
  that is the file system (LOTSA_DOCUMENT_ROOT); in S3, back up the bucket by its own means.
  They are read after the database dump, so every document the dump knows is in the archive
  (one uploaded in between is in the archive but not the dump: harmless); their keys are in
  the dump, wrapped with LOTSA_DOCUMENT_KEY, which is in `environment.env`;
- `environment.env`: the value of every environment variable the settings read that is set,
  SECRET_KEY and passwords included (without SECRET_KEY every session ends and every signed
  link breaks);
- `manifest.json`: when, from which database, with which tools and migrations, checksums of the
  files, and counts (cases, journal entries, access-log rows) to compare after a restore.

The folder holds personal data and secrets: keep it like the database itself (encrypted, off
the server, access-controlled). The restore (`restore`) loads it into an empty database, puts
the files back, and retires every cached value (the statistics, the list counts and options),
which would otherwise go on showing figures from before.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import tarfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage, storages
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from accounts.models import AccessLogEntry
from casework.models import Case, JournalEntry
from core.env import RecordingEnv
from core.generation_cache import retire_all
from documents.models import CaseDocument

DUMP = "database.dump"
MEDIA = "media.tar"
DOCUMENTS = "documents.tar"
ENVIRONMENT = "environment.env"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why, for the operator."""


def _pg_environment(database: dict[str, Any]) -> dict[str, str]:
    """libpq's variables for the database's connection (no password on a command line)."""
    values = {
        "PGHOST": database.get("HOST") or "",
        "PGPORT": str(database.get("PORT") or ""),
        "PGUSER": database.get("USER") or "",
        "PGPASSWORD": database.get("PASSWORD") or "",
        "PGDATABASE": database["NAME"],
    }
    return {**os.environ, **{k: v for k, v in values.items() if v}}


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed: install PostgreSQL's client programs "
            "(Debian: apt-get install postgresql-client), of the server's major version or newer."
        )
    return found


def _run(command: list[str], database: dict[str, Any]) -> str:
    # The programs are found by _tool(); the arguments are ours and paths the operator gave.
    result = subprocess.run(  # noqa: S603
        command, env=_pg_environment(database), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(f"{shlex.join(command)} failed:\n{result.stderr.strip()}")
    return result.stdout


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _database() -> dict[str, Any]:
    database = dict(connection.settings_dict)
    if connection.vendor != "postgresql":
        raise BackupError(
            "Backup and restore are for PostgreSQL (production). The demo's SQLite file is "
            f"{database['NAME']}: copy it while Lotsa is stopped."
        )
    return database


def counts() -> dict[str, int]:
    """What a restore is checked against."""
    return {
        "cases": Case.objects.count(),
        "journal_entries": JournalEntry.objects.count(),
        "access_log_entries": AccessLogEntry.objects.count(),
        "documents": CaseDocument.objects.count(),
    }


def _media_on_file_system() -> Path | None:
    if isinstance(default_storage, FileSystemStorage):
        return Path(settings.MEDIA_ROOT)
    return None


def _documents_on_file_system() -> Path | None:
    storage = storages["documents"]
    if isinstance(storage, FileSystemStorage):
        return Path(storage.location)
    return None


def _environment_file() -> str:
    lines = ["# The environment Lotsa's settings read when this backup was made (secrets too)."]
    for name in sorted(settings_read_variables()):
        if name in os.environ:
            lines.append(f"{name}={shlex.quote(os.environ[name])}")
    return "\n".join(lines) + "\n"


def settings_read_variables() -> set[str]:
    """The variables the settings read (all of them by now: the settings are loaded)."""
    return set(RecordingEnv.read)


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


def backup_create(*, into: Path) -> Backup:
    """Write a backup folder under `into`; returns it with its manifest."""
    database = _database()
    started = datetime.now(UTC)
    folder = into / f"lotsa-backup-{started:%Y%m%dT%H%M%SZ}"
    folder.mkdir(parents=True, mode=0o700)
    pg_dump = _tool("pg_dump")
    _run([pg_dump, "--format=custom", "--no-password", "--file", str(folder / DUMP)], database)
    media = _media_on_file_system()
    media_note = "none"
    if media is not None:
        with tarfile.open(folder / MEDIA, "w") as archive:
            if media.is_dir():
                archive.add(media, arcname=".")
        media_note = f"file system ({media})"
    else:
        media_note = f"{type(default_storage).__name__}: back up its files by its own means"
    documents = _documents_on_file_system()
    if documents is not None:
        with tarfile.open(folder / DOCUMENTS, "w") as archive:
            if documents.is_dir():
                archive.add(documents, arcname=".")
        documents_note = f"file system ({documents})"
    else:
        documents_note = (
            f"{type(storages['documents']).__name__}: back up its objects by their own means"
        )
    (folder / ENVIRONMENT).write_text(_environment_file())
    files = sorted(p.name for p in folder.iterdir())
    for name in files:
        (folder / name).chmod(0o600)
    manifest = {
        "created_at": started.isoformat(),
        "database": {"name": database["NAME"], "host": database.get("HOST") or "local"},
        "pg_dump": _run([pg_dump, "--version"], database).strip(),
        "server_version": connection.cursor().connection.info.server_version,
        "migrations": dict(
            MigrationRecorder.Migration.objects.order_by("app", "name").values_list("app", "name")
        ),
        "media": media_note,
        "documents": documents_note,
        "counts": counts(),
        "sha256": {name: _sha256(folder / name) for name in files},
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    (folder / MANIFEST).chmod(0o600)
    return Backup(path=folder, manifest=manifest)


def _verify(folder: Path) -> dict[str, Any]:
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise BackupError(f"{folder} is not a Lotsa backup (no {MANIFEST}).")
    manifest: dict[str, Any] = json.loads(manifest_path.read_text())
    for name, expected in manifest["sha256"].items():
        if not (folder / name).is_file() or _sha256(folder / name) != expected:
            raise BackupError(f"{name} is missing or damaged (its checksum differs).")
    return manifest


def _tables_in_database() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class Restore:
    manifest: dict[str, Any]
    counts: dict[str, int]
    retired_caches: list[str]


def backup_restore(*, folder: Path, no_owner: bool = False) -> Restore:
    """Load a backup into the (empty) database of DATABASE_URL, put the uploaded files back,
    and retire every cached value. Refuses a database that has tables: restore into a fresh
    one, then point Lotsa at it."""
    database = _database()
    manifest = _verify(folder)
    if _tables_in_database():
        raise BackupError(
            f"The database {database['NAME']} is not empty. Create a new, empty database, set "
            "DATABASE_URL to it and restore again (nothing was changed)."
        )
    media = _media_on_file_system()
    if media is not None and (folder / MEDIA).is_file() and media.is_dir() and any(media.iterdir()):
        raise BackupError(f"{media} is not empty: move its files away first (nothing was changed).")
    documents = _documents_on_file_system()
    if (
        documents is not None
        and (folder / DOCUMENTS).is_file()
        and documents.is_dir()
        and any(documents.iterdir())
    ):
        raise BackupError(
            f"{documents} is not empty: move its files away first (nothing was changed)."
        )
    connection.close()  # pg_restore works alone; Django reconnects afterwards
    command = [
        _tool("pg_restore"),
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        "--dbname",
        database["NAME"],
    ]
    if no_owner:
        command += ["--no-owner", "--no-privileges"]
    _run([*command, str(folder / DUMP)], database)
    if media is not None and (folder / MEDIA).is_file():
        media.mkdir(parents=True, exist_ok=True)
        with tarfile.open(folder / MEDIA) as archive:
            archive.extractall(media, filter="data")
    if documents is not None and (folder / DOCUMENTS).is_file():
        documents.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tarfile.open(folder / DOCUMENTS) as archive:
            archive.extractall(documents, filter="data")
    retired = retire_all()
    return Restore(manifest=manifest, counts=counts(), retired_caches=retired)
