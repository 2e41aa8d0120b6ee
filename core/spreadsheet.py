"""Cells of CSV files that a spreadsheet must not run as formulas (CSV injection).

A name or alias typed as `=HYPERLINK(...)` or `@SUM(...)` would be a formula when a coordinator
opens the export in Excel. Excel and LibreOffice also fold the full-width (`＝ ＋ － ＠`) and small
(`﹦ ﹢ ﹣ ﹫`) forms of these signs to the plain ones, skip spaces before them, and treat a cell
starting with a tab, carriage return or line feed specially. Text that would start a formula
gets a leading apostrophe, which spreadsheets show as plain text (OWASP's advice).

Every CSV file Lotsa writes goes through `SpreadsheetWriter`, which does this to every cell, and
is written the one way Swedish Excel opens right: UTF-8 with a byte-order mark, semicolons
(`csv_text`, `csv_download`, `csv_download_streamed`).
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

# The signs a formula starts with, after folding full-width and small forms (NFKC); U+2212
# (the typographic minus) too, which some spreadsheets take for a minus.
FORMULA_SIGNS = frozenset("=+-@\u2212")
CONTROL_STARTS = frozenset("\t\r\n")


def starts_formula(text: str) -> bool:
    """Whether a spreadsheet could read `text` as a formula: a sign in any of its forms as the
    first visible character, or a tab, carriage return or line feed before it."""
    for char in text:
        if char in CONTROL_STARTS:
            return True
        if char.isspace() or unicodedata.category(char) in ("Zs", "Cf"):
            continue  # spaces and invisible characters (zero-width space, BOM) are skipped
        return unicodedata.normalize("NFKC", char)[:1] in FORMULA_SIGNS
    return False


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if starts_formula(text) else text


class SpreadsheetWriter:
    """`csv.writer` whose every cell is `spreadsheet_safe`."""

    def __init__(self, file: Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class SwedishExcel(csv.excel):
    """Semicolons: Swedish Excel reads a comma as the decimal separator."""

    delimiter = ";"


# Without it Excel reads UTF-8 as the legacy code page (å, ä, ö garbled).
BOM = "\ufeff"

Rows = Iterable[Iterable[object]]


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Rows) -> Iterator[str]:
    """The file's text, line by line: the BOM, then each row with every cell spreadsheet-safe."""
    writer = SpreadsheetWriter(_Echo(), dialect=SwedishExcel)
    yield BOM
    for row in rows:
        yield writer.writerow(row)


def csv_text(rows: Rows) -> str:
    return "".join(csv_lines(rows))


def csv_filename(name: str) -> str:
    """lotsa-<name>-<date and time>.csv"""
    return f"lotsa-{name}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.csv"


def _attachment(response: HttpResponse | StreamingHttpResponse, name: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(name)}"'


def csv_download(name: str, rows: Rows) -> HttpResponse:
    """A CSV file to download, named lotsa-<name>-<date and time>.csv; `rows` are read now."""
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    _attachment(response, name)
    return response


def csv_download_streamed(name: str, rows: Rows) -> StreamingHttpResponse:
    """As `csv_download`, but `rows` are read while the file is sent, so a long export never
    sits in memory whole."""
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    _attachment(response, name)
    return response
