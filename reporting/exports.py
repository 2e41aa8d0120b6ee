"""Files of the annual report: PDF (WeasyPrint), CSV (a ZIP of one file per table), JSON."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

from hardening.spreadsheet import SpreadsheetWriter
from reporting.models import ExportFormat, ReportExport
from reporting.report import HIDDEN_SECONDARY as HIDDEN
from reporting.report import Report, build_report
from reporting.selectors import DEFINITIONS, annual_statistics


class SwedishExcel(csv.excel):
    """Semicolons: Swedish Excel reads a comma as the decimal separator."""

    delimiter = ";"


def report_for(*, year: int, as_of: date, publication: bool) -> Report:
    return build_report(annual_statistics(year=year, as_of=as_of), publication=publication)


def report_json(report: Report) -> dict[str, Any]:
    """The figures; in publication mode every table value as shown ("<3", "..")."""
    data = report.statistics.as_json()
    data["mode"] = "publication" if report.publication else "internal"
    if report.publication:
        data["publication_threshold"] = report.k
        data["tables"] = {table.key: [table.header(), *table.body()] for table in report.tables}
        _suppress_json(data, report)
    data["definitions"] = {key: str(text) for key, text in DEFINITIONS.items()}
    return data


def _shown(value: str) -> int | str:
    return int(value) if value.isdigit() else value


def _suppress_json(data: dict[str, Any], report: Report) -> None:
    """Publication mode: every figure as the tables show it, so no figure in the JSON gives
    away a hidden cell; figures outside the tables get the primary rule ("<k")."""
    tables = {table.key: table for table in report.tables}
    k = report.k

    def loose(value: int) -> int | str:
        return f"<{k}" if 0 < value < k else value

    def column(table_key: str, keys: list[str]) -> dict[str, int | str]:
        table = tables[table_key]
        return {key: _shown(table.shown((r, 0))) for r, key in enumerate(keys)}

    def total(table_key: str) -> int | str:
        return _shown(tables[table_key].shown((-1, 0)))

    q1 = data["q1"]
    q1["outcomes"] = column("q1_outcomes", list(q1["outcomes"]))
    q1["applications"] = total("q1_outcomes")
    q1["individuals"] = loose(q1["individuals"])
    purposes = tables["q1_purposes_by_sex"]
    sexes = list(q1["sexual_by_gender"])
    q1["purpose_by_gender"] = {
        purpose: {sex: _shown(purposes.shown((r, c))) for c, sex in enumerate(sexes)}
        for r, purpose in enumerate(q1["purposes"])
    }
    q1["purposes"] = {
        purpose: _shown(purposes.shown((r, -1))) for r, purpose in enumerate(q1["purposes"])
    }
    q1["sexual_by_gender"] = q1["purpose_by_gender"]["sexual"]
    ages = tables["q1_age_by_sex"]
    groups = ["adult", "minor", "unknown"]
    q1["by_gender_age"] = {
        sex: {group: _shown(ages.shown((r, c))) for r, group in enumerate(groups)}
        for c, sex in enumerate(sexes)
    }
    q1["adults"] = _shown(ages.shown((0, -1)))
    q1["minors"] = _shown(ages.shown((1, -1)))
    applicants = list(q1["by_applicant"])
    q1["by_applicant"] = column("q1_by_applicant", applicants)
    police = [q1["by_applicant"]["police"], q1["by_applicant"]["prosecutor"]]
    q1["police_applications"] = (
        loose(sum(police)) if all(isinstance(v, int) for v in police) else HIDDEN
    )
    q1["per_month"] = list(column("q1_per_month", [str(m) for m in range(12)]).values())
    q2 = data["q2"]
    q2["individuals_granted"] = _shown(tables["q2_rights_activated"].shown((0, 0)))
    q2["support_measures"] = column("q2_support_measures", list(q2["support_measures"]))
    q3 = data["q3"]
    q3["by_legal_basis"] = column("q3_legal_basis", list(q3["by_legal_basis"]))
    q3["applications"] = total("q3_legal_basis")
    q4 = data["q4"]
    outreach = column("q4_outreach", ["contacts", "made", "accepted", "declined"])
    q4["contacts"] = outreach["contacts"]
    q4["referrals"] = {key: outreach[key] for key in ("made", "accepted", "declined")}
    q7 = data["q7"]
    q7["by_category"] = column("q7_cases_by_category", list(q7["by_category"]))
    q7["cases"] = total("q7_cases_by_category")
    q7["individuals"] = loose(q7["individuals"])
    data["ytd"]["applications"] = loose(data["ytd"]["applications"])


def report_csv_zip(report: Report) -> bytes:
    """One CSV per table (UTF-8 with BOM, semicolons) in a ZIP, plus the definitions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in report.tables:
            text = io.StringIO()
            writer = SpreadsheetWriter(text, dialect=SwedishExcel)
            writer.writerow(table.header())
            writer.writerows(table.body())
            archive.writestr(f"{table.key}.csv", "\ufeff" + text.getvalue())
        text = io.StringIO()
        writer = SpreadsheetWriter(text, dialect=SwedishExcel)
        writer.writerows([key, str(value)] for key, value in DEFINITIONS.items())
        archive.writestr("definitions.csv", "\ufeff" + text.getvalue())
    return buffer.getvalue()


def report_pdf(report: Report, *, generated_by: str) -> bytes:
    from weasyprint import HTML

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
