"""Spreadsheets for the import tests, written as a manager would fill in the template: an .xlsx
through openpyxl, a CSV as Swedish Excel saves it (semicolons, UTF-8 with a BOM)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping

from openpyxl import Workbook

from casework.personal_number import luhn_check_digit
from importing.columns import BY_KEY, COLUMNS

Row = Mapping[str, object]


def personal_number(born: str, serial: str = "238") -> str:
    """A valid personal identity number YYYYMMDD-NNNC for a date YYYYMMDD."""
    return f"{born}-{serial}{luhn_check_digit(born[2:] + serial)}"


def headers(keys: Iterable[str] | None = None) -> list[str]:
    keys = list(keys) if keys is not None else [column.key for column in COLUMNS]
    return [BY_KEY[key].swedish_header() for key in keys]


def table(rows: Iterable[Row], keys: Iterable[str] | None = None) -> list[list[object]]:
    keys = list(keys) if keys is not None else [column.key for column in COLUMNS]
    cells: list[list[object]] = [list(headers(keys))]
    return cells + [[row.get(key, "") for key in keys] for row in rows]


def xlsx_bytes(cells: list[list[object]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Ärenden")
    for row in cells:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(cells: list[list[object]], *, delimiter: str = ";", bom: bool = True) -> bytes:
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=delimiter).writerows(cells)
    return ("\ufeff" if bom else "").encode() + text.getvalue().encode()
