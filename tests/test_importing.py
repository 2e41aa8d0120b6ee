"""Importing past records from a spreadsheet: the template, the dry run row by row, the
confirmed import (numbers, history, access log, statistics), idempotence and bad files."""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AccessAction, AccessLogEntry
from casework import services as casework
from casework.models import (
    IMPORTED_CHANGE_REASON,
    Case,
    Category,
    ClosingReason,
    Individual,
    Purpose,
    SupportMeasure,
    SupportType,
)
from importing.columns import COLUMNS
from importing.models import ImportedRecord, ImportRun
from importing.reading import ImportFileError, read_rows
from importing.services import import_records
from reflection_period.models import NextStep, ReflectionPeriodApplication, Status
from tests.import_helpers import csv_bytes, personal_number, table, xlsx_bytes

START = reverse("importing:start")
CONFIRM = reverse("importing:confirm")

ANNA = personal_number("19900101")
WRONG_CHECK_DIGIT = ANNA[:-1] + str((int(ANNA[-1]) + 1) % 10)
EXISTING = personal_number("19850505", "112")


@pytest.fixture
def existing_person(coordinator):
    """Registered before the import, with a personal number the file repeats."""
    case = casework.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Ema", "personal_number": EXISTING.replace("-", "")},
        coordinator=coordinator,
        opened_on=date(2023, 6, 1),
        origin="police",
        category=Category.RELATIVE,
    )
    return case.individual


def _manager_client(manager) -> Client:
    client = Client()
    client.force_login(manager)
    return client


def _upload(client: Client, name: str, data: bytes):
    return client.post(START, {"file": _named(name, data)})


def _named(name: str, data: bytes):
    upload = io.BytesIO(data)
    upload.name = name
    return upload


def _counts() -> dict[str, int]:
    """Rows of every table Lotsa has (history tables and the access log included)."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


# --- The golden file ------------------------------------------------------------------------------

GOLDEN: list[dict[str, object]] = [
    # 2: a new person with a granted application and two support measures
    {
        "external_reference": "KAST-1",
        "personal_number": ANNA,
        "alias": "Anna",
        "sex": "Kvinna",
        "opened_on": date(2024, 3, 4),
        "coordinator": "karin",
        "origin": "Polisen",
        "offence": "Människohandel",
        "purposes": "Sexuella ändamål",
        "support": "Skyddat boende 2024-03-05 2024-04-30; Tolk",
        "submitted_on": "2024-03-06",
        "decision": "Beviljad",
        "decided_on": "2024-03-08",
        "valid_from": "2024-03-08",
    },
    # 3: the same person (same personal number), another category: a second case
    {
        "external_reference": "KAST-2",
        "personal_number": ANNA,
        "category": "Anhörig till brottsoffer",
        "opened_on": "2024-05-02",
        "coordinator": "KARIN",
        "origin": "Civilsamhället",
    },
    # 4: a person registered before: existing person
    {
        "external_reference": "KAST-3",
        "personal_number": EXISTING,
        "category": "Vuxet brottsoffer",
        "opened_on": "2024-01-15",
        "coordinator": "karin",
        "origin": "Migrationsverket",
        "closed_on": "2024-02-20",
        "closing_reason": "Stödet avslutat",
    },
    # 5: a personal number with a wrong check digit
    {
        "external_reference": "KAST-4",
        "personal_number": WRONG_CHECK_DIGIT,
        "opened_on": "2024-02-01",
        "coordinator": "karin",
        "origin": "Polisen",
    },
    # 6: closed before it was opened
    {
        "external_reference": "KAST-5",
        "alias": "Bo",
        "birth_year": 1980,
        "opened_on": "2024-06-01",
        "closed_on": "2024-05-01",
        "closing_reason": "Annat",
        "coordinator": "karin",
        "origin": "Polisen",
    },
    # 7: a second open adult case for the person of row 2
    {
        "external_reference": "KAST-6",
        "personal_number": ANNA,
        "category": "Vuxet brottsoffer",
        "opened_on": "2024-07-01",
        "coordinator": "karin",
        "origin": "Polisen",
    },
    # 8: the external reference of row 2 again
    {
        "external_reference": "KAST-1",
        "alias": "Cleo",
        "birth_year": 1999,
        "opened_on": "2024-08-01",
        "coordinator": "karin",
        "origin": "Polisen",
    },
    # 9: an unknown coordinator and an application without its offence
    {
        "external_reference": "KAST-8",
        "alias": "Dana",
        "birth_year": 1990,
        "opened_on": "2024-09-02",
        "coordinator": "nobody",
        "origin": "Polisen",
        "submitted_on": "2024-09-03",
        "purposes": "Tiggeri",
    },
    # 10: a purpose that is not in the list, an unknown sex
    {
        "external_reference": "KAST-9",
        "alias": "Eva",
        "birth_year": 1970,
        "sex": "kvinnlig",
        "opened_on": "2024-10-01",
        "coordinator": "karin",
        "origin": "polisen",
        "purposes": "Sexuella ändamål; Sexuell",
    },
]

GOLDEN_REPORT = [
    (2, "new_person", []),
    (3, "new_person", []),
    (4, "existing_person", []),
    (
        5,
        "error",
        [
            (
                "Personnummer",
                "Kontrollsiffran stämmer inte. Kontrollera numret, det kan vara felskrivet.",
            )
        ],
    ),
    (6, "error", [("Avslutat den", "Ett ärende kan inte avslutas innan det öppnades.")]),
    (7, "error", [("Ärendekategori", "Individen har redan ett öppet ärende i denna kategori.")]),
    (8, "error", [("Extern referens", "Rad 2 har samma externa referens.")]),
    (
        9,
        "error",
        [
            ("Ansvarig koordinator", "Ingen aktiv regionkoordinator har användarnamnet ”nobody”."),
            (
                "Misstänkt brott",
                "Ett ärende med ansökan behöver det misstänkta brottet: människohandel "
                "(BrB 4:1 a) eller människoexploatering (BrB 4:1 b).",
            ),
        ],
    ),
    (
        10,
        "error",
        [
            ("Kön", "”kvinnlig” är inte ett av de tillåtna värdena: Kvinna; Man; Annat; Okänt."),
            (
                "Ändamål med exploateringen",
                "”Sexuell” är inte ett av de tillåtna värdena: Sexuella ändamål; Tvångsarbete "
                "eller arbete under uppenbart orimliga villkor; Tiggeri; Brottslig verksamhet; "
                "Tvångsäktenskap; Avlägsnande av organ; Krigstjänst; Annat.",
            ),
        ],
    ),
]


def _report_of(report):
    return [
        (row.number, row.status, [(error.header, error.message) for error in row.errors])
        for row in report.rows
    ]


def test_the_golden_file_gives_exactly_the_expected_report(db, manager, existing_person):
    report = import_records(
        rows=read_rows("golden.xlsx", xlsx_bytes(table(GOLDEN))),
        by=manager,
        commit=False,
        file_sha256="0" * 64,
    )
    assert _report_of(report) == GOLDEN_REPORT
    rows = {row.number: row for row in report.rows}
    assert rows[3].same_as_row == 2
    assert rows[4].individual_reference == existing_person.reference
    # Numbered in opening order: row 4 (15 January) before row 2 (4 March) and row 3 (2 May).
    assert [rows[n].case_number for n in (4, 2, 3)] == ["2024-0001", "2024-0002", "2024-0003"]


def test_the_page_shows_the_golden_report_row_by_row(db, manager, existing_person):
    response = _upload(_manager_client(manager), "golden.xlsx", xlsx_bytes(table(GOLDEN)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "6 rader har fel. Inget har importerats" in page
    assert "Ny person (samma som rad 2)" in page
    assert "Befintlig person" in page
    assert "Rad 2 har samma externa referens." in page
    assert "Bekräfta importen" not in page
    # The page names people by their references only: nothing read from their records.
    assert "Ema" not in page


def test_a_dry_run_writes_no_row_in_any_table(db, manager, existing_person):
    client = _manager_client(manager)
    valid = GOLDEN[:3]
    before = _counts()
    response = _upload(client, "valid.xlsx", xlsx_bytes(table(valid)))
    assert response.status_code == 200, response.content.decode()
    assert "Bekräfta importen" in response.content.decode()
    response = _upload(client, "golden.xlsx", xlsx_bytes(table(GOLDEN)))
    assert response.status_code == 400
    call_command("import_records", _file(valid), "--user", manager.username, "--dry-run")
    assert _counts() == before
    assert "simple_history" not in before  # history tables are counted as models of their apps
    assert before["casework.HistoricalCase"] > 0


def _file(rows, name: str = "import.xlsx") -> str:
    folder = Path(tempfile.mkdtemp())
    path = folder / name
    path.write_bytes(xlsx_bytes(table(rows)) if name.endswith(".xlsx") else csv_bytes(table(rows)))
    return str(path)


# --- Confirming -----------------------------------------------------------------------------------


def test_confirm_imports_every_row_with_numbers_of_its_opening_year(
    db, manager, coordinator, existing_person
):
    casework.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"alias": "Före"},
        coordinator=coordinator,
        opened_on=date(2024, 12, 1),
        origin="police",
        category=Category.ADULT,
    )  # 2024-0001, opened in Lotsa before the import
    rows = [
        *GOLDEN[:3],
        {
            "external_reference": "KAST-2022",
            "alias": "Frida",
            "birth_year": 2000,
            "opened_on": "2022-11-30",
            "coordinator": "karin",
            "origin": "Polisen",
        },
    ]
    client = _manager_client(manager)
    preview = _upload(client, "records.xlsx", xlsx_bytes(table(rows)))
    assert preview.status_code == 200
    digest = preview.context["file_sha256"]
    response = client.post(CONFIRM, {"file_sha256": digest})
    assert response.status_code == 200
    assert "Importen är klar: 4 ärenden skapades." in response.content.decode()

    imported = {
        record.external_reference: record.case
        for record in ImportedRecord.objects.select_related("case__individual")
    }
    assert {ref: case.number for ref, case in imported.items()} == {
        "KAST-2022": "2022-0001",
        "KAST-3": "2024-0002",
        "KAST-1": "2024-0003",
        "KAST-2": "2024-0004",
    }
    anna = imported["KAST-1"]
    assert anna.individual == imported["KAST-2"].individual
    assert anna.individual.personal_number == ANNA.replace("-", "")
    assert anna.individual.date_of_birth == date(1990, 1, 1)
    assert anna.coordinator == coordinator
    assert list(anna.purposes.values_list("purpose", flat=True)) == [Purpose.SEXUAL]
    assert sorted(
        SupportMeasure.objects.filter(case=anna).values_list("type", "started_on", "ended_on")
    ) == [
        (SupportType.INTERPRETER, date(2024, 3, 4), None),  # no date: from the opening
        (SupportType.PROTECTED_HOUSING, date(2024, 3, 5), date(2024, 4, 30)),
    ]
    application = ReflectionPeriodApplication.objects.get(case=anna)
    assert application.status == Status.GRANTED
    assert (application.submitted_on, application.decided_on) == (
        date(2024, 3, 6),
        date(2024, 3, 8),
    )
    assert application.valid_to == date(2024, 4, 6)
    assert application.applied_by == coordinator
    # The permit ended long ago: "unknown" next step, so no reminder escalates about it.
    assert (application.next_step, application.next_step_on) == (NextStep.UNKNOWN, date(2024, 4, 6))
    closed = imported["KAST-3"]
    assert closed.individual == existing_person
    assert (closed.closed_on, closed.closing_reason) == (date(2024, 2, 20), ClosingReason.COMPLETED)

    # The history says "imported", by the manager who imported.
    versions = Case.history.filter(id=anna.pk)
    assert versions.count() > 0
    assert set(versions.values_list("history_change_reason", "history_user")) == {
        (IMPORTED_CHANGE_REASON, manager.pk)
    }
    assert Individual.history.filter(id=anna.individual_id).first().history_change_reason == (
        IMPORTED_CHANGE_REASON
    )
    history = client.get(reverse("casework:case_history", args=[anna.pk]))
    assert "importerad" in history.content.decode()
    # The access log records the import: one row per case, by the manager.
    logged = AccessLogEntry.objects.filter(action=AccessAction.IMPORT)
    assert sorted(logged.values_list("object_id", "individual_id", "user")) == sorted(
        (str(case.pk), case.individual_id, manager.pk) for case in imported.values()
    )
    assert set(logged.values_list("view_name", flat=True)) == {"importing:confirm"}
    run = ImportRun.objects.get()
    assert (run.rows, run.cases_created, run.individuals_created) == (4, 4, 2)
    assert run.imported_by == manager
    # The preview is gone once imported: confirming again is refused, nothing is written twice.
    again = client.post(CONFIRM, {"file_sha256": digest})
    assert again.status_code == 400
    assert "Förhandsgranskningen av filen finns inte längre kvar" in again.content.decode()
    assert Case.objects.count() == 6


def test_a_second_import_of_the_same_file_creates_nothing_and_says_so(db, manager, existing_person):
    valid = GOLDEN[:3]
    path = _file(valid)
    call_command("import_records", path, "--user", manager.username, stdout=io.StringIO())
    before = _counts()
    out = io.StringIO()
    call_command("import_records", path, "--user", manager.username, stdout=out)
    assert _counts() == before
    numbers = dict(ImportedRecord.objects.values_list("external_reference", "case__number"))
    assert out.getvalue().splitlines() == [
        f"row 2\tKAST-1\talready imported\tIND-000002\t{numbers['KAST-1']}",
        f"row 3\tKAST-2\talready imported\tIND-000002\t{numbers['KAST-2']}",
        f"row 4\tKAST-3\talready imported\t{existing_person.reference}\t{numbers['KAST-3']}",
        "3 rows: created 0 cases (0 new people), 3 imported before, 0 with errors.",
    ]
    # The page says so row by row, and offers nothing to confirm.
    response = _upload(_manager_client(manager), "again.xlsx", xlsx_bytes(table(valid)))
    page = response.content.decode()
    assert page.count("Redan importerad: inget nytt") == 3
    assert "Bekräfta importen" not in page


def test_confirm_validates_again_and_imports_nothing_if_a_row_broke(
    db, manager, coordinator, existing_person
):
    rows = [GOLDEN[0], GOLDEN[2]]
    client = _manager_client(manager)
    preview = _upload(client, "records.xlsx", xlsx_bytes(table(rows)))
    assert preview.status_code == 200
    # Meanwhile a coordinator opens an adult case for the existing person (row 4's category).
    casework.case_open(
        individual=existing_person,
        coordinator=coordinator,
        opened_on=date(2024, 1, 2),
        origin="police",
        by=coordinator,
        category=Category.ADULT,
    )
    before = _counts()
    response = client.post(CONFIRM, {"file_sha256": preview.context["file_sha256"]})
    assert response.status_code == 409
    assert "Individen har redan ett öppet ärende i denna kategori." in response.content.decode()
    assert _counts() == before


def test_the_command_refuses_a_file_with_errors_and_writes_nothing(db, manager, existing_person):
    before = _counts()
    out = io.StringIO()
    with pytest.raises(CommandError, match="6 rows have errors"):
        call_command("import_records", _file(GOLDEN), "--user", manager.username, stdout=out)
    assert "Kontrollsiffran stämmer inte" in out.getvalue()
    assert _counts() == before


# --- The template ---------------------------------------------------------------------------------


def test_the_template_explains_every_column_with_the_code_lists(db, manager):
    response = _manager_client(manager).get(reverse("importing:template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    cases, explanations = workbook.worksheets
    assert cases.title == "Ärenden"
    headers = [cell.value for cell in next(cases.iter_rows(max_row=1))]
    assert headers[0] == "Extern referens *"
    assert len(headers) == len(COLUMNS)
    text = "\n".join(
        str(cell.value) for row in explanations.iter_rows() for cell in row if cell.value
    )
    for label in (
        "Sexuella ändamål",
        "Krigstjänst",
        "Människoexploatering (BrB 4:1 b)",
        "Anhörig till brottsoffer",
        "Länkning från uppsökande arbete",
        "Tryggt återvändande via IOM",
        "Beviljad",
        "Återkallad",
    ):
        assert label in text
    # The empty template, filled in with nothing, is refused with a clear message.
    with pytest.raises(ImportFileError, match="inga rader"):
        read_rows("lotsa-importmall.xlsx", response.content)


def test_a_template_row_reads_back_exactly(db, manager, coordinator):
    """CSV as Swedish Excel saves it (semicolons, BOM), and with commas and no BOM."""
    rows = GOLDEN[:2]
    reports = [
        _report_of(
            import_records(
                rows=read_rows(name, data), by=manager, commit=False, file_sha256="0" * 64
            )
        )
        for name, data in (
            ("a.xlsx", xlsx_bytes(table(rows))),
            ("b.csv", csv_bytes(table(rows))),
            ("c.csv", csv_bytes(table(rows), delimiter=",", bom=False)),
        )
    ]
    assert reports[0] == reports[1] == reports[2] == [(2, "new_person", []), (3, "new_person", [])]


# --- Formulas -------------------------------------------------------------------------------------


def test_a_formula_is_imported_as_text_and_escaped_on_export(db, manager, coordinator):
    formula = '=HYPERLINK("http://evil.invalid","klicka")'
    rows = [
        {
            "external_reference": "F-1",
            "alias": formula,
            "birth_year": 1990,
            "opened_on": "2024-01-10",
            "coordinator": "karin",
            "origin": "Polisen",
        }
    ]
    call_command("import_records", _file(rows), "--user", manager.username, stdout=io.StringIO())
    person = Individual.objects.get()
    assert person.alias == formula  # stored as the text typed, never evaluated
    client = Client()
    client.force_login(coordinator)
    export = client.post(reverse("casework:case_export"), {"status": "all"})
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert f"'{formula}".replace('"', '""') in text or f"'{formula}" in text
    assert f";{formula}" not in text


# --- Bad files ------------------------------------------------------------------------------------


def _billion_laughs() -> bytes:
    good = xlsx_bytes(table([GOLDEN[0]]))
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
            for i in range(1, 10)
        )
        + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
        'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        target.writestr("xl/sharedStrings.xml", bomb)
    # Declared as the workbook's shared strings: openpyxl reads them when it opens the workbook.
    return _with_shared_strings(out.getvalue())


def _with_shared_strings(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and b"sharedStrings" not in content:
                content = content.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                    b"</Types>",
                )
            if item.filename == "xl/_rels/workbook.xml.rels" and b"sharedStrings" not in content:
                content = content.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/sharedStrings" '
                    b'Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(item, content)
    return out.getvalue()


def _zip_bomb() -> bytes:
    good = xlsx_bytes(table([GOLDEN[0]]))
    source = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item.filename))
        # 300 MB of zeros pack into about 300 kB.
        with target.open("xl/media/padding.bin", "w", force_zip64=True) as padding:
            chunk = b"\0" * 1_000_000
            for _ in range(300):
                padding.write(chunk)
    return out.getvalue()


def _hundred_thousand_rows() -> bytes:
    row = table([GOLDEN[1]])[1]
    return csv_bytes([table([])[0], *([*row[:1], *row[1:]] for _ in range(100_000))])


BAD_FILES = {
    "wrong type": (
        "records.pdf",
        lambda: b"%PDF-1.7\n...",
        "Lotsa läser Excel-arbetsböcker (.xlsx) och CSV-filer",
    ),
    "an old .xls renamed": (
        "records.xlsx",
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500,
        "Lotsa läser Excel-arbetsböcker (.xlsx) och CSV-filer",
    ),
    "empty": ("records.csv", lambda: b"", "Filen är tom."),
    "only a BOM": ("records.csv", lambda: "\ufeff\r\n".encode(), "Filen är tom."),
    "100,000 rows": (
        "records.csv",
        _hundred_thousand_rows,
        "Filen har fler än 20000 rader. Lotsa importerar högst 20000 rader åt gången",
    ),
    "unknown columns": (
        "records.csv",
        lambda: csv_bytes([[*table([])[0], "Favoritfärg"], ["K-1"]]),
        "Okända kolumner: ”Favoritfärg”.",
    ),
    "missing required columns": (
        "records.csv",
        lambda: csv_bytes([["Extern referens", "Alias"], ["K-1", "Anna"]]),
        "Obligatoriska kolumner saknas: ”Öppnat”, ”Ansvarig koordinator”, ”Kom in via”.",
    ),
    "mixed date formats": (
        "records.csv",
        lambda: csv_bytes(
            table(
                [
                    {**GOLDEN[1], "external_reference": "A"},
                    {**GOLDEN[1], "external_reference": "B", "opened_on": "03/04/2024"},
                ]
            )
        ),
        "Filen blandar datumformat (rad 2: ”2024-05-02” (ÅÅÅÅ-MM-DD); "
        "rad 3: ”03/04/2024” (DD/MM/ÅÅÅÅ)).",
    ),
    "not UTF-8": (
        "records.csv",
        lambda: "Extern referens;Öppnat\nA;2024-01-01\n".encode("cp1252"),
        "CSV-filen är inte i UTF-8.",
    ),
    "billion laughs": (
        "records.xlsx",
        _billion_laughs,
        "Arbetsboken innehåller XML-konstruktioner som Lotsa inte läser",
    ),
    "zip bomb": ("records.xlsx", _zip_bomb, "Arbetsboken skulle packas upp till 300 MB"),
    "a damaged workbook": (
        "records.xlsx",
        lambda: xlsx_bytes(table([GOLDEN[0]]))[:400],
        "Filen är ingen läsbar Excel-arbetsbok.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES), ids=list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_nothing_is_written(db, manager, coordinator, case):
    name, make, message = BAD_FILES[case]
    client = _manager_client(manager)
    before = _counts()
    response = _upload(client, name, make())
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page, page[page.find("file-errors") :][:800]
    assert "Inget importerades" in page
    assert _counts() == before


def test_a_file_too_large_to_upload_is_refused_unread(db, manager, settings):
    settings.LOTSA_IMPORT_MAX_BYTES = 10_000
    response = _upload(_manager_client(manager), "big.csv", b"x;" * 20_000)
    assert response.status_code == 400
    assert "Filen är större än 0 MB" in response.content.decode()


def test_the_row_limit_is_a_setting(db, manager, coordinator, settings):
    settings.LOTSA_IMPORT_MAX_ROWS = 3
    rows = [{**GOLDEN[1], "external_reference": f"R{n}"} for n in range(4)]
    with pytest.raises(ImportFileError, match="fler än 3 rader"):
        read_rows("r.xlsx", xlsx_bytes(table(rows)))
    assert len(read_rows("r.xlsx", xlsx_bytes(table(rows[:3])))) == 3


def test_openpyxl_parses_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML


@pytest.mark.parametrize("role", ["coordinator", "outreach_worker", "admin_user"])
def test_only_managers_import(db, request, role):
    user = request.getfixturevalue(role)
    client = Client()
    client.force_login(user)
    assert client.get(START).status_code == 403
    assert client.get(reverse("importing:template")).status_code == 403
    assert client.post(START, {"file": _named("a.csv", b"x")}).status_code == 403
    assert client.post(CONFIRM, {"file_sha256": "0" * 64}).status_code == 403


# --- The seed document's figures ------------------------------------------------------------------


def _seed_2024_rows() -> list[dict[str, object]]:
    """The unit's 2024 as the seed document tells it, as rows of a spreadsheet: 143 cases
    worked (125 adults, 17 minors, 1 relative); 14 applications by the coordinators for 14
    adults, 9 for sexual purposes (all women) and 5 for labour; 12 granted and 1 rejected in
    2024, 1 decided only in April 2025."""
    rows: list[dict[str, object]] = []

    def add(**fields: object) -> None:
        n = len(rows) + 1
        month = 1 + n % 11
        rows.append(
            {
                "external_reference": f"SEED-{n:03d}",
                "alias": f"Person {n}",
                "coordinator": "karin",
                "origin": "Polisen",
                "opened_on": f"2024-{month:02d}-{1 + n % 27:02d}",
                **fields,
            }
        )

    outcomes = ["Beviljad"] * 12 + ["Avslagen", ""]
    for index, outcome in enumerate(outcomes):
        sexual = index < 9
        submitted = date(2024, 12, 10) if outcome == "" else date(2024, 2 + index % 10, 12)
        add(
            sex="Kvinna" if sexual or index % 2 else "Man",
            birth_year=1990,
            category="Vuxet brottsoffer",
            opened_on=date(submitted.year, submitted.month, 1),
            offence="Människohandel" if sexual else "Människoexploatering",
            purposes=(
                "Sexuella ändamål"
                if sexual
                else "Tvångsarbete eller arbete under uppenbart orimliga villkor"
            ),
            support="Information om rättigheter",
            submitted_on=submitted,
            decision=outcome or "",
            decided_on=date(submitted.year, submitted.month, 14) if outcome else "",
            valid_from=date(submitted.year, submitted.month, 14) if outcome == "Beviljad" else "",
        )
    for _ in range(125 - 14):
        add(sex="Kvinna", birth_year=1985, category="Vuxet brottsoffer")
    for _ in range(17):
        add(sex="Kvinna", birth_year=2010, category="Minderårigt brottsoffer")
    add(sex="Man", birth_year=1960, category="Anhörig till brottsoffer")
    # A case closed before 2024 and one opened in 2025: not worked in 2024.
    add(opened_on="2023-03-01", closed_on="2023-12-20", closing_reason="Annat", birth_year=1980)
    add(opened_on="2025-02-01", birth_year=1980)
    return rows


def test_an_import_of_the_seeds_2024_gives_the_seeds_figures(db, manager, coordinator):
    from reporting.selectors import annual_statistics

    rows = read_rows("2024.csv", csv_bytes(table(_seed_2024_rows())))
    report = import_records(rows=rows, by=manager, commit=True, file_sha256="1" * 64)
    assert report.committed, [r for r in report.rows if r.errors][:3]
    assert report.cases == 145

    figures = annual_statistics(year=2024, as_of=date(2025, 3, 31))
    q1 = figures.q1
    assert q1.applications == 14
    assert q1.outcomes == {"granted": 12, "rejected": 1, "pending": 1, "withdrawn": 0}
    assert (q1.purposes["sexual"], q1.purposes["labour"]) == (9, 5)
    assert q1.purpose_by_gender["sexual"]["female"] == 9
    assert q1.adult_individuals == q1.individuals == 14
    assert figures.q2.individuals_granted == 12
    assert figures.q3.applications == 14
    assert figures.q7.cases == 143
    assert figures.q7.by_category == {"adult": 125, "minor": 17, "relative": 1, "age_unknown": 0}
    # Each year's cases numbered from 1 in opening order.
    numbers = sorted(
        Case.objects.filter(year=2024).values_list("opened_on", "sequence"), key=lambda c: c[1]
    )
    assert [sequence for _opened, sequence in numbers] == list(range(1, 144))
    assert [opened for opened, _sequence in numbers] == sorted(o for o, _s in numbers)
    assert Case.objects.get(year=2023).number == "2023-0001"
