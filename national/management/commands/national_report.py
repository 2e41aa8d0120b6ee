"""python manage.py national_report YEAR [--as-of YYYY-MM-DD] [--publication]
--format json|csv|pdf|htcds-csv|htcds-json|ctdc --output FILE: the figures for the national
coordination (NSPM), and the HTCDS and CTDC exports, as annual_report writes the council's."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone, translation

from national import exports
from national.ctdc import ctdc_microdata
from national.htcds import htcds_csv, htcds_json, htcds_records
from national.report import national_report_for
from reporting.management.commands.annual_report import _date

FORMATS = ["json", "csv", "pdf", "htcds-csv", "htcds-json", "ctdc"]


class Command(BaseCommand):
    help = "Write the national figures (NSPM) or the HTCDS/CTDC exports for a year."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--as-of", type=_date, help="Count states as of this day (default today)."
        )
        parser.add_argument("--publication", action="store_true", help="Hide small counts.")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument(
            "--output", required=True, help="File to write ('-' for stdout, text formats only)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year: int = options["year"]
        as_of: date = options["as_of"] or timezone.localdate()
        fmt: str = options["format"]
        if not 2000 <= year <= timezone.localdate().year:
            raise CommandError(f"No report for the year {year}.")
        if as_of < date(year, 1, 1):
            raise CommandError("--as-of must not be before the report year.")
        with translation.override(settings.LANGUAGE_CODE):
            content = self._content(fmt, year, as_of, publication=options["publication"])
        if options["output"] == "-":
            if fmt in ("csv", "pdf"):
                raise CommandError("Only the text formats can be written to stdout.")
            self.stdout.write(content.decode())
            return
        Path(options["output"]).write_bytes(content)
        self.stderr.write(f"Wrote {options['output']} ({len(content)} bytes).")

    def _content(self, fmt: str, year: int, as_of: date, *, publication: bool) -> bytes:
        if fmt == "htcds-csv":
            return htcds_csv(htcds_records(year=year, as_of=as_of)).encode()
        if fmt == "htcds-json":
            document = htcds_json(htcds_records(year=year, as_of=as_of), year=year, as_of=as_of)
            return json.dumps(document, ensure_ascii=False, indent=1).encode()
        if fmt == "ctdc":
            return exports.ctdc_csv(ctdc_microdata(year=year, as_of=as_of)).encode()
        report = national_report_for(year=year, as_of=as_of, publication=publication)
        if fmt == "json":
            return json.dumps(exports.national_json(report), ensure_ascii=False, indent=1).encode()
        if fmt == "csv":
            return exports.national_csv_zip(report)
        return exports.national_pdf(report, generated_by="manage.py national_report")
