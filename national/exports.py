"""Files of "Underlag till NSPM": PDF, CSV (a ZIP of one file per table) and JSON, and the
CTDC-style microdata as CSV."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from core.spreadsheet import SpreadsheetWriter, csv_text
from national.ctdc import COLUMNS as CTDC_COLUMNS
from national.ctdc import QUASI_IDENTIFIERS, Microdata
from national.report import NationalReport
from national.selectors import DEFINITIONS


def national_json(report: NationalReport) -> dict[str, Any]:
    """Every table as shown (in publication mode "<3" and ".." where hidden), the figures by
    key, and the definitions."""
    ledger = report.ledger
    return {
        "report": "Underlag till NSPM",
        "year": report.year,
        "as_of": report.as_of.isoformat(),
        "mode": "publication" if report.publication else "internal",
        "publication_threshold": report.k if report.publication else None,
        "figures": {key: ledger.published(key) for key in ledger.figures},
        "aliases": dict(ledger.aliases),
        "tables": {table.key: [table.header(), *table.body()] for table in report.tables},
        "definitions": {key: str(text) for key, text in DEFINITIONS.items()},
    }


def national_csv_zip(report: NationalReport) -> bytes:
    """One CSV per table (as Swedish Excel reads them) in a ZIP, plus the definitions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in report.tables:
            archive.writestr(f"{table.key}.csv", csv_text([table.header(), *table.body()]))
        definitions = [[key, str(value)] for key, value in DEFINITIONS.items()]
        archive.writestr("definitions.csv", csv_text(definitions))
    return buffer.getvalue()


def national_pdf(report: NationalReport, *, generated_by: str) -> bytes:
    # Imported here: WeasyPrint loads Pango and fonts, needed only when a PDF is made.
    from weasyprint import HTML

    html = render_to_string(
        "national/pdf/report.html",
        {
            "report": report,
            "generated_at": timezone.localtime(),
            "generated_by": generated_by,
            "unit_name": getattr(settings, "LOTSA_UNIT_NAME", "Lotsa"),
        },
    )
    return bytes(HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf())


def ctdc_csv(microdata: Microdata) -> str:
    """Comma-separated UTF-8 with CTDC's column names; the first lines say what was left out."""
    text = io.StringIO()
    text.write(
        f"# k-anonymity: every combination of {', '.join(QUASI_IDENTIFIERS)} has at least "
        f"{microdata.k} rows; {microdata.suppressed} rows were suppressed.\n"
    )
    writer = SpreadsheetWriter(text)
    writer.writerow(CTDC_COLUMNS)
    writer.writerows([row[column] for column in CTDC_COLUMNS] for row in microdata.rows)
    return text.getvalue()


def filename(kind: str, year: int, as_of: date, extension: str, *, publication: bool) -> str:
    mode = "-publicering" if publication else ""
    return f"lotsa-{kind}-{year}-per-{as_of:%Y%m%d}{mode}.{extension}"
