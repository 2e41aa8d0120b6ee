"""`python manage.py restore BACKUP_FOLDER`: load a backup into the empty database of
DATABASE_URL (see operations/backup.py and docs/operations.md, "Backup and restore")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup folder into the empty database of DATABASE_URL, put the uploaded "
        "files back and clear the cached statistics and lists."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="a lotsa-backup-... folder")
        parser.add_argument(
            "--no-owner",
            action="store_true",
            help="give every object to the restoring role, without the dump's grants (a "
            "server whose roles have other names; grant the application's role afterwards)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = backup_restore(folder=options["folder"], no_owner=options["no_owner"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        expected = restored.manifest["counts"]
        for name, count in restored.counts.items():
            mark = (
                "ok" if expected.get(name) == count else f"DIFFERS (backup: {expected.get(name)})"
            )
            self.stdout.write(f"{name}: {count} {mark}")
        self.stdout.write(f"Caches cleared: {', '.join(restored.retired_caches)}")
        if restored.counts != expected:
            raise CommandError("The restored database does not match the backup's counts.")
        self.stdout.write(
            f"Restored the backup of {restored.manifest['created_at']}. Next: "
            "`python manage.py migrate` (if this Lotsa is newer), then start Lotsa with the "
            "backup's environment.env settings."
        )
