"""`python manage.py import_records FILE --user NAME [--dry-run]`: the import page's dry run and
import from the command line, through the same reading, forms and services."""

from __future__ import annotations

import hashlib
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.models import User
from importing.reading import ImportFileError, read_rows
from importing.services import (
    ALREADY_IMPORTED,
    ERROR,
    EXISTING_PERSON,
    ImportReport,
    RowResult,
    import_records,
)


class Command(BaseCommand):
    help = (
        "Import past records from a filled-in template (.xlsx or .csv). With --dry-run every "
        "row is checked and nothing is written; without it, all rows are imported in one "
        "transaction, or none if any row has an error."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="The .xlsx or .csv file.")
        parser.add_argument("--user", required=True, help="The importing manager's user name.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)  # the messages in the UI's language
        path: Path = options["file"]
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['user']!r}.")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        if len(data) > settings.LOTSA_IMPORT_MAX_BYTES:
            raise CommandError(
                f"{path} is larger than {settings.LOTSA_IMPORT_MAX_BYTES // 1_000_000} MB."
            )
        try:
            rows = read_rows(path.name, data)
            report = import_records(
                rows=rows,
                by=user,
                commit=not options["dry_run"],
                file_sha256=hashlib.sha256(data).hexdigest(),
            )
        except ImportFileError as error:
            raise CommandError("\n".join(error.messages)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        for row in report.rows:
            self.stdout.write(_line(row))
        self.stdout.write(_summary(report, dry_run=options["dry_run"]))
        if report.has_errors:
            raise CommandError(f"{report.errors} rows have errors: nothing was imported.")


def _line(row: RowResult) -> str:
    status = {
        ERROR: "error",
        ALREADY_IMPORTED: "already imported",
        EXISTING_PERSON: "existing person",
    }.get(row.status, "new person")
    if row.same_as_row:
        status += f" (same as row {row.same_as_row})"
    line = f"row {row.number}\t{row.external_reference}\t{status}"
    if row.individual_reference:
        line += f"\t{row.individual_reference}\t{row.case_number}"
    for error in row.errors:
        line += f"\n\t{error.header or '-'}: {error.message}"
    return line


def _summary(report: ImportReport, *, dry_run: bool) -> str:
    done = "would create" if dry_run else "created"
    return (
        f"{len(report.rows)} rows: {done} {report.cases} cases ({report.new_people} new "
        f"people), {report.already_imported} imported before, {report.errors} with errors."
        + (" Dry run: nothing was written." if dry_run else "")
    )
