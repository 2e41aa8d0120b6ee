"""The national report "Underlag till NSPM" (issue 25, §2): every definition on small data sets
written through the services, agreement with the council's annual report where the definitions
overlap, publication mode (no hidden count can be computed from what the report shows, as an
independent reader sees it), figures unchanged by a full retention cull, the page, the
downloads and the command line."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings
from django.urls import resolve, reverse
from django.utils import translation
from pypdf import PdfReader

from accounts.models import AccessAction, AccessLogEntry, User
from accounts.roles import Role
from casework.codes import Industry
from exportjobs.models import ExportJob, ExportJobStatus
from national import exports
from national.ctdc import ctdc_microdata, ctdc_rows
from national.htcds import htcds_csv, htcds_json, htcds_records
from national.report import national_report_for
from national.selectors import national_statistics
from reporting.disclosure import Checker
from reporting.exports import report_for, report_json
from reporting.selectors import annual_statistics
from retention import services as retention
from tests.disclosure_reader import Reading, disclosed, page_tables
from tests.factories import ManagerFactory
from tests.national_data import A, close, link_child, victim
from tests.reporting_data import ApplicationSpec, DataSet, PersonSpec, build

AGES = ("adult", "child", "unknown")
SEXES = ("female", "male", "other", "unknown")


def figures(year: int = 2024, as_of: date = A, *, publication: bool = False) -> dict:
    report = national_report_for(year=year, as_of=as_of, publication=publication)
    return exports.national_json(report)["figures"]


# --- Who is counted ----------------------------------------------------------------------------------


def test_a_person_with_two_cases_in_the_year_counts_once(db, coordinator):
    first = victim(coordinator, opened_on=date(2024, 2, 1), purposes=["sexual"])
    close(first, coordinator, date(2024, 4, 1))
    victim(
        coordinator,
        opened_on=date(2024, 6, 1),
        individual=first.individual,
        purposes=["labour"],
        offence="exploitation",
        industry=Industry.CLEANING,
    )
    counted = figures()
    assert counted["n.persons"] == 1
    assert counted["n.sex.female.adult"] == 1
    assert counted["n.country.RO"] == 1
    # What is counted by form, offence and industry comes from both cases.
    assert (counted["n.forms.sexual"], counted["n.labour"]) == (1, 1)
    assert (counted["n.offences.trafficking"], counted["n.offences.exploitation"]) == (1, 1)
    assert counted["n.industry.cleaning"] == 1
    assert national_statistics(year=2024, as_of=A).total == 1


def test_the_suspicion_date_defaults_to_the_opening_date(db, coordinator):
    case = victim(coordinator, opened_on=date(2024, 12, 30))
    assert case.suspicion_on is None
    assert case.suspicion_date == date(2024, 12, 30)
    assert figures()["n.persons"] == 1
    assert figures(2023, A)["n.persons"] == 0


def test_a_suspicion_in_the_year_counts_though_the_case_opened_the_year_before(db, coordinator):
    victim(coordinator, opened_on=date(2023, 11, 1), suspicion_on=date(2024, 2, 1))
    # And the other way: opened in 2024 on a suspicion formed in December 2023.
    victim(coordinator, opened_on=date(2024, 1, 8), suspicion_on=date(2023, 12, 20), sex="male")
    in_2024, in_2023 = figures(2024), figures(2023, A)
    assert (in_2024["n.persons"], in_2024["n.sex.female"], in_2024["n.sex.male"]) == (1, 1, 0)
    assert (in_2023["n.persons"], in_2023["n.sex.female"], in_2023["n.sex.male"]) == (1, 0, 1)


def test_relatives_are_not_counted(db, coordinator):
    victim(coordinator, opened_on=date(2024, 3, 1), category="relative", purposes=[])
    victim(coordinator, opened_on=date(2024, 3, 1), category="minor", born=date(2010, 1, 1))
    counted = figures()
    assert counted["n.persons"] == 1
    assert counted["n.age.child"] == 1
    # The council report counts the relative's case among the cases worked.
    assert counted["q7.by_category.relative"] == 1


def test_the_as_of_date_ends_the_period(db, coordinator):
    victim(coordinator, opened_on=date(2024, 6, 1))
    victim(coordinator, opened_on=date(2024, 3, 1), suspicion_on=date(2024, 6, 2))
    assert figures(2024, date(2024, 5, 31))["n.persons"] == 0
    assert figures(2024, date(2024, 6, 1))["n.persons"] == 1
    assert figures(2024, date(2024, 6, 2))["n.persons"] == 2


def test_the_age_is_taken_on_the_suspicion_date(db, coordinator):
    born = date(2006, 7, 1)
    victim(coordinator, opened_on=date(2024, 6, 30), born=born, category="minor")  # 17
    victim(coordinator, opened_on=date(2024, 7, 1), born=born, category="adult")  # 18 that day
    # Opened as an adult when she was 18, but the suspicion was formed when she was 17.
    victim(
        coordinator,
        opened_on=date(2024, 8, 1),
        born=born,
        category="adult",
        suspicion_on=date(2024, 6, 1),
        sex="other",
    )
    victim(coordinator, opened_on=date(2024, 8, 1), born=None, category="adult", sex="unknown")
    counted = figures()
    assert (counted["n.age.adult"], counted["n.age.child"], counted["n.age.unknown"]) == (1, 2, 1)
    assert counted["n.sex.female.child"] == 1
    assert counted["n.sex.female.adult"] == 1
    assert counted["n.sex.other.child"] == 1
    assert counted["n.sex.unknown.unknown"] == 1


def test_the_age_of_a_person_with_two_cases_is_taken_on_the_first_suspicion(db, coordinator):
    first = victim(coordinator, opened_on=date(2024, 6, 1), born=date(2006, 7, 1))
    close(first, coordinator, date(2024, 6, 20))
    victim(coordinator, opened_on=date(2024, 9, 1), individual=first.individual, category="adult")
    counted = figures()
    assert (counted["n.persons"], counted["n.age.child"], counted["n.age.adult"]) == (1, 1, 0)


def test_a_person_with_several_forms_counts_under_each(db, coordinator):
    victim(coordinator, opened_on=date(2024, 3, 1), purposes=["sexual", "labour", "criminality"])
    victim(coordinator, opened_on=date(2024, 3, 2), purposes=["sexual"])
    counted = figures()
    assert counted["n.persons"] == 2
    assert counted["n.forms.sexual"] == 2
    assert counted["n.labour"] == 1
    assert counted["n.forms.criminality"] == 1
    assert counted["n.forms.begging"] == 0
    forms = sum(counted[f"n.forms.{p}"] for p in ("sexual", "criminality")) + counted["n.labour"]
    assert forms == 4 > counted["n.persons"]


def test_the_industry_is_counted_only_for_labour_exploitation(db, coordinator):
    # An industry recorded on a case without labour (the services take it; the form refuses
    # it) is not counted; a labour case without an industry counts as "not recorded".
    victim(coordinator, opened_on=date(2024, 3, 1), purposes=["begging"], industry="cleaning")
    victim(coordinator, opened_on=date(2024, 3, 1), purposes=["labour"])
    victim(
        coordinator,
        opened_on=date(2024, 3, 1),
        purposes=["labour"],
        industry=Industry.CONSTRUCTION,
    )
    counted = figures()
    assert counted["n.labour"] == 2
    assert counted["n.industry.cleaning"] == 0
    assert counted["n.industry.construction"] == 1
    assert counted["n.industry.not_recorded"] == 1
    assert sum(counted[f"n.industry.{i}"] for i in [*Industry.values, "not_recorded"]) == 2


def test_accompanying_children_under_18_count_once_by_sex(db, coordinator):
    mother = victim(coordinator, opened_on=date(2024, 4, 1))
    father = victim(coordinator, opened_on=date(2024, 4, 1), sex="male")
    girl = victim(
        coordinator, opened_on=date(2024, 4, 1), born=date(2015, 1, 1), category="relative"
    )
    boy = victim(
        coordinator,
        opened_on=date(2024, 4, 1),
        born=date(2012, 5, 5),
        sex="male",
        category="minor",
    )
    adult_son = victim(
        coordinator, opened_on=date(2024, 4, 1), born=date(2005, 1, 1), category="relative"
    )
    link_child(girl, mother, coordinator)
    link_child(girl, father, coordinator)  # the same child, linked to both parents
    link_child(boy, mother, coordinator)
    link_child(adult_son, father, coordinator)  # 19: not a child
    # A child of a person not counted this year is not counted either.
    earlier = victim(coordinator, opened_on=date(2023, 4, 1))
    other_child = victim(
        coordinator, opened_on=date(2023, 4, 1), born=date(2016, 1, 1), category="relative"
    )
    link_child(other_child, earlier, coordinator)
    counted = figures()
    assert counted["n.accompanying"] == 2
    assert (counted["n.accompanying.female"], counted["n.accompanying.male"]) == (1, 1)
    # The boy is a victim himself and counted as a person too; the girl is a relative.
    assert counted["n.persons"] == 3
    assert figures(2023, A)["n.accompanying"] == 1


def test_an_accompanying_child_linked_the_other_way_round_counts_too(db, coordinator):
    from casework import services
    from casework.codes import RelationKind

    mother = victim(coordinator, opened_on=date(2024, 4, 1))
    child = victim(
        coordinator, opened_on=date(2024, 4, 1), born=date(2015, 1, 1), category="relative"
    )
    services.relation_create(
        individual=mother.individual,
        related=child.individual,
        kind=RelationKind.ACCOMPANIED_BY_CHILD,
        by=coordinator,
    )
    assert figures()["n.accompanying.female"] == 1


def test_citizenship_and_sex_not_recorded(db, coordinator):
    victim(coordinator, opened_on=date(2024, 3, 1), citizenship="", sex="unknown")
    victim(coordinator, opened_on=date(2024, 3, 1), citizenship="NG")
    counted = figures()
    assert counted["n.country.not_recorded"] == 1
    assert counted["n.country.NG"] == 1
    assert counted["n.sex.unknown"] == 1


# --- The same figures as the council's report ----------------------------------------------------

COUNCIL_ROWS = ["q1.applications", "q7.cases", "q7.individuals"]


def _assert_agrees_with_the_council_report(year: int, as_of: date) -> None:
    """The figures the national report takes from the council's report, in its table
    "nspm_as_in_the_council_report", equal the annual report's own (internal mode)."""
    council = report_json(report_for(year=year, as_of=as_of, publication=False))
    national = exports.national_json(national_report_for(year=year, as_of=as_of, publication=False))
    ours = national["figures"]
    assert ours["q1.applications"] == council["q1"]["applications"]
    assert ours["q7.cases"] == council["q7"]["cases"]
    assert ours["q7.individuals"] == council["q7"]["individuals"]
    for key, value in council["q7"]["by_category"].items():
        if f"q7.by_category.{key}" in ours:
            assert ours[f"q7.by_category.{key}"] == value, key
        else:
            assert value == 0, key
    table = national["tables"]["nspm_as_in_the_council_report"]
    values = [int(row[1]) for row in table[1:]]
    assert values[0] == council["q1"]["applications"]
    assert values[-2:] == [council["q7"]["cases"], council["q7"]["individuals"]]
    assert sorted(values[1:-2]) == sorted(council["q7"]["by_category"].values())
    statistics = annual_statistics(year=year, as_of=as_of)
    assert ours["q7.cases"] == statistics.q7.cases


def test_the_council_figures_agree_on_a_small_data_set(db, coordinator, outreach_worker):
    build(
        DataSet(
            people=(
                PersonSpec(
                    opened_on=date(2024, 2, 1),
                    applications=(ApplicationSpec(submitted_on=date(2024, 2, 10)),),
                ),
                PersonSpec(
                    opened_on=date(2024, 3, 1),
                    applications=(
                        ApplicationSpec(submitted_on=date(2024, 3, 5), outcome="granted"),
                        ApplicationSpec(submitted_on=date(2024, 4, 5), applicant="police"),
                    ),
                ),
                PersonSpec(opened_on=date(2023, 5, 1), closed_on=date(2024, 2, 1)),
                PersonSpec(opened_on=date(2024, 5, 1), category="relative"),
                PersonSpec(opened_on=date(2024, 5, 1), born=date(2010, 1, 1)),
                PersonSpec(opened_on=date(2025, 1, 10)),
            )
        ),
        coordinator=coordinator,
        outreach_worker=outreach_worker,
    )
    _assert_agrees_with_the_council_report(2024, A)
    _assert_agrees_with_the_council_report(2024, date(2024, 3, 31))
    _assert_agrees_with_the_council_report(2025, A)
    assert figures()["q7.cases"] == 5


# --- Publication mode -----------------------------------------------------------------------------


def _read(data: dict, page: str) -> Reading:
    """The published national report as an independent reader sees it: the JSON's figures and
    tables, the page's tables, and what the definitions say of how the figures relate."""
    assert data["mode"] == "publication"
    reading = Reading(k=int(data["publication_threshold"]))
    for name, value in data["figures"].items():
        reading.figure(name, value)
    for name, key in data["aliases"].items():
        reading.figure(name, data["figures"][key])
    on_page = page_tables(page)
    if on_page != list(data["tables"].values()):
        reading.disagreements.append("the page's tables differ from the JSON's")
    shown = data["figures"]
    same, total, at_most = reading.same, reading.total, reading.at_most
    total("n.persons", (f"n.sex.{s}" for s in SEXES))
    total("n.persons", (f"n.age.{a}" for a in AGES))
    for s in SEXES:
        total(f"n.sex.{s}", (f"n.sex.{s}.{a}" for a in AGES))
    for a in AGES:
        total(f"n.age.{a}", (f"n.sex.{s}.{a}" for s in SEXES))
    total("n.persons", (k for k in shown if k.startswith("n.country.")))
    for group in ("forms", "offences"):
        keys = {k.split(".")[2] for k in [*shown, *data["aliases"]] if k.startswith(f"n.{group}.")}
        for key in keys:
            total(f"n.{group}.{key}", (f"n.{group}.{key}.{a}" for a in AGES))
            at_most({f"n.{group}.{key}": 1}, {"n.persons": 1})
            for a in AGES:
                at_most({f"n.{group}.{key}.{a}": 1}, {f"n.age.{a}": 1})
        if group == "offences":
            at_most({"n.persons": 1}, {f"n.offences.{key}": 1 for key in keys})
    same("n.forms.labour", "n.labour")
    industries = [k for k in shown if k.startswith("n.industry.")]
    for industry in industries:
        at_most({industry: 1}, {"n.labour": 1})
    at_most({"n.labour": 1}, dict.fromkeys(industries, 1))
    total("n.accompanying", (f"n.accompanying.{s}" for s in SEXES))
    total("q7.cases", (k for k in shown if k.startswith("q7.by_category.")))
    at_most({"q7.individuals": 1}, {"q7.cases": 1})
    # The tables print the same figures (a reader matches cells by the table's layout).
    sex_age = data["tables"]["nspm_sex_age"]
    for r, sex in enumerate(SEXES, start=1):
        for c, age in enumerate(AGES, start=1):
            text = sex_age[r][c]
            reading.figure(f"cell:sex_age:{r}:{c}", int(text) if text.isdigit() else text)
            same(f"cell:sex_age:{r}:{c}", f"n.sex.{sex}.{age}")
    return reading


def _publish(client, *, year: int = 2024, as_of: date = A) -> tuple[dict, str]:
    with translation.override("sv"):
        report = national_report_for(year=year, as_of=as_of, publication=True)
        data = json.loads(json.dumps(exports.national_json(report), ensure_ascii=False))
        # The report's own check agrees: no hidden figure is determined.
        assert Checker(report.ledger).determined(report.ledger.hidden) == set()
    page = client.get(
        reverse("national:report"),
        {"year": year, "as_of": as_of.isoformat(), "publication": "on"},
    )
    assert page.status_code == 200
    return data, page.content.decode()


def test_publication_mode_hides_small_counts_and_nothing_hidden_can_be_computed(
    client, manager, coordinator
):
    client.force_login(manager)
    for n in range(4):
        victim(coordinator, opened_on=date(2024, 3, 1 + n), citizenship="RO")
    victim(coordinator, opened_on=date(2024, 4, 1), sex="male", purposes=["labour"])
    victim(
        coordinator,
        opened_on=date(2024, 4, 2),
        born=date(2010, 1, 1),
        purposes=["labour"],
        industry=Industry.GREEN,
        citizenship="NG",
    )
    mother = victim(coordinator, opened_on=date(2024, 5, 1), citizenship="NG")
    child = victim(
        coordinator, opened_on=date(2024, 5, 1), born=date(2016, 1, 1), category="relative"
    )
    link_child(child, mother, coordinator)
    internal = figures()
    assert (internal["n.persons"], internal["n.sex.male"], internal["n.accompanying"]) == (7, 1, 1)
    data, page = _publish(client)
    shown = data["figures"]
    assert shown["n.persons"] == 7
    for key in ("n.sex.male", "n.sex.male.adult", "n.age.child", "n.accompanying"):
        assert shown[key] in ("<3", ".."), key
    assert "&lt;3" in page
    reading = _read(data, page)
    assert reading.disagreements == []
    assert disclosed(reading) == {}


@pytest.mark.usefixtures("demo")
class TestOnTheDemo:
    """On the whole demo (the shared `demo` fixture, tests/demo.py)."""

    def test_publication_mode_on_the_demo_leaves_nothing_computable(self, db, client):
        manager = User.objects.filter(groups__name=Role.MANAGER).order_by("pk").first()
        client.force_login(manager)
        data, page = _publish(client)
        assert data["figures"]["n.persons"] == figures()["n.persons"]
        reading = _read(data, page)
        assert reading.disagreements == []
        assert disclosed(reading) == {}

    def test_the_council_figures_agree_on_the_demo(self, db):
        _assert_agrees_with_the_council_report(2024, A)
        _assert_agrees_with_the_council_report(2025, date(2025, 3, 31))
        assert figures()["q7.cases"] == 143  # the seed document's figure

    def test_national_figures_and_records_are_unchanged_by_a_full_retention_cull(self, db):
        manager = User.objects.filter(groups__name=Role.MANAGER).order_by("pk").first()
        assert manager is not None
        periods = [(2023, A), (2024, A), (2024, date(2024, 9, 30)), (2025, date(2026, 3, 31))]
        before = {p: figures(*p) for p in periods}
        records = {p: htcds_records(year=p[0], as_of=p[1]) for p in periods}
        rows = {p: ctdc_rows(year=p[0], as_of=p[1]) for p in periods}
        assert before[(2024, A)]["n.accompanying"] > 0
        run = retention.run_propose(by=manager, today=date(2040, 1, 1))
        assert run.individuals_count > 100
        run = retention.run_confirm(run=run, by=manager)
        assert run.culled_individuals == run.individuals_count
        for period in periods:
            assert figures(*period) == before[period], period
            # The records hold nothing identifying, so nothing in them changes either.
            assert htcds_records(year=period[0], as_of=period[1]) == records[period], period
            assert ctdc_rows(year=period[0], as_of=period[1]) == rows[period], period


# --- The page and the downloads ----------------------------------------------------------------------

PARAMETERS = {"year": "2024", "as_of": "2025-03-31"}


@pytest.fixture
def some_cases(db, coordinator):
    cases = [victim(coordinator, opened_on=date(2024, 3, n)) for n in range(1, 5)]
    victim(coordinator, opened_on=date(2025, 2, 1))  # another year
    return cases


def test_the_page_shows_the_figures_to_a_manager(client, manager, some_cases):
    client.force_login(manager)
    response = client.get(reverse("national:report"), PARAMETERS)
    assert response.status_code == 200
    page = response.content.decode()
    with translation.override("sv"):
        report = national_report_for(year=2024, as_of=A, publication=False)
        assert page_tables(page) == [[table.header(), *table.body()] for table in report.tables]
    assert report.statistics.total == 4
    for name in ("report_download", "htcds_download"):
        assert reverse(f"national:{name}", args=["csv"]) in page
    assert reverse("national:ctdc_download") in page


def _start(client, url, data):
    """Post a download: its job is made in-process (no broker) and the answer is its page."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == reverse("exportjobs:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE, job.error
    return job


def _download(client, job):
    response = client.get(reverse("exportjobs:download", args=[job.pk]))
    assert response.status_code == 200
    return response


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


@pytest.mark.parametrize(
    ("url", "content_type", "filename"),
    [
        ("/reports/national/report.pdf", "application/pdf", "lotsa-nspm-2024-per-20250331.pdf"),
        ("/reports/national/report.csv", "application/zip", "lotsa-nspm-2024-per-20250331.zip"),
        (
            "/reports/national/report.json",
            "application/json",
            "lotsa-nspm-2024-per-20250331.json",
        ),
        (
            "/reports/national/htcds.csv",
            "text/csv; charset=utf-8",
            "lotsa-htcds-2024-per-20250331.csv",
        ),
        ("/reports/national/htcds.json", "application/json", "lotsa-htcds-2024-per-20250331.json"),
        (
            "/reports/national/ctdc.csv",
            "text/csv; charset=utf-8",
            "lotsa-ctdc-2024-per-20250331-publicering.csv",
        ),
    ],
)
def test_each_download_is_made_in_the_background_as_before_and_logged(
    client, manager, some_cases, url, content_type, filename
):
    client.force_login(manager)
    job = _start(client, url, PARAMETERS)
    assert job.requested_by == manager
    # Made: the rows the download wrote when it was made within its request.
    log = AccessLogEntry.objects.filter(user=manager, action=AccessAction.EXPORT)
    view_name = resolve(url).view_name
    assert set(log.values_list("view_name", flat=True)) == {view_name}
    if "htcds" in url:
        # One row per case exported: the records are pseudonymous but still these persons'.
        assert sorted(log.values_list("object_id", flat=True)) == sorted(
            str(case.pk) for case in some_cases
        )
        assert set(log.values_list("individual_id", flat=True)) == {
            case.individual_id for case in some_cases
        }
        assert log.filter(object_type="casework.case").count() == 4
    else:
        assert log.count() == 1
        row = log.get()
        assert (row.object_type, row.object_id, row.individual_id) == ("", "", None)
        assert row.detail == (
            "CTDC 2024, k=11, 0 rows, 4 suppressed" if "ctdc" in url else row.detail
        )
    made = log.count()
    response = _download(client, job)
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    assert log.count() == 2 * made  # and the download, again
    content = response.content
    # The same bytes as the export functions make (what the download sent before).
    year, publication = 2024, False
    if url.endswith("report.csv"):
        report = national_report_for(year=year, as_of=A, publication=publication)
        assert content == exports.national_csv_zip(report)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            assert "nspm_sex_age.csv" in archive.namelist()
    elif url.endswith("report.json"):
        report = national_report_for(year=year, as_of=A, publication=publication)
        assert json.loads(content) == json.loads(json.dumps(exports.national_json(report)))
        assert json.loads(content)["figures"]["n.persons"] == 4
        assert log.filter(detail="NSPM 2024 json internal").count() == 2  # made, downloaded
    elif url.endswith("report.pdf"):
        assert content.startswith(b"%PDF")
        # The footer names the person who asked.
        assert str(manager) in _pdf_text(content)
    elif url.endswith("htcds.csv"):
        assert content.decode() == htcds_csv(htcds_records(year=2024, as_of=A))
    elif url.endswith("htcds.json"):
        records = htcds_records(year=2024, as_of=A)
        expected = htcds_json(records, year=2024, as_of=A)
        assert json.loads(content) == json.loads(json.dumps(expected))
        assert len(json.loads(content)["records"]) == 4
    else:
        assert content.decode() == exports.ctdc_csv(ctdc_microdata(year=2024, as_of=A))
        assert content.decode().startswith("# k-anonymity")


def test_the_publication_download_says_so_in_its_name(client, manager, some_cases):
    client.force_login(manager)
    job = _start(client, "/reports/national/report.json", {**PARAMETERS, "publication": "on"})
    assert AccessLogEntry.objects.get(user=manager).detail == "NSPM 2024 json publication"
    response = _download(client, job)
    assert "-publicering.json" in response["Content-Disposition"]
    assert json.loads(response.content)["mode"] == "publication"


def test_the_page_offers_the_downloads_as_buttons_that_post(client, manager, some_cases):
    client.force_login(manager)
    page = client.get(reverse("national:report"), {**PARAMETERS, "publication": "on"})
    html = page.content.decode()
    assert '<form method="post"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<input type="hidden" name="as_of" value="2025-03-31">' in html
    assert '<input type="hidden" name="publication" value="on">' in html
    assert f'formaction="{reverse("national:ctdc_download")}"' in html


@pytest.mark.parametrize(
    "url",
    ["/reports/national/report.pdf", "/reports/national/htcds.json", "/reports/national/ctdc.csv"],
)
def test_an_old_download_address_leads_to_the_page(client, manager, some_cases, url):
    client.force_login(manager)
    response = client.get(url, PARAMETERS)
    assert response.status_code == 302
    assert response["Location"] == reverse("national:report") + "?year=2024&as_of=2025-03-31"
    assert not ExportJob.objects.exists()
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


@pytest.mark.parametrize(
    "parameters",
    [
        {"year": "1999"},
        {"year": "tjugo"},
        {"year": "2024", "as_of": "2023-12-31"},
        {"year": "2024", "as_of": "2099-01-01"},
        {"year": "2024", "as_of": "31/3"},
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "/reports/national/",
        "/reports/national/report.json",
        "/reports/national/htcds.csv",
        "/reports/national/ctdc.csv",
    ],
)
def test_bad_parameters_are_refused_with_400_and_nothing_is_started_or_logged(
    client, manager, some_cases, parameters, url
):
    client.force_login(manager)
    with TestCase.captureOnCommitCallbacks(execute=True):
        if url == "/reports/national/":
            response = client.get(url, parameters)
        else:
            response = client.post(url, parameters)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not ExportJob.objects.exists()
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


@pytest.mark.parametrize(
    "url",
    ["/reports/national/report.xlsx", "/reports/national/htcds.pdf", "/reports/national/htcds.zip"],
)
def test_an_unknown_format_is_404(client, manager, url):
    client.force_login(manager)
    assert client.get(url, PARAMETERS).status_code == 404
    assert client.post(url, PARAMETERS).status_code == 404
    assert not ExportJob.objects.exists()


@pytest.mark.parametrize("persona", ["coordinator", "outreach_worker", "admin_user", "outsider"])
def test_other_roles_get_none_of_it(client, request, persona, some_cases):
    client.force_login(request.getfixturevalue(persona))
    for url in (
        "/reports/national/",
        "/reports/national/report.json",
        "/reports/national/htcds.json",
        "/reports/national/ctdc.csv",
    ):
        assert client.get(url, PARAMETERS).status_code == 403, url
    for url in (
        "/reports/national/report.pdf",
        "/reports/national/report.json",
        "/reports/national/htcds.csv",
        "/reports/national/ctdc.csv",
    ):
        with TestCase.captureOnCommitCallbacks(execute=True):
            assert client.post(url, PARAMETERS).status_code == 403, url
    assert not ExportJob.objects.exists()
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


def test_only_the_manager_who_asked_downloads_the_file(client, manager, some_cases):
    client.force_login(manager)
    job = _start(client, "/reports/national/htcds.csv", PARAMETERS)
    other = ManagerFactory.create(username="mats")
    client.force_login(other)
    assert client.get(reverse("exportjobs:download", args=[job.pk])).status_code in (403, 404)


# --- The command line -----------------------------------------------------------------------------


def _command(*args: str) -> str:
    out = io.StringIO()
    call_command("national_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_writes_what_the_pages_download(db, some_cases, tmp_path):
    text = _command("2024", "--as-of", "2025-03-31", "--format", "json", "--output", "-")
    with translation.override("sv"):
        expected = exports.national_json(national_report_for(year=2024, as_of=A, publication=False))
    assert json.loads(text) == json.loads(json.dumps(expected, ensure_ascii=False))
    text = _command("2024", "--as-of", "2025-03-31", "--format", "htcds-csv", "--output", "-")
    assert text == htcds_csv(htcds_records(year=2024, as_of=A))
    assert len(list(csv.DictReader(io.StringIO(text)))) == 4
    target = tmp_path / "nspm.zip"
    _command("2024", "--as-of", "2025-03-31", "--format", "csv", "--output", str(target))
    assert zipfile.is_zipfile(target)
    text = _command("2024", "--as-of", "2025-03-31", "--format", "ctdc", "--output", "-")
    assert "4 rows were suppressed" in text  # four persons, fewer than k = 11
    with override_settings(LOTSA_CTDC_K=2):
        text = _command("2024", "--as-of", "2025-03-31", "--format", "ctdc", "--output", "-")
    assert "0 rows were suppressed" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1999", "--format", "json"], "No report for the year 1999"),
        (["2024", "--as-of", "2023-12-31", "--format", "json"], "must not be before"),
        (["2024", "--format", "pdf"], "Only the text formats"),
    ],
)
def test_the_command_refuses_what_it_cannot_do(db, args, message):
    with pytest.raises(CommandError, match=message):
        _command(*args, "--output", "-")


def test_the_age_on_the_suspicion_date_survives_the_cull_of_the_date_of_birth(
    db, coordinator, manager
):
    """The cull keeps only the birth year; from it alone a 17-year-old whose birthday had not
    come would be 18. The case keeps the age the date of birth gave."""
    case = victim(coordinator, opened_on=date(2024, 3, 1), born=date(2006, 10, 2), category="minor")
    close(case, coordinator, date(2024, 6, 1))
    before = figures()
    [record] = htcds_records(year=2024, as_of=A)
    assert (before["n.age.child"], record["vic_AgeWhenTrafficked"]) == (1, 17)
    run = retention.run_propose(by=manager, today=date(2040, 1, 1))
    retention.run_confirm(run=run, by=manager)
    case.refresh_from_db()
    case.individual.refresh_from_db()
    assert (case.individual.date_of_birth, case.individual.birth_year) == (None, 2006)
    assert case.age_at_suspicion == 17
    assert figures() == before
    assert htcds_records(year=2024, as_of=A) == [record]
