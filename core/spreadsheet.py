"""Cells of CSV files that a spreadsheet must not run as formulas (CSV injection).

A name or alias typed as `=HYPERLINK(...)` or `@SUM(...)` would be a formula when a coordinator
opens the export in Excel. Excel and LibreOffice also fold the full-width (`＝ ＋ － ＠`) and small
(`﹦ ﹢ ﹣ ﹫`) forms of these signs to the plain ones, skip spaces before them, and treat a cell
starting with a tab, carriage return or line feed specially. Text that would start a formula
gets a leading apostrophe, which spreadsheets show as plain text (OWASP's advice).

Every CSV file Lotsa writes goes through `SpreadsheetWriter`, which does this to every cell.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from typing import Any

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
