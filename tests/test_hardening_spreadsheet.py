"""CSV cells a spreadsheet would run as a formula (CSV injection), in all three CSV writers.

Excel and LibreOffice read a cell as a formula when it starts with `=`, `+`, `-` or `@`, and
also with their full-width (`＝ ＋ － ＠`) and small (`﹦ ﹢ ﹣ ﹫`) forms, which they fold to the
plain characters; a tab, carriage return or line feed first, or spaces before the sign, can
also end in a formula. Every such cell gets an apostrophe first (OWASP's advice), which the
spreadsheet shows as plain text.
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from types import SimpleNamespace

from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import AccessAction, AccessLogEntry
from core.spreadsheet import spreadsheet_safe
from reporting.disclosure import Ledger
from reporting.exports import report_csv_zip
from reporting.report import Table
from tests.factories import CaseFactory, UserFactory

# What the spreadsheets read as a formula's first character, after folding (NFKC).
FORMULA_SIGNS = "=+-@\u2212"
SIGNS = ["=", "+", "-", "@", "＝", "＋", "－", "＠", "﹦", "﹢", "﹣", "﹫", "\u2212"]
CONTROL_STARTS = ["\t", "\r", "\n"]
LEADING = st.text(alphabet=st.sampled_from([" ", "\u00a0", "\u3000", "\u200b", "\ufeff"]))


def _runs_as_formula(cell: str) -> bool:
    """How a spreadsheet reads a cell, as far as formulas go: a leading apostrophe makes it
    text; otherwise spaces and invisible characters are skipped, full-width and small forms
    are folded (NFKC), and a sign or a control character starts a formula."""
    if cell.startswith("'"):
        return False
    for char in cell:
        if char in "\t\r\n":
            return True
        if char.isspace() or unicodedata.category(char) in ("Zs", "Cf"):
            continue
        return unicodedata.normalize("NFKC", char)[:1] in FORMULA_SIGNS
    return False


def test_the_full_width_and_small_signs_are_formula_starts():
    for sign in SIGNS:
        assert spreadsheet_safe(f"{sign}HYPERLINK(1)") == f"'{sign}HYPERLINK(1)", sign
    for control in CONTROL_STARTS:
        assert spreadsheet_safe(f"{control}=1+1").startswith("'"), repr(control)
    assert spreadsheet_safe("  =1+1") == "'  =1+1"
    assert spreadsheet_safe("\u3000＠SUM(A1)") == "'\u3000＠SUM(A1)"
    assert spreadsheet_safe("Anna-Lena") == "Anna-Lena"
    assert spreadsheet_safe("2024-0143") == "2024-0143"
    assert spreadsheet_safe(None) == ""
    assert spreadsheet_safe(12) == "12"


@settings(max_examples=500, deadline=None, database=None)
@given(
    lead=LEADING,
    sign=st.sampled_from(SIGNS + CONTROL_STARTS),
    rest=st.text(max_size=30),
)
def test_a_formula_behind_spaces_and_any_sign_form_never_runs(lead, sign, rest):
    cell = spreadsheet_safe(lead + sign + rest)
    assert not _runs_as_formula(cell)
    assert cell == "'" + lead + sign + rest


@settings(max_examples=1000, deadline=None, database=None)
@given(text=st.text())
def test_any_text_is_kept_and_never_runs(text):
    cell = spreadsheet_safe(text)
    assert cell in (text, "'" + text)
    assert not _runs_as_formula(cell)


# --- The three writers --------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))


def test_the_case_export_escapes_full_width_signs(client, coordinator):
    for alias in ["＝HYPERLINK(1)", "﹫SUM(A1)", "－1+2", " =1+1", "Vanlig"]:
        CaseFactory.create(coordinator=coordinator, individual__alias=alias)
    client.force_login(coordinator)
    export = client.post(reverse("casework:case_export"), {"status": ""})
    aliases = sorted(row[2] for row in _rows(export.content.decode("utf-8"))[1:])
    assert aliases == sorted(["' =1+1", "'＝HYPERLINK(1)", "'－1+2", "'﹫SUM(A1)", "Vanlig"])


def test_the_access_log_export_escapes_full_width_signs(client, manager):
    sneaky = UserFactory.create(username="eve", first_name="＋HYPERLINK(1)", last_name="")
    AccessLogEntry.objects.create(
        user=sneaky,
        action=AccessAction.VIEW,
        object_type="casework.case",
        object_id="1",
        view_name="casework:case_detail",
    )
    client.force_login(manager)
    response = client.get(reverse("audit:access_log_export"))
    rows = _rows(b"".join(response.streaming_content).decode("utf-8"))
    names = {row[1] for row in rows[1:]}
    assert "'＋HYPERLINK(1)" in names
    assert "＋HYPERLINK(1)" not in names


def test_the_annual_report_csv_escapes_every_cell(db):
    ledger = Ledger()
    cells = [ledger.add(key, value, label=key) for key, value in (("t.a", 1), ("t.b", 2))]
    table = Table(
        key="t",
        title="T",
        definition="",
        row_header="＠Rad",
        columns=["＝Kolumn", "Vanlig"],
        rows=[("﹣Etikett", cells)],
        ledger=ledger,
    )
    report = SimpleNamespace(tables=[table])  # report_csv_zip reads only the tables
    archive = zipfile.ZipFile(io.BytesIO(report_csv_zip(report)))  # type: ignore[arg-type]
    rows = _rows(archive.read("t.csv").decode("utf-8"))
    assert rows == [["'＠Rad", "'＝Kolumn", "Vanlig"], ["'﹣Etikett", "1", "2"]]
