"""python manage.py annual_report YEAR [--as-of YYYY-MM-DD] [--publication] --format json|csv|pdf
--output FILE: the annual report for scheduled runs and for checking figures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from reporting.exports import report_csv_zip, report_for, report_json, report_pdf


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--as-of must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Write the annual report (figures as JSON, tables as a ZIP of CSV files, or a PDF)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--as-of", type=_date, help="Count states as of this day (default today)."
        )
        parser.add_argument("--publication", action="store_true", help="Hide small counts.")
        parser.add_argument("--format", choices=["json", "csv", "pdf"], required=True)
        parser.add_argument(
            "--output", required=True, help="File to write ('-' for stdout, JSON only)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        as_of: date = options["as_of"] or timezone.localdate()
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError(f"No report for the year {year}.")
        if as_of < date(year, 1, 1):
            raise CommandError("--as-of must not be before the report year.")
        with translation.override(settings.LANGUAGE_CODE):
            report = report_for(year=year, as_of=as_of, publication=options["publication"])
            if options["format"] == "json":
                content = json.dumps(report_json(report), ensure_ascii=False, indent=1).encode()
            elif options["format"] == "csv":
                content = report_csv_zip(report)
            else:
                content = report_pdf(report, generated_by="manage.py annual_report")
        if options["output"] == "-":
            if options["format"] != "json":
                raise CommandError("Only JSON can be written to stdout.")
            self.stdout.write(content.decode())
            return
        Path(options["output"]).write_bytes(content)
        self.stderr.write(f"Wrote {options['output']} ({len(content)} bytes).")
