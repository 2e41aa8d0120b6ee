"""The demo data answers the council member's questions with the seed document's figures, and
the page, PDF, CSV, JSON and command line all say the same."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessLogEntry
from reporting.exports import report_csv_zip, report_for, report_json, report_pdf
from reporting.models import ReportExport
from tests.helpers import ROOT

A = date(2025, 3, 31)
SEED_SENTENCES = [
    "14 vuxna individer",
    "12 av ansökningarna har beviljats, en ansökan har avslagits och i en ansökan väntas beslut",
    "Nio av ansökningarna avser misstanke om människohandel för sexuella ändamål (samtliga kvinnor)",
    "fem ansökningar avser misstanke om människohandel eller människoexploatering utifrån arbetskraft",
    "har en ansökan om betänketid skickats in",
    "143 ärenden",
    "125 vuxna",
    "17 minderåriga",
    "ett ärende en anhörig",
]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo (seed_demo), made once for this module inside a transaction that is
    rolled back afterwards; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_demo_gives_the_seed_documents_2024_figures(db, demo):
    figures = report_json(report_for(year=2024, as_of=A, publication=False))
    q1 = figures["q1"]
    assert (figures["year"], figures["as_of"]) == (2024, "2025-03-31")
    assert q1["applications"] == 14
    assert q1["individuals"] == 14
    assert q1["adults"] == 14
    assert q1["outcomes"] == {"granted": 12, "rejected": 1, "pending": 1, "withdrawn": 0}
    assert q1["purposes"]["sexual"] == 9
    assert q1["sexual_by_gender"] == {"female": 9, "male": 0, "other": 0, "unknown": 0}
    assert q1["purposes"]["labour"] == 5
    assert q1["police_applications"] > 0  # known to the unit, not the city's
    assert figures["q2"]["individuals_granted"] == 12
    assert figures["q3"]["applications"] == 14
    assert figures["q4"]["outreach_staff"] == 2
    assert figures["q4"]["contacts"] > 0
    assert figures["q5"]["trainings"] == 2
    assert figures["q7"]["cases"] == 143
    assert figures["q7"]["by_category"] == {
        "adult": 125,
        "minor": 17,
        "relative": 1,
        "age_unknown": 0,
    }
    assert figures["ytd"] == {"year": 2025, "applications": 1}


def test_the_report_page_answers_like_the_seed_document(client, manager, demo):
    client.force_login(manager)
    response = client.get(reverse("reporting:report"), {"year": 2024, "as_of": "2025-03-31"})
    assert response.status_code == 200
    page = response.content.decode()
    for sentence in SEED_SENTENCES:
        assert sentence in page, sentence
    assert "<svg" in page  # the charts
    assert "Ansökningar efter utfall" in page


def test_the_pdf_contains_every_figure(db, demo):
    content = report_pdf(report_for(year=2024, as_of=A, publication=False), generated_by="Maria")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    assert "Statistik om betänketid och ärenden 2024" in text
    assert "per 2025-03-31" in text
    assert "Maria" in text
    assert "Sida 1 av" in text
    assert "Bilaga: definitioner" in text
    for sentence in SEED_SENTENCES:
        assert sentence in text, sentence


def test_the_csv_parses_back_to_the_same_numbers(db, demo):
    report = report_for(year=2024, as_of=A, publication=False)
    archive = zipfile.ZipFile(io.BytesIO(report_csv_zip(report)))
    assert "definitions.csv" in archive.namelist()
    raw = archive.read("q1_outcomes.csv")
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Utfall", "Ansökningar"]
    assert {row[0]: int(row[1]) for row in rows[1:]} == {
        "Beviljad": 12,
        "Avslagen": 1,
        "Väntar på beslut": 1,
        "Återkallad": 0,
        "Totalt": 14,
    }
    categories = list(
        csv.reader(
            io.StringIO(archive.read("q7_cases_by_category.csv").decode("utf-8-sig")), delimiter=";"
        )
    )
    assert [int(row[1]) for row in categories[1:]] == [125, 17, 1, 0, 143]


def test_publication_mode_hides_small_counts_everywhere(db, demo):
    report = report_for(year=2024, as_of=A, publication=True)
    figures = report_json(report)
    assert figures["mode"] == "publication"
    assert figures["q1"]["outcomes"]["rejected"] == "<3"
    assert figures["q1"]["outcomes"]["pending"] == "<3"
    # 12 + <3 + <3 = 14 would give both small ones away: one more count is hidden.
    assert figures["q1"]["outcomes"]["granted"] == ".."
    assert figures["q7"]["by_category"]["relative"] == "<3"
    assert figures["ytd"]["applications"] == "<3"
    text = " ".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(report_pdf(report, generated_by="Maria"))).pages
    )
    assert "Publiceringsläge" in " ".join(text.split())
    outcomes = (
        zipfile.ZipFile(io.BytesIO(report_csv_zip(report)))
        .read("q1_outcomes.csv")
        .decode("utf-8-sig")
    )
    assert ";1\r\n" not in outcomes
    assert "<3" in outcomes


def test_the_command_line_writes_json_csv_and_pdf(tmp_path, db, demo):
    out = tmp_path / "r.json"
    call_command(
        "annual_report", "2024", "--as-of", "2025-03-31", "--format", "json", "--output", str(out)
    )
    figures = json.loads(out.read_text())
    assert figures["q1"]["applications"] == 14
    assert figures["q7"]["cases"] == 143
    call_command(
        "annual_report",
        "2024",
        "--as-of",
        "2025-03-31",
        "--format",
        "csv",
        "--output",
        str(tmp_path / "r.zip"),
    )
    assert zipfile.is_zipfile(tmp_path / "r.zip")
    call_command(
        "annual_report",
        "2024",
        "--as-of",
        "2025-03-31",
        "--publication",
        "--format",
        "pdf",
        "--output",
        str(tmp_path / "r.pdf"),
    )
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


def test_the_command_line_refuses_bad_input(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "annual_report",
            "2024",
            "--as-of",
            "31/3",
            "--format",
            "json",
            "--output",
            "-",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        env={
            "DEBUG": "true",
            "PATH": "/usr/bin:/bin",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        },
    )
    assert result.returncode != 0
    assert "--as-of must be a date as YYYY-MM-DD" in result.stderr


def test_an_export_through_the_page_is_logged_and_downloadable(
    client, manager, demo, django_capture_on_commit_callbacks
):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reporting:export_create"),
            {"year": 2024, "as_of": "2025-03-31", "publication": "on", "format": "pdf"},
        )
    export = ReportExport.objects.get()
    assert response.url == reverse("reporting:export_detail", args=[export.pk])
    export.refresh_from_db()
    assert (export.status, export.year, export.publication, export.requested_by) == (
        "done",
        2024,
        True,
        manager,
    )
    page = client.get(response.url).content.decode()
    assert "Ladda ner" in page
    download = client.get(reverse("reporting:export_download", args=[export.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download.content.startswith(b"%PDF")
    assert "publicering" in download["Content-Disposition"]
    log = AccessLogEntry.objects.get(user=manager, action="export")
    assert log.detail == "2024 pdf publication"
