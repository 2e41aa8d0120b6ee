"""Files of the annual report: PDF (WeasyPrint), CSV (a ZIP of one file per table), JSON."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.spreadsheet import csv_text
from reporting.disclosure import Ledger
from reporting.models import ExportFormat, ReportExport
from reporting.report import Report, build_report
from reporting.selectors import DEFINITIONS, annual_statistics, yearly_comparison


def report_for(*, year: int, as_of: date, publication: bool) -> Report:
    return build_report(
        annual_statistics(year=year, as_of=as_of),
        yearly_comparison(year=year, as_of=as_of),
        publication=publication,
    )


# JSON values that are not counts: dates and years, and times (hours) that publication mode
# leaves out.
NOT_COUNTS = {"year", "ytd.year"}
NOT_PUBLISHED = {"q4.median_hours_to_acceptance", "q4.p90_hours_to_acceptance"}


def report_json(report: Report) -> dict[str, Any]:
    """The figures; in publication mode every figure as the report shows it ("<3", ".."), the
    tables as shown, and the disclosure record: every figure with its label, the other names
    of the same quantity, and the relations between figures that the check used."""
    data = report.statistics.as_json()
    data["years"] = report.comparison.as_json()
    data["mode"] = "publication" if report.publication else "internal"
    if report.publication:
        data = _published(data, report.ledger, "")
        data["publication_threshold"] = report.k
        data["tables"] = {table.key: [table.header(), *table.body()] for table in report.tables}
        ledger = report.ledger
        data["disclosure"] = {
            "threshold": report.k,
            "rule": report.publication_rule,
            "figures": {
                key: {"label": figure.label, "shown": ledger.published(key)}
                for key, figure in ledger.figures.items()
            },
            "aliases": dict(ledger.aliases),
            "relations": [relation.as_json() for relation in ledger.relations],
        }
    data["definitions"] = {key: str(text) for key, text in DEFINITIONS.items()}
    return data


def _published(value: Any, ledger: Ledger, path: str) -> Any:
    """Publication mode: every count in the JSON replaced by the ledger's shown value. A count
    the ledger does not know is refused, so a figure added to the JSON cannot slip out
    unprotected."""
    if isinstance(value, dict):
        return {
            key: _published(item, ledger, f"{path}.{key}" if path else str(key))
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_published(item, ledger, f"{path}.{i}") for i, item in enumerate(value)]
    if path in NOT_PUBLISHED:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if path in NOT_COUNTS:
        return value
    if path not in ledger:
        raise ValueError(f"{path} is not a recorded figure")
    return ledger.published(path)


def report_csv_zip(report: Report) -> bytes:
    """One CSV per table (UTF-8 with BOM, semicolons) in a ZIP, plus the definitions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in report.tables:
            archive.writestr(f"{table.key}.csv", csv_text([table.header(), *table.body()]))
        definitions = ([key, str(value)] for key, value in DEFINITIONS.items())
        archive.writestr("definitions.csv", csv_text(definitions))
    return buffer.getvalue()


def report_pdf(report: Report, *, generated_by: str) -> bytes:
    from weasyprint import HTML  # imported when used: loading Pango takes a moment

    html = render_to_string(
        "reporting/pdf/annual_report.html",
        {
            "report": report,
            "generated_at": timezone.localtime(),
            "generated_by": generated_by,
            "unit_name": getattr(settings, "LOTSA_UNIT_NAME", "Lotsa"),
        },
    )
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def filename_for(export: ReportExport) -> str:
    mode = "publicering" if export.publication else "intern"
    extension = {"pdf": "pdf", "csv": "zip", "json": "json"}[export.format]
    return f"lotsa-statistik-{export.year}-per-{export.as_of:%Y%m%d}-{mode}.{extension}"


def render_export(export: ReportExport) -> tuple[str, bytes]:
    """The file for an export request, in Swedish (the report's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        report = report_for(year=export.year, as_of=export.as_of, publication=export.publication)
        if export.format == ExportFormat.PDF:
            content = report_pdf(report, generated_by=str(export.requested_by))
        elif export.format == ExportFormat.CSV:
            content = report_csv_zip(report)
        else:
            content = json.dumps(report_json(report), ensure_ascii=False, indent=1).encode()
    return filename_for(export), content
