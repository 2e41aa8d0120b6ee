"""The import template: an .xlsx with the columns to fill in (one row per case) and a second
sheet that explains each column and lists its allowed values, both made from importing.columns
(and so from the models' code lists) whenever it is downloaded."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from importing.columns import COLUMNS

REQUIRED_FILL = PatternFill("solid", fgColor="FFF2CC")


def template_workbook() -> bytes:
    """The template as the bytes of an .xlsx file, in Swedish whatever the user's language."""
    with translation.override("sv"):
        return _workbook()


def _workbook() -> bytes:
    workbook = Workbook()
    cases = workbook.worksheets[0]
    cases.title = _("Cases")
    for index, column in enumerate(COLUMNS, start=1):
        header = column.swedish_header() + (" *" if column.required else "")
        cell = cases.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        if column.required:
            cell.fill = REQUIRED_FILL
        cases.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 2)
        # Text format for every cell: Excel must not turn 19900101-1234 into a number or a
        # typed date into its own format.
        cases.column_dimensions[get_column_letter(index)].number_format = "@"
    cases.freeze_panes = "B2"

    help_sheet = workbook.create_sheet(_("Explanations"))
    introduction = [
        _("Import of past records: one row per case."),
        _(
            "Fill in the sheet “Cases”: one row per case, with the person, the case, its "
            "purposes and support measures, and at most one reflection-period application with "
            "its decision. Columns marked * are required. Keep the headings as they are; you "
            "may leave out columns you do not use."
        ),
        _(
            "Dates: YYYY-MM-DD (or date cells). Lists in one cell: separate with semicolons. "
            "Values from a list: write them as below (upper or lower case does not matter; the "
            "part in brackets may be left out)."
        ),
        _(
            "Upload the file on the import page: Lotsa first shows what each row would become, "
            "and imports nothing until you confirm. A row whose external reference was "
            "imported before is never imported again."
        ),
    ]
    for row, text in enumerate(introduction, start=1):
        help_sheet.cell(row=row, column=1, value=text).font = Font(bold=row == 1)
    start = len(introduction) + 2
    for index, title in enumerate(
        [_("Column"), _("Required"), _("What to write"), _("Allowed values")], start=1
    ):
        help_sheet.cell(row=start, column=index, value=title).font = Font(bold=True)
    for offset, column in enumerate(COLUMNS, start=1):
        row = start + offset
        help_sheet.cell(row=row, column=1, value=column.swedish_header())
        help_sheet.cell(row=row, column=2, value=_("Yes") if column.required else _("No"))
        help_sheet.cell(row=row, column=3, value=str(column.help))
        allowed = "\n".join(label for _code, label in column.allowed())
        help_sheet.cell(row=row, column=4, value=allowed)
        for col in (3, 4):
            help_sheet.cell(row=row, column=col).alignment = Alignment(
                wrap_text=True, vertical="top"
            )
    for letter, width in zip("ABCD", (32, 12, 70, 60), strict=True):
        help_sheet.column_dimensions[letter].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
