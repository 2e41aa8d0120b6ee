"""Journey 3: the manager opens the 2024 report on the demo data, finds the seed document's
figures (14 applications, 12 granted / 1 rejected / 1 awaiting a decision, 9 sexual purposes
all women / 5 labour, 143 cases = 125 + 17 + 1), downloads the PDF and the CSV and finds the
same figures in them; the report page also works on a phone."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from reporting.models import ExportFormat, ExportStatus, ReportExport
from reporting.selectors import annual_statistics
from tests.e2e.conftest import PHONE, check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD

AS_OF = date(2025, 3, 31)
# The answers as the seed document (the city's answer to the council member) words them.
ANSWERS = {
    1: [
        "för 14 vuxna individer.",
        "12 av ansökningarna har beviljats, en ansökan har avslagits och i en ansökan väntas "
        "beslut (per 2025-03-31).",
        "Nio av ansökningarna avser misstanke om människohandel för sexuella ändamål (samtliga "
        "kvinnor) och fem ansökningar avser misstanke om människohandel eller "
        "människoexploatering utifrån arbetskraft.",
    ],
    7: [
        "Under 2024 har regionkoordinatorerna arbetat i 143 ärenden (143 individer).",
        "Av dessa gällde 125 vuxna över 18 år och 17 minderåriga samt ett ärende en anhörig till "
        "en person utsatt för människohandel.",
    ],
}
OUTCOMES = {"Beviljad": "12", "Avslagen": "1", "Väntar på beslut": "1", "Återkallad": "0"}
CATEGORIES = {
    "Vuxet brottsoffer": "125",
    "Minderårigt brottsoffer": "17",
    "Anhörig till brottsoffer": "1",
    "Brottsoffer, okänd ålder": "0",
}
LABOUR = "Tvångsarbete eller arbete under uppenbart orimliga villkor"


def _table(page, title: str):
    return page.locator("table.table").filter(
        has=page.locator("caption", has_text=re.compile(f"^{re.escape(title)}$"))
    )


def _row(page, title: str, label: str) -> list[str]:
    """The cells of the row headed `label` in the table captioned `title`."""
    row = (
        _table(page, title)
        .locator("tbody tr")
        .filter(has=page.locator("th", has_text=re.compile(f"^{re.escape(label)}$")))
    )
    assert row.count() == 1, (title, label)
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def _answers(page, number: int) -> list[str]:
    section = page.locator("section.report-question").filter(has=page.locator(f"h2#q{number}"))
    return [" ".join(text.split()) for text in section.locator("xpath=./p").all_inner_texts()]


def _assert_the_page_shows_the_seed_figures(page) -> None:
    page.get_by_role(
        "heading", name="Statistik om betänketid och ärenden 2024", exact=True
    ).wait_for()
    assert page.get_by_text("Period 2024-01-01 – 2024-12-31, lägen per 2025-03-31.").is_visible()
    outcomes = "Ansökningar efter utfall"
    for label, count in OUTCOMES.items():
        assert _row(page, outcomes, label) == [count], label
    assert _row(page, outcomes, "Totalt") == ["14"]
    # Purpose by sex: Kvinna, Man, Annat, Okänt, Totalt.
    purposes = "Ansökningar efter ändamål och kön"
    assert _row(page, purposes, "Sexuella ändamål") == ["9", "0", "0", "0", "9"]
    assert _row(page, purposes, LABOUR)[-1] == "5"
    ages = "Ansökningar efter ålder vid ansökan och kön"
    assert _row(page, ages, "Vuxen (18 år eller äldre)")[-1] == "14"
    assert _row(page, ages, "Minderårig (under 18 år)")[-1] == "0"
    categories = "Ärenden under året, efter kategori"
    for label, count in CATEGORIES.items():
        assert _row(page, categories, label) == [count], label
    assert _row(page, categories, "Totalt") == ["143"]
    q1 = _answers(page, 1)
    assert q1[0].startswith("Under 2024 har regionkoordinatorerna")
    assert q1[0].endswith(ANSWERS[1][0])
    assert q1[1:3] == ANSWERS[1][1:]
    assert _answers(page, 7)[:2] == ANSWERS[7]


def _download(page, artifacts: Path, button: str, export_format: str) -> Path:
    """Ask for an export from the report page: without a broker (the tests, the demo) the file
    is made at once and the one click downloads it. Then the export's own page, which offers
    the file again (the page is left there). The file's path."""
    report_url = page.url
    with page.expect_download() as info:
        page.get_by_role("button", name=button, exact=True).click()
    download = info.value
    export = ReportExport.objects.get(format=export_format)
    assert export.status == ExportStatus.DONE
    assert (export.year, export.as_of, export.publication) == (2024, AS_OF, False)
    assert page.url == report_url  # the report stays on screen
    assert download.suggested_filename == export.filename
    assert download.suggested_filename == (
        f"lotsa-statistik-2024-per-20250331-intern.{'pdf' if export_format == 'pdf' else 'zip'}"
    )
    path = artifacts / download.suggested_filename
    download.save_as(path)
    page.goto(f"{report_url.split('/reports/')[0]}/reports/exports/{export.pk}/")
    page.get_by_role("link", name=re.compile(r"^Ladda ner lotsa-statistik-2024")).wait_for()
    check_everywhere(page, artifacts, f"export-{export_format}")
    shot(page, artifacts, f"export-{export_format}")
    return path


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_manager_finds_the_seed_figures_on_the_page_and_in_the_pdf_and_csv(
    live_server, traced_context, traced_phone_context, artifacts, manager
):
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=io.StringIO())
    # The demo's figures, straight from the selectors: what the journey expects to see.
    statistics = annual_statistics(year=2024, as_of=AS_OF)
    q1 = statistics.q1
    assert (q1.applications, q1.individuals, q1.adults) == (14, 14, 14)
    assert q1.outcomes == {"granted": 12, "rejected": 1, "pending": 1, "withdrawn": 0}
    assert (q1.purposes["sexual"], q1.purposes["labour"]) == (9, 5)
    assert q1.sexual_by_gender == {"female": 9, "male": 0, "other": 0, "unknown": 0}
    assert statistics.q7.cases == 143
    assert statistics.q7.by_category == {"adult": 125, "minor": 17, "relative": 1, "age_unknown": 0}

    # --- The report page, reached through the navigation. -------------------------------------
    page = traced_context.new_page()
    sign_in(page, live_server, manager.username, TEST_PASSWORD)
    page.wait_for_url("**/start/manager/")
    check_everywhere(page, artifacts, "manager-start")
    shot(page, artifacts, "01-manager-start")
    page.locator("nav").get_by_role("button", name="Rapporter").click()
    page.locator("nav").get_by_role("link", name="Statistik", exact=True).click()
    page.wait_for_url("**/reports/annual/")
    check_everywhere(page, artifacts, "report-this-year")
    shot(page, artifacts, "02-report-this-year")
    page.get_by_role("combobox", name=re.compile(r"^År")).select_option("2024")
    page.get_by_label("Per datum").fill("2025-03-31")
    page.get_by_role("button", name="Visa", exact=True).click()
    page.wait_for_url("**/reports/annual/?*year=2024*")
    assert "as_of=2025-03-31" in page.url
    _assert_the_page_shows_the_seed_figures(page)
    assert page.get_by_text("Internt läge: exakta antal").is_visible()
    check_everywhere(page, artifacts, "report-2024")
    shot(page, artifacts, "03-report-2024")
    report_url = page.url

    # --- The PDF: its text holds the same figures and the report's Swedish phrases. ------------
    pdf = _download(page, artifacts, "PDF", ExportFormat.PDF)
    assert pdf.read_bytes().startswith(b"%PDF")
    text_file = pdf.with_suffix(".txt")
    subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), str(text_file)], check=True)
    text = " ".join(text_file.read_text(encoding="utf-8").split())
    for phrase in [
        "Statistik om betänketid och ärenden 2024",
        "Period 2024-01-01 – 2024-12-31, lägen per 2025-03-31.",
        "Internt läge: alla antal är exakta. Publicera inte denna version.",
        "Sida 1 av",
        f"Skapad {timezone.localdate():%Y-%m-%d}",
        f"av {manager} ur Lotsa.",
        "Bilaga: definitioner",
        *ANSWERS[1],
        *ANSWERS[7],
        "Ansökningar efter utfall",
        "Beviljad 12",
        "Avslagen 1",
        "Väntar på beslut 1",
        "Ärenden under året, efter kategori",
        "Vuxet brottsoffer 125",
        "Minderårigt brottsoffer 17",
        "Anhörig till brottsoffer 1",
        "Totalt 143",
    ]:
        assert phrase in text, phrase

    # --- The CSV: a ZIP of one file per table; the rows parse back to the same numbers. --------
    page.get_by_role("link", name="Tillbaka till rapporten").click()
    page.wait_for_url("**/reports/annual/?*year=2024*")
    _assert_the_page_shows_the_seed_figures(page)
    check_everywhere(page, artifacts, "report-2024-again")
    archive = zipfile.ZipFile(_download(page, artifacts, "CSV (ZIP, en fil per tabell)", "csv"))

    def rows(name: str) -> list[list[str]]:
        raw = archive.read(name)
        assert raw.startswith("\ufeff".encode()), name  # a BOM, for Excel
        return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))

    assert "definitions.csv" in archive.namelist()
    assert rows("q1_outcomes.csv") == [
        ["Utfall", "Ansökningar"],
        *([label, count] for label, count in OUTCOMES.items()),
        ["Totalt", "14"],
    ]
    purposes = {row[0]: row[1:] for row in rows("q1_purposes_by_sex.csv")}
    assert purposes["Ändamål"] == ["Kvinna", "Man", "Annat", "Okänt", "Totalt"]
    assert purposes["Sexuella ändamål"] == ["9", "0", "0", "0", "9"]
    assert purposes[LABOUR][-1] == "5"
    assert rows("q7_cases_by_category.csv") == [
        ["Kategori", "Ärenden"],
        *([label, count] for label, count in CATEGORIES.items()),
        ["Totalt", "143"],
    ]

    # --- The same report on a phone. -------------------------------------------------------------
    phone = traced_phone_context.new_page()
    sign_in(phone, live_server, manager.username, TEST_PASSWORD)
    phone.wait_for_url("**/start/manager/")
    phone.get_by_role("button", name="Visa menyn").click()
    phone.locator("nav").get_by_role("button", name="Rapporter").click()
    statistics_link = phone.locator("nav").get_by_role("link", name="Statistik", exact=True)
    statistics_link.wait_for()
    check_everywhere(phone, artifacts, "manager-start-phone-menu")
    shot(phone, artifacts, "04-manager-start-phone-menu")
    statistics_link.click()
    phone.wait_for_url("**/reports/annual/")
    check_everywhere(phone, artifacts, "report-this-year-phone")
    phone.goto(report_url)
    _assert_the_page_shows_the_seed_figures(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check_everywhere(phone, artifacts, "report-2024-phone")
    shot(phone, artifacts, "05-report-2024-phone")
