"""The case page asks once which of its optional providers and panels have rows
(casework.timeline: support measures, organisations, consents, referrals, reflection-period
applications) and reads only those."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework import services
from casework.models import Organisation, SupportType
from tests.reflection_period_helpers import open_case, submitted

OPTIONAL_TABLES = [
    "casework_supportmeasure",
    "casework_caseorganisation",
    "casework_consent",
    "outreach_referral",
    "reflection_period_reflectionperiodapplication",
    "reflection_period_applicationevent",
    "reflection_period_reminder",
]


def _page_and_reads(client, case) -> tuple[str, dict[str, int]]:
    """The case page, and per optional table how many queries read its rows (not counting
    the one query that asks whether any exist)."""
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    reads = {
        table: sum(
            1 for q in queries.captured_queries if q["sql"].startswith(f'SELECT "{table}"."id"')
        )
        for table in OPTIONAL_TABLES
    }
    return page, reads


def test_a_case_without_them_reads_none_of_their_tables(client, coordinator) -> None:
    case = open_case(coordinator)
    client.force_login(coordinator)
    page, reads = _page_and_reads(client, case)
    assert reads == dict.fromkeys(OPTIONAL_TABLES, 0)
    # The reflection-period panel is there all the same, offering to apply.
    assert reverse("reflection_period:application_create", args=[case.pk]) in page


def test_a_case_with_an_application_reads_it_and_its_timeline(client, coordinator) -> None:
    case = open_case(coordinator)
    submitted(case, date(2024, 3, 4))
    client.force_login(coordinator)
    page, reads = _page_and_reads(client, case)
    assert reads["reflection_period_reflectionperiodapplication"] == 1
    assert reads["reflection_period_applicationevent"] == 1
    assert reads["reflection_period_reminder"] == 1
    assert reads["casework_supportmeasure"] == 0
    assert "Ansökan skickad till Migrationsverket" in page  # the timeline's event
    assert "2024-03-04" in page
    # An open application: the panel offers no second one.
    assert reverse("reflection_period:application_create", args=[case.pk]) not in page


def test_what_a_case_has_is_read_and_shown(client, coordinator) -> None:
    case = open_case(coordinator)
    organisation = Organisation.objects.create(name="Kvinnojouren Test")
    services.support_measure_create(
        case=case, by=coordinator, type=SupportType.COUNSELLING, started_on=date(2024, 3, 2)
    )
    services.consent_record(
        case=case, by=coordinator, organisation=organisation, given_on=date(2024, 3, 3)
    )
    client.force_login(coordinator)
    page, reads = _page_and_reads(client, case)
    assert reads["casework_supportmeasure"] == 1
    assert reads["casework_consent"] == 1
    assert reads["casework_caseorganisation"] == 0
    assert "Kvinnojouren Test" in page
    assert "Samtalsstöd" in page
