"""The last five years side by side: each year's column is that year's report (applications
by outcome, cases by category, contacts and referrals), on the page and in the PDF, with a
chart, and under the same disclosure control as the rest of the report."""

from __future__ import annotations

import io
import itertools
import re
from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from reporting.charts import Bar, Series, bar_chart
from reporting.exports import report_for, report_json, report_pdf
from reporting.selectors import annual_statistics, yearly_comparison
from tests.reporting_data import ApplicationSpec, ContactSpec, DataSet, PersonSpec, build, moment

A = date(2025, 3, 31)


def _data(scale: int = 1) -> DataSet:
    """Cases and applications over 2021-2025 that straddle the years, with decisions after
    the as-of date, withdrawals, minors and relatives; contacts and referrals."""
    people = []
    for n in range(4 * scale):
        year = 2021 + n % 4
        people.append(
            PersonSpec(
                opened_on=date(year, 2, 1),
                born=date(1990, 1, 1) if n % 3 else date(year - 16, 6, 1),
                category="relative" if n % 7 == 6 else None,
                closed_on=date(year + 1, 3, 1) if n % 2 else None,
                applications=(
                    ApplicationSpec(
                        date(year, 12, 20),
                        outcome=["granted", "rejected", "withdrawn", "pending"][n % 4],
                        decided_after=[3, 30, 500, 3][n % 4],
                    ),
                ),
            )
        )
    contacts = [
        ContactSpec(
            moment(date(2021 + n % 4, 12, 31) - timedelta(days=n)),
            referral=["accepted", "declined", None, "pending"][n % 4],
            after_hours=30,
        )
        for n in range(4 * scale)
    ]
    return DataSet(people=tuple(people), contacts=tuple(contacts))


def test_each_year_is_that_years_report(db, coordinator, outreach_worker):
    build(_data(), coordinator=coordinator, outreach_worker=outreach_worker)
    comparison = yearly_comparison(year=2024, as_of=A)
    assert [figures.year for figures in comparison.years] == [2020, 2021, 2022, 2023, 2024]
    for figures in comparison.years:
        report = annual_statistics(year=figures.year, as_of=A)
        assert figures.applications == report.q1.applications, figures.year
        assert figures.outcomes == report.q1.outcomes, figures.year
        assert figures.cases == report.q7.cases, figures.year
        assert figures.by_category == report.q7.by_category, figures.year
        assert figures.contacts == report.q4.contacts, figures.year
        assert figures.referrals == report.q4.referrals, figures.year
    assert sum(figures.applications for figures in comparison.years) == 4
    # Sent in December 2023 and withdrawn in May 2025: pending as of 31 March 2025.
    assert comparison.years[3].outcomes == {
        "granted": 0,
        "rejected": 0,
        "pending": 1,
        "withdrawn": 0,
    }
    later = yearly_comparison(year=2024, as_of=date(2025, 6, 1))
    assert later.years[3].outcomes["withdrawn"] == 1


def test_a_report_in_progress_ends_its_year_at_the_as_of_date(db, coordinator, outreach_worker):
    build(_data(), coordinator=coordinator, outreach_worker=outreach_worker)
    comparison = yearly_comparison(year=2024, as_of=date(2024, 6, 30))
    last = comparison.years[-1]
    assert last.period.end == date(2024, 6, 30)
    assert (
        last.applications == annual_statistics(year=2024, as_of=date(2024, 6, 30)).q1.applications
    )
    assert last.applications == 0  # the 2024 application was sent on 20 December


def test_the_comparison_reads_four_queries_whatever_the_data(db, coordinator, outreach_worker):
    with CaptureQueriesContext(connection) as empty:
        yearly_comparison(year=2024, as_of=A)
    build(_data(scale=2), coordinator=coordinator, outreach_worker=outreach_worker)
    with CaptureQueriesContext(connection) as full:
        yearly_comparison(year=2024, as_of=A)
    assert len(empty) == len(full) == 4


def test_the_page_and_the_pdf_show_the_years_with_a_chart(
    client, manager, coordinator, outreach_worker
):
    build(_data(), coordinator=coordinator, outreach_worker=outreach_worker)
    client.force_login(manager)
    page = client.get(reverse("reporting:report"), {"year": 2024, "as_of": "2025-03-31"})
    html = page.content.decode()
    assert "De senaste fem åren: 2020–2024" in html
    for caption in (
        "Ansökningar efter utfall, år för år",
        "Ärenden under året efter kategori, år för år",
        "Uppsökande kontakter och länkningar, år för år",
    ):
        assert f">{caption}</caption>" in html, caption
    assert 'id="chart-years-applications-t"' in html
    assert 'id="chart-years-cases-t"' in html
    with translation.override("sv"):
        report = report_for(year=2024, as_of=A, publication=False)
        text = " ".join(
            page.extract_text()
            for page in PdfReader(io.BytesIO(report_pdf(report, generated_by="Maria"))).pages
        )
    text = " ".join(text.split())
    assert "De senaste fem åren: 2020–2024" in text
    assert "Ansökningar efter utfall, år för år" in text
    assert "Totalt 0 1 1 1 1" in text  # applications per year, 2020-2024


def test_the_years_are_in_the_json_and_hidden_like_the_rest_in_publication(
    db, coordinator, outreach_worker
):
    build(_data(), coordinator=coordinator, outreach_worker=outreach_worker)
    internal = report_json(report_for(year=2024, as_of=A, publication=False))
    assert internal["years"]["2024"]["applications"] == internal["q1"]["applications"] == 1
    assert internal["years"]["2021"]["outcomes"]["granted"] == 1
    published = report_json(report_for(year=2024, as_of=A, publication=True))
    assert published["years"]["2021"]["outcomes"]["granted"] == "<3"
    # The report's own year is the same figure as question 1's, hidden the same way.
    assert published["years"]["2024"]["applications"] == published["q1"]["applications"]
    assert published["years"]["2024"]["cases"] == published["q7"]["cases"]
    assert "years_outcomes" in published["tables"]


def test_a_long_legend_wraps_inside_the_chart():
    """Four categories' names do not fit on one line of a 640 px chart: the legend takes two
    rows, every entry starts inside the chart and none starts where the one before ends."""
    series = [
        Series(name=name, bars=[Bar(label="2024", value=1, shown="1")])
        for name in (
            "Vuxet brottsoffer",
            "Minderårigt brottsoffer",
            "Anhörig till brottsoffer",
            "Brottsoffer, okänd ålder",
        )
    ]
    svg = str(bar_chart(chart_id="c", title="T", series=series))
    entries = [
        (float(x), float(y))
        for x, y in re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="10" height="10"', svg)
    ]
    assert len(entries) == 4
    assert len({y for _x, y in entries}) == 2  # two rows
    assert all(x + 14 + 6.5 * 24 <= 640 for x, _y in entries)
    rows: dict[float, list[float]] = {}
    for x, y in entries:
        rows.setdefault(y, []).append(x)
    for xs in rows.values():
        assert all(b - a >= 14 + 6.5 * 17 for a, b in itertools.pairwise(xs))
