"""`python manage.py backup DIRECTORY`: a consistent backup of the installation (see
operations/backup.py and docs/operations.md, "Backup and restore")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a backup (database dump, uploaded files, settings, manifest) under DIRECTORY."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="where the backup folder is made")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            backup = backup_create(into=options["directory"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        counts = ", ".join(f"{k} {v}" for k, v in backup.manifest["counts"].items())
        self.stdout.write(f"Backup written: {backup.path} ({counts})")
        self.stdout.write("It holds personal data and secrets: copy it off this server, encrypted.")
