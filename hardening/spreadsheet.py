"""Cells of CSV files that a spreadsheet must not run as formulas (CSV injection).

A name or alias typed as `=HYPERLINK(...)` or `@SUM(...)` would be a formula when a coordinator
opens the export in Excel. Text starting with a formula character gets a leading apostrophe,
which spreadsheets show as plain text (OWASP's advice).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text
