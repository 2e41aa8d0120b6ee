"""Publication mode protects the report as a whole: no hidden count can be computed from
everything one publication releases (the page with its tables and answers, the CSV files and
the JSON), as tests/disclosure_reader.py reads them, independently of the report's own
bookkeeping.

The property test builds random data sets through the services. Its size: LOTSA_PROPERTY_EXAMPLES
data sets (default 6, derandomised so CI always checks the same ones); set it higher to run
longer and with fresh random data, e.g. LOTSA_PROPERTY_EXAMPLES=200.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reporting.disclosure import Ledger
from reporting.exports import report_csv_zip, report_for, report_json
from tests.disclosure_reader import disclosed, read_publication
from tests.reporting_data import (
    ApplicationSpec,
    ContactSpec,
    DataSet,
    PersonSpec,
    build,
    moment,
)

A = date(2025, 3, 31)
EXAMPLES = int(os.environ.get("LOTSA_PROPERTY_EXAMPLES", "6"))
# Seconds per data set, written to LOTSA_PROPERTY_REPORT (a JSON file) when that is set.
STATS: dict[str, list[float]] = {"data": [], "check": [], "reader": [], "page": []}


def publish(client, *, year=2024, as_of=A):
    """The JSON, the CSV archive and the page of one publication, in Swedish."""
    with translation.override("sv"):
        report = report_for(year=year, as_of=as_of, publication=True)
        data = json.loads(json.dumps(report_json(report), ensure_ascii=False))
        archive = report_csv_zip(report)
    started = time.perf_counter()
    page = client.get(
        reverse("reporting:report"),
        {"year": year, "as_of": as_of.isoformat(), "publication": "on"},
    ).content.decode()
    STATS["page"].append(time.perf_counter() - started)
    return data, archive, page


def assert_nothing_can_be_computed(data, archive, page):
    started = time.perf_counter()
    reading = read_publication(data, archive, page)
    assert reading.disagreements == []
    assert disclosed(reading) == {}
    STATS["reader"].append(time.perf_counter() - started)
    return reading


def social(submitted_on, outcome="granted", **kwargs):
    return ApplicationSpec(submitted_on=submitted_on, outcome=outcome, **kwargs)


def adult(opened_on=date(2024, 1, 10), *applications, **kwargs):
    return PersonSpec(opened_on=opened_on, applications=tuple(applications), **kwargs)


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return client


# --- The known leaks --------------------------------------------------------------------------------


def test_leak_a_total_hidden_in_one_table_is_hidden_in_every_table(
    signed_in, coordinator, outreach_worker
):
    """Four applications, one of each outcome: four cells of 1-2 that sum to a printed 4 are
    all 1. The outcome table hid its total, but the table by age, question 3's table and
    answer and q3.applications printed it."""
    build(
        DataSet(
            people=(
                adult(date(2024, 1, 10), social(date(2024, 2, 1), "granted")),
                adult(date(2024, 1, 10), social(date(2024, 3, 1), "rejected")),
                adult(date(2024, 1, 10), social(date(2024, 4, 1), "withdrawn")),
                adult(date(2024, 1, 10), social(date(2024, 5, 1), "pending", decided_after=400)),
            )
        ),
        coordinator=coordinator,
        outreach_worker=outreach_worker,
    )
    data, archive, page = publish(signed_in)
    assert data["q1"]["outcomes"] == dict.fromkeys(
        ["granted", "rejected", "pending", "withdrawn"], "<3"
    )
    # The applications are one figure, hidden wherever they are printed.
    total = data["q1"]["applications"]
    assert not isinstance(total, int)
    assert data["q3"]["applications"] == total
    assert data["years"]["2024"]["applications"] == total
    for key in ("q1_outcomes", "q1_per_month", "q3_legal_basis"):
        assert data["tables"][key][-1] == ["Totalt", total], key
    assert data["tables"]["q1_age_by_sex"][-1][-1] == total
    assert "ansökt i fyra ärenden" not in page
    assert_nothing_can_be_computed(data, archive, page)


def test_leak_months_do_not_give_each_month_away(signed_in, coordinator, outreach_worker):
    """Two applications in two months: "<3" + "<3" = a total of "<3" makes both 1."""
    build(
        DataSet(
            people=(
                adult(date(2024, 1, 10), social(date(2024, 1, 20))),
                adult(date(2024, 1, 10), social(date(2024, 2, 20))),
                *(adult(date(2024, 1, 10)) for _ in range(3)),
            )
        ),
        coordinator=coordinator,
        outreach_worker=outreach_worker,
    )
    data, archive, page = publish(signed_in)
    assert data["q1"]["per_month"][:2] != [1, 1]
    assert_nothing_can_be_computed(data, archive, page)


def test_leak_police_applications_cannot_be_computed_from_two_totals(
    signed_in, coordinator, outreach_worker
):
    """Five applications by the coordinators, one by the police, one by a prosecutor: the
    table of applicants hid the coordinators' 5 to protect the two small ones, but 5 is printed
    everywhere else, and all applications (7) minus 5 is 2 = 1 + 1."""
    people = [adult(date(2024, 1, 10), social(date(2024, 2, day))) for day in range(1, 6)]
    people += [
        adult(date(2024, 1, 10), social(date(2024, 3, 1), applicant="police")),
        adult(date(2024, 1, 10), social(date(2024, 3, 2), applicant="prosecutor")),
    ]
    build(DataSet(people=tuple(people)), coordinator=coordinator, outreach_worker=outreach_worker)
    data, archive, page = publish(signed_in)
    assert data["q1"]["applications"] == 5
    assert data["q1"]["by_applicant"] == {
        "social_services": 5,
        "police": "<3",
        "prosecutor": "<3",
    }
    # All applications minus the coordinators' would be the two small ones' sum: hidden.
    assert data["tables"]["q1_by_applicant"][-1] == ["Totalt", ".."]
    # And their sum "<3" would make both 1: it is shown as "..".
    assert data["q1"]["police_applications"] == ".."
    assert_nothing_can_be_computed(data, archive, page)


def test_leak_the_first_answer_never_prints_a_count_the_tables_hide(
    signed_in, coordinator, outreach_worker
):
    """The answer printed the adults' applications (4) while the table by age hid them."""
    people = [
        adult(date(2024, 1, 10), social(date(2024, 2, 1)), sex="female"),
        adult(date(2024, 1, 10), social(date(2024, 2, 2)), sex="female"),
        adult(date(2024, 1, 10), social(date(2024, 2, 3)), sex="female"),
        adult(date(2024, 1, 10), social(date(2024, 2, 4)), sex="male"),
        adult(date(2024, 1, 10), social(date(2024, 2, 5)), born=date(2008, 1, 1)),
        adult(date(2024, 1, 10), social(date(2024, 2, 6)), born=date(2008, 1, 2)),
    ]
    build(DataSet(people=tuple(people)), coordinator=coordinator, outreach_worker=outreach_worker)
    data, archive, page = publish(signed_in)
    reading = assert_nothing_can_be_computed(data, archive, page)
    adults_said = reading.shown["prose:q1.adult_individuals"]
    assert adults_said == data["q1"]["adult_individuals"]
    assert adults_said == data["disclosure"]["figures"]["q1.adult_individuals"]["shown"]


def test_question_2_says_what_it_counts_beside_question_1s_hidden_grants(
    signed_in, coordinator, outreach_worker
):
    """Question 1 hides the granted applications ("..", to protect 1 rejected and 1 pending)
    while question 2 prints the individuals granted. They are different counts (applications
    sent in the year, decided by the as-of date; people whose grant is dated in the year,
    whoever applied), and question 2's answer says so."""
    people = [adult(date(2024, 1, 10), social(date(2024, 2, day))) for day in range(1, 6)]
    people += [
        adult(date(2024, 1, 10), social(date(2024, 6, 1), "rejected")),
        adult(date(2024, 1, 10), social(date(2024, 6, 2), "pending", decided_after=400)),
    ]
    build(DataSet(people=tuple(people)), coordinator=coordinator, outreach_worker=outreach_worker)
    data, archive, page = publish(signed_in)
    assert data["q1"]["outcomes"]["granted"] == ".."
    assert data["q2"]["individuals_granted"] == 5
    assert (
        "Under 2024 beviljades fem individer tillstånd genom beslut daterade under perioden, "
        "oavsett vem som ansökte, och fick därmed dessa rättigheter." in page
    )
    assert_nothing_can_be_computed(data, archive, page)


def test_the_first_answer_counts_adults_as_people(signed_in, coordinator, outreach_worker):
    """One adult with two applications and a minor with one: two individuals, one an adult
    (the answer said "två vuxna", counting applications)."""
    build(
        DataSet(
            people=(
                adult(
                    date(2024, 1, 10),
                    social(date(2024, 2, 1), "rejected"),
                    social(date(2024, 5, 1), "granted"),
                ),
                adult(date(2024, 1, 10), social(date(2024, 2, 5)), born=date(2008, 1, 1)),
            )
        ),
        coordinator=coordinator,
        outreach_worker=outreach_worker,
    )
    with translation.override("sv"):
        report = report_for(year=2024, as_of=A, publication=False)
    assert report.questions[0].answer[0].endswith("för två individer, varav en vuxen.")
    assert report_json(report)["q1"]["adult_individuals"] == 1
    assert report_json(report)["q1"]["adults"] == 2  # applications by adults, as before


def test_the_same_report_hides_the_same_figures_every_time(signed_in, coordinator, outreach_worker):
    people = [adult(date(2024, 1, 2), social(date(2024, m, 3))) for m in (1, 1, 2, 3, 3, 3)]
    build(DataSet(people=tuple(people)), coordinator=coordinator, outreach_worker=outreach_worker)
    first = report_for(year=2024, as_of=A, publication=True)
    second = report_for(year=2024, as_of=A, publication=True)
    assert first.ledger.hidden == second.ledger.hidden
    assert first.ledger.hidden  # there is something to hide
    # The reasons are recorded for whoever maintains the rule.
    assert set(first.ledger.reasons) == set(first.ledger.hidden)


# --- Random data sets ----------------------------------------------------------------------------------

START, END = date(2022, 1, 1), date(2025, 6, 30)
days = st.integers(0, (END - START).days).map(lambda n: START + timedelta(days=n))
purposes = st.sets(
    st.sampled_from(["sexual", "sexual", "labour", "criminality", "begging"]), min_size=1
).map(lambda found: tuple(sorted(found)))


@st.composite
def people(draw):
    opened_on = draw(days)
    applications = draw(
        st.lists(
            st.builds(
                ApplicationSpec,
                submitted_on=st.integers(0, 500).map(
                    lambda n: min(opened_on + timedelta(days=n), END)
                ),
                outcome=st.sampled_from(
                    ["pending", "granted", "granted", "rejected", "withdrawn", "draft"]
                ),
                decided_after=st.sampled_from([0, 2, 30, 400]),
                purposes=purposes,
                applicant=st.sampled_from(
                    ["social_services", "social_services", "social_services", "police"]
                ),
            ),
            max_size=2,
        )
    )
    born = draw(
        st.one_of(
            st.none(),
            # Minors turning 18 around the years reported, and adults.
            st.integers(0, 8 * 365).map(lambda n: date(2004, 1, 1) + timedelta(days=n)),
            st.just(date(1990, 6, 15)),
        )
    )
    category = draw(
        st.sampled_from(["relative", "adult", "minor"])
        if born is None
        else st.sampled_from([None, None, None, "relative"])
    )
    closed = draw(st.one_of(st.none(), st.integers(0, 700)))
    last = max([opened_on, *(a.submitted_on for a in applications)])
    closed_on = None if closed is None else min(last + timedelta(days=closed), END)
    support = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["protected_housing", "counselling", "rights_information"]),
                st.integers(0, 300).map(lambda n: min(opened_on + timedelta(days=n), END)),
            ),
            max_size=2,
        )
    )
    return PersonSpec(
        opened_on=opened_on,
        sex=draw(st.sampled_from(["female", "female", "male", "unknown"])),
        born=born,
        year_only=draw(st.booleans()),
        category=category,
        closed_on=closed_on,
        applications=tuple(applications),
        support=tuple(support),
    )


data_sets = st.builds(
    DataSet,
    people=st.lists(people(), min_size=1, max_size=8).map(tuple),
    contacts=st.lists(
        st.builds(
            ContactSpec,
            contacted_at=days.map(moment),
            referral=st.sampled_from([None, "pending", "accepted", "declined"]),
            after_hours=st.integers(1, 400),
        ),
        max_size=4,
    ).map(tuple),
)
reports = st.sampled_from(
    [(2024, A, 3), (2024, date(2024, 9, 30), 3), (2025, A, 3), (2024, A, 2), (2024, A, 5)]
)


@pytest.fixture
def timed_check(monkeypatch):
    """Time every run of the disclosure check (Ledger.protect)."""
    protect = Ledger.protect

    def timed(self, k):
        started = time.perf_counter()
        protect(self, k)
        STATS["check"].append(time.perf_counter() - started)

    monkeypatch.setattr(Ledger, "protect", timed)


@pytest.mark.postgres
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="LOTSA_PROPERTY_EXAMPLES" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=data_sets, which=reports)
def test_no_hidden_count_can_be_computed_from_a_whole_publication(
    signed_in, coordinator, outreach_worker, timed_check, data, which
):
    year, as_of, k = which
    with transaction.atomic():
        started = time.perf_counter()
        build(data, coordinator=coordinator, outreach_worker=outreach_worker)
        STATS["data"].append(time.perf_counter() - started)
        with override_settings(LOTSA_PUBLICATION_THRESHOLD=k):
            published = publish(signed_in, year=year, as_of=as_of)
        assert published[0]["publication_threshold"] == k
        assert_nothing_can_be_computed(*published)
        transaction.set_rollback(True)


def teardown_module():
    if os.environ.get("LOTSA_PROPERTY_REPORT"):
        with open(os.environ["LOTSA_PROPERTY_REPORT"], "w") as out:
            json.dump(STATS, out)
