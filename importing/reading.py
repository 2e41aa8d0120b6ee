"""Reading an uploaded spreadsheet (.xlsx or .csv) into rows of text, or refusing it whole.

Every refusal is an `ImportFileError` with a Swedish message for the person who uploaded it;
nothing of a refused file goes further. The checks come before the parsing they protect:

- the size of the upload (the view's upload handler) and, for .xlsx, the uncompressed size of
  every part of the zip archive, read from its directory before anything is unpacked (a zip
  bomb is refused without inflating it);
- openpyxl parses the workbook's XML with defusedxml (installed with Lotsa), which refuses
  entity declarations ("billion laughs") and external entities;
- the number of rows, counted while reading, so a file of a million rows stops at the limit.

Cells come out as text: dates as YYYY-MM-DD, whole numbers without ".0", and a formula as the
text of the formula (a cell is never evaluated; what a spreadsheet would run stays text, and
every export escapes it: core.spreadsheet).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from importing.columns import COLUMNS, DATE_COLUMNS, REQUIRED, header_index, normalise_header

XLSX, CSV = "xlsx", "csv"
ZIP_MAGIC = b"PK\x03\x04"
# A .xlsx made by Excel or LibreOffice has a few dozen parts; thousands is not a workbook.
MAX_ZIP_ENTRIES = 1000
MAX_COLUMNS = 200


class ImportFileError(Exception):
    """The file as a whole cannot be imported; `messages` say why, in Swedish."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


@dataclass(frozen=True)
class ImportRow:
    """One data row: its row number in the spreadsheet (the header is row 1) and its cells,
    by column key, as text."""

    number: int
    values: dict[str, str]


def _kind(name: str, data: bytes) -> str:
    extension = name.rsplit(".", 1)[-1].casefold() if "." in name else ""
    if extension == XLSX and data.startswith(ZIP_MAGIC):
        return XLSX
    if extension in (CSV, "txt") and not data.startswith(ZIP_MAGIC) and b"\x00" not in data:
        return CSV
    raise ImportFileError(
        _(
            "Lotsa reads Excel workbooks (.xlsx) and CSV files (.csv, UTF-8, separated by "
            "semicolons or commas). This file is neither: save it from Excel as “Excel "
            "Workbook (.xlsx)” or “CSV UTF-8” and upload it again."
        )
    )


def _too_many_rows() -> ImportFileError:
    limit = settings.LOTSA_IMPORT_MAX_ROWS
    return ImportFileError(
        ngettext(
            "The file has more than %(limit)d row. Lotsa imports at most %(limit)d row at a "
            "time: split the file and import the parts one after the other.",
            "The file has more than %(limit)d rows. Lotsa imports at most %(limit)d rows at a "
            "time: split the file and import the parts one after the other.",
            limit,
        )
        % {"limit": limit}
    )


# --- .xlsx ----------------------------------------------------------------------------------------


def _check_archive(data: bytes) -> None:
    """Refuse a damaged archive or a zip bomb from the archive's directory alone."""
    not_a_workbook = ImportFileError(
        _("The file is not a readable Excel workbook. Open it in Excel, save it as .xlsx again.")
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise not_a_workbook from error
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_ZIP_ENTRIES or "xl/workbook.xml" not in archive.namelist():
            raise not_a_workbook
        unpacked = sum(entry.file_size for entry in entries)
        if unpacked > settings.LOTSA_IMPORT_MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(
                _(
                    "The workbook would unpack to %(size)d MB, more than Lotsa reads "
                    "(%(limit)d MB). A workbook of case rows is much smaller: check that it "
                    "holds only the template's sheet, or split it."
                )
                % {
                    "size": unpacked // 1_000_000,
                    "limit": settings.LOTSA_IMPORT_MAX_UNCOMPRESSED_BYTES // 1_000_000,
                }
            )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _unreadable(error: BaseException) -> ImportFileError:
    """The message for a workbook openpyxl could not read: defusedxml's refusal (which openpyxl
    wraps in a ValueError) gets its own."""
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, DefusedXmlException):
            return ImportFileError(
                _(
                    "The workbook contains XML constructs that Lotsa does not read (entity "
                    "declarations). Copy the rows into the template and save it again."
                )
            )
        cause = cause.__cause__ or cause.__context__
    return ImportFileError(
        _("The file is not a readable Excel workbook. Open it in Excel, save it as .xlsx again.")
    )


def _xlsx_rows(data: bytes) -> list[list[str]]:
    # Imported here: openpyxl is only needed when someone imports a workbook.
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_archive(data)
    limit = settings.LOTSA_IMPORT_MAX_ROWS
    try:
        # data_only=False: a formula is read as its text, never as a cached result.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (
        DefusedXmlException,
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
    ) as error:
        raise _unreadable(error) from error
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            if len(rows) > limit:  # the header and `limit` data rows are allowed
                raise _too_many_rows()
            rows.append([_cell_text(value) for value in row])
        return rows
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds for a damaged sheet
        raise _unreadable(error) from error
    finally:
        workbook.close()


# --- .csv -----------------------------------------------------------------------------------------


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")  # with or without the BOM Excel's "CSV UTF-8" writes
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _(
                "The CSV file is not in UTF-8. In Excel, choose “Save as” and the type "
                "“CSV UTF-8 (kommaavgränsad)”, then upload the new file."
            )
        ) from error
    first_line = text.split("\n", 1)[0]
    # Swedish Excel separates with semicolons (the comma is the decimal sign); others, commas.
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    limit = settings.LOTSA_IMPORT_MAX_ROWS
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) > limit:
                raise _too_many_rows()
            rows.append([cell.strip() for cell in row[:MAX_COLUMNS]])
    except csv.Error as error:
        raise ImportFileError(
            _("The CSV file cannot be read (%(error)s). Save it from Excel again.")
            % {"error": error}
        ) from error
    return rows


# --- Headers and dates ----------------------------------------------------------------------------

# How a date was written, to tell a file that mixes formats (03/04/2024 is 3 April in Sweden
# and 4 March in the United States: Lotsa never guesses).
DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "ÅÅÅÅ-MM-DD"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$"), "ÅÅÅÅ-MM-DD tt:mm"),
    (re.compile(r"^\d{8}$"), "ÅÅÅÅMMDD"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$"), "DD/MM/ÅÅÅÅ"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{2,4}$"), "DD.MM.ÅÅÅÅ"),
    (re.compile(r"^\d{1,2}-\d{1,2}-\d{2,4}$"), "DD-MM-ÅÅÅÅ"),
    (re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$"), "ÅÅÅÅ/MM/DD"),
)
ISO_FORMATS = frozenset({"ÅÅÅÅ-MM-DD", "ÅÅÅÅ-MM-DD tt:mm"})


def date_format_of(text: str) -> str:
    for pattern, name in DATE_FORMATS:
        if pattern.match(text):
            return name
    return _("other")


def _columns(header: list[str]) -> list[str | None]:
    """The column key of each header cell (None for an empty trailing cell)."""
    index = header_index()
    keys: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    doubled: list[str] = []
    for cell in header:
        if not cell.strip():
            keys.append(None)
            continue
        column = index.get(normalise_header(cell))
        if column is None:
            unknown.append(cell.strip())
            keys.append(None)
            continue
        if column.key in seen:
            doubled.append(cell.strip())
        seen.add(column.key)
        keys.append(column.key)
    errors: list[str] = []
    if unknown:
        errors.append(
            _(
                "Unknown columns: %(columns)s. Use the template's column headings (its second "
                "sheet explains each) and remove other columns."
            )
            % {"columns": ", ".join(f"”{name}”" for name in unknown)}
        )
    if doubled:
        errors.append(
            _("Columns that appear twice: %(columns)s.")
            % {"columns": ", ".join(f"”{name}”" for name in doubled)}
        )
    missing = [column.swedish_header() for column in REQUIRED if column.key not in seen]
    if missing:
        errors.append(
            _("Required columns are missing: %(columns)s.")
            % {"columns": ", ".join(f"”{name}”" for name in missing)}
        )
    if errors:
        raise ImportFileError(*errors)
    return keys


def _check_date_formats(rows: list[ImportRow]) -> None:
    formats: dict[str, tuple[int, str, str]] = {}  # format -> first (row, column, text)
    for row in rows:
        for key in DATE_COLUMNS:
            text = row.values.get(key, "")
            if text:
                name = date_format_of(text)
                family = "ISO" if name in ISO_FORMATS else name
                formats.setdefault(family, (row.number, key, text))
    if len(formats) > 1:
        examples = "; ".join(
            _("row %(row)d: “%(text)s” (%(format)s)")
            % {"row": number, "text": text, "format": date_format_of(text)}
            for number, _key, text in sorted(formats.values())
        )
        raise ImportFileError(
            _(
                "The file mixes date formats (%(examples)s). Lotsa does not guess which is "
                "day and which is month: write every date as YYYY-MM-DD (or format the date "
                "cells as dates in Excel) and upload the file again."
            )
            % {"examples": examples}
        )


def read_rows(name: str, data: bytes) -> list[ImportRow]:
    """The data rows of an uploaded file, or ImportFileError with what is wrong with it."""
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ImportFileError(_("The file is empty."))
    read = _xlsx_rows(data) if _kind(name, data) == XLSX else _csv_rows(data)
    # Row numbers as the spreadsheet shows them; empty rows are skipped, not renumbered.
    table = [(number, row) for number, row in enumerate(read, start=1) if any(row)]
    if not table:
        raise ImportFileError(_("The file is empty."))
    keys = _columns(table[0][1])
    rows = []
    for number, cells in table[1:]:
        values = dict.fromkeys((column.key for column in COLUMNS), "")
        for key, cell in zip(keys, cells, strict=False):
            if key is not None:
                values[key] = cell
        rows.append(ImportRow(number=number, values=values))
    if not rows:
        raise ImportFileError(
            _("The file has the column headings but no rows: fill in one row per case.")
        )
    _check_date_formats(rows)
    return rows
