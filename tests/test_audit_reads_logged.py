"""Every read of personal data writes the access log: who, when, what object, which page, from
which address, and never the data itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessLogEntry
from casework import services as casework_services
from exportjobs.models import ExportJob
from outreach import services as outreach_services
from reporting import services as reporting_services
from reporting.models import ExportFormat
from tests.factories import OutreachContactFactory
from tests.reflection_period_helpers import draft, open_case

# What the log must never hold: the person's name, alias, the journal text, the contact's alias
# and the words searched for.
SECRETS = ("Ana", "Popescu", "Rosa", "Samtal med tolk", "Iris", "Lilja")


@dataclass
class World:
    case: object
    application: object
    contact: object
    referral: object

    @property
    def individual_id(self) -> int:
        return self.case.individual_id  # type: ignore[attr-defined]


@pytest.fixture
def world(coordinator, outreach_worker):
    case = open_case(
        coordinator, given_name="Ana", family_name="Popescu", alias="Rosa", birth_year=1998
    )
    casework_services.journal_entry_create(
        case=case,
        author=coordinator,
        entry_date=date(2024, 3, 2),
        kind="phone",
        text="Samtal med tolk",
    )
    contact = OutreachContactFactory.create(created_by=outreach_worker, alias="Iris")
    referral = outreach_services.referral_create(contact=contact, by=outreach_worker)
    return World(case=case, application=draft(case), contact=contact, referral=referral)


def _new_rows(before: int) -> list[tuple[str, str, str, str, int | None]]:
    return [
        (e.view_name, e.action, e.object_type, e.object_id, e.individual_id)
        for e in AccessLogEntry.objects.order_by("pk")[before:]
    ]


def _read(client, user, method: str, url: str, data=None, **headers) -> tuple[Any, list]:
    client.force_login(user)
    before = AccessLogEntry.objects.count()
    response = getattr(client, method)(url, data or {}, **headers)
    assert response.status_code in (200, 400), response.status_code
    return response, _new_rows(before)


def test_the_case_page_with_its_journal(client, coordinator, world):
    response, rows = _read(
        client, coordinator, "get", reverse("casework:case_detail", args=[world.case.pk])
    )
    assert "Samtal med tolk" in response.content.decode()  # the journal is on the case page
    assert rows == [
        ("casework:case_detail", "view", "casework.case", str(world.case.pk), world.individual_id)
    ]
    entry = AccessLogEntry.objects.latest("pk")
    assert (entry.user, entry.ip_address) == (coordinator, "127.0.0.1")
    assert abs((timezone.now() - entry.at).total_seconds()) < 60


def test_the_individual_page(client, coordinator, world):
    url = reverse("casework:individual_detail", args=[world.individual_id])
    _response, rows = _read(client, coordinator, "get", url)
    assert rows == [
        (
            "casework:individual_detail",
            "view",
            "casework.individual",
            str(world.individual_id),
            world.individual_id,
        )
    ]


def test_the_outreach_contact(client, coordinator, world):
    url = reverse("outreach:contact_detail", args=[world.contact.pk])
    _response, rows = _read(client, coordinator, "get", url)
    assert rows == [
        (
            "outreach:contact_detail",
            "view",
            "outreach.outreachcontact",
            str(world.contact.pk),
            None,
        )
    ]


def test_the_application_pdf(client, coordinator, world):
    url = reverse("reflection_period:application_pdf", args=[world.application.pk])
    response, rows = _read(client, coordinator, "get", url)
    assert response["Content-Type"] == "application/pdf"
    assert rows == [
        (
            "reflection_period:application_pdf",
            "print",
            "reflection_period.application",
            str(world.application.pk),
            world.individual_id,
        )
    ]


def test_case_list_search_results(client, coordinator, world):
    url = reverse("casework:case_list")
    response, rows = _read(client, coordinator, "post", url, {"q": "Ana"})
    assert "Ana Popescu" in response.content.decode()
    assert rows == [
        ("casework:case_list", "search", "casework.case", str(world.case.pk), world.individual_id)
    ]


def test_the_referral_inboxs_case_search(client, coordinator, world):
    url = reverse("outreach:referral_detail", args=[world.referral.pk])
    response, rows = _read(client, coordinator, "post", url, {"q": "Rosa"}, HTTP_HX_REQUEST="true")
    assert world.case.number in response.content.decode()
    assert rows == [
        (
            "outreach:referral_detail",
            "search",
            "casework.case",
            str(world.case.pk),
            world.individual_id,
        )
    ]


def test_the_deadline_board(client, coordinator, world):
    response, rows = _read(client, coordinator, "get", reverse("reflection_period:deadline_board"))
    assert "Ana Popescu" in response.content.decode()
    assert rows == [
        (
            "reflection_period:deadline_board",
            "view",
            "reflection_period.application",
            str(world.application.pk),
            world.individual_id,
        )
    ]


def test_the_case_csv_export(client, coordinator, world):
    response, rows = _read(client, coordinator, "get", reverse("casework:case_export"))
    assert "Ana Popescu" in response.content.decode("utf-8")
    assert rows == [
        ("casework:case_export", "export", "casework.case", str(world.case.pk), world.individual_id)
    ]


def test_the_case_csv_export_made_in_the_background(client, coordinator, world, settings):
    """A long list's file is made by a worker (in-process here): logged when it is made, with
    the list's page, and again when it is downloaded."""
    settings.LOTSA_EXPORT_BACKGROUND_ROWS = 0
    client.force_login(coordinator)
    before = AccessLogEntry.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(reverse("casework:case_export"), {"status": ""})
    assert started.status_code == 302
    made = ("casework:case_export", "export", "casework.case", str(world.case.pk))
    assert _new_rows(before) == [(*made, world.individual_id)]
    job = ExportJob.objects.get()
    response, rows = _read(
        client, coordinator, "get", reverse("exportjobs:download", args=[job.pk])
    )
    assert "Ana Popescu" in response.content.decode("utf-8")
    assert rows == [("exportjobs:download", *made[1:], world.individual_id)]


def test_the_registerutdrag_made_in_the_background(client, manager, world):
    client.force_login(manager)
    before = AccessLogEntry.objects.count()
    with TestCase.captureOnCommitCallbacks(execute=True):
        started = client.post(
            reverse("dsar:subject_export", kwargs={"pk": world.individual_id}),
            {"format": "json", "request_reference": "Dnr 1"},
        )
    assert started.status_code == 302
    made = ("export", "casework.individual", str(world.individual_id), world.individual_id)
    assert _new_rows(before) == [("dsar:subject_export", *made)]
    job = ExportJob.objects.get()
    response, rows = _read(client, manager, "get", reverse("exportjobs:download", args=[job.pk]))
    assert "Popescu" in response.content.decode("utf-8")
    assert rows == [("exportjobs:download", *made)]


def test_the_report_export(client, manager, world):
    export = reporting_services.export_request(
        by=manager, year=2024, as_of=date(2025, 3, 31), publication=False, format=ExportFormat.JSON
    )
    reporting_services.export_generate(export_id=export.pk)
    url = reverse("reporting:export_download", args=[export.pk])
    _response, rows = _read(client, manager, "get", url)
    assert rows == [
        ("reporting:export_download", "export", "reporting.reportexport", str(export.pk), None)
    ]


@pytest.mark.parametrize(
    "name",
    ["casework:case_edit", "casework:journal_create", "casework:case_reassign"],
)
def test_case_form_pages_show_the_person_and_are_logged(client, coordinator, world, name):
    url = reverse(name, args=[world.case.pk])
    response, rows = _read(client, coordinator, "get", url)
    assert "Ana Popescu" in response.content.decode()
    assert rows == [(name, "view", "casework.case", str(world.case.pk), world.individual_id)]


def test_application_form_pages_are_logged(client, coordinator, world):
    url = reverse("reflection_period:application_edit", args=[world.application.pk])
    response, rows = _read(client, coordinator, "get", url)
    assert "Ana Popescu" in response.content.decode()
    assert rows == [
        (
            "reflection_period:application_edit",
            "view",
            "reflection_period.application",
            str(world.application.pk),
            world.individual_id,
        )
    ]


def test_the_duplicate_check_shows_existing_people_and_is_logged(client, coordinator, world):
    data = {
        "ind-alias": "Rosa",
        "ind-sex": "female",
        "ind-birth_year": "1998",
        "ind-protection": "none",
        "case-coordinator": coordinator.pk,
        "case-opened_on": "2024-04-02",
        "case-offence": "trafficking",
        "case-origin": "police",
    }
    response, rows = _read(client, coordinator, "post", reverse("casework:case_create"), data)
    assert "Personen kan redan vara registrerad" in response.content.decode()
    assert rows == [
        (
            "casework:case_create",
            "search",
            "casework.individual",
            str(world.individual_id),
            world.individual_id,
        )
    ]


def test_the_coordinators_start_page(client, coordinator, world):
    response, rows = _read(client, coordinator, "get", reverse("home:start_coordinator"))
    page = response.content.decode()
    assert world.case.number in page
    assert "Ana Popescu" in page
    assert sorted(rows) == sorted(
        [
            (
                "home:start_coordinator",
                "view",
                "casework.case",
                str(world.case.pk),
                world.individual_id,
            ),
            # The new referral in the inbox shows its contact.
            (
                "home:start_coordinator",
                "view",
                "outreach.outreachcontact",
                str(world.contact.pk),
                None,
            ),
        ]
    )


def test_the_log_never_holds_the_data_itself(client, coordinator, manager, world):
    """After reads and searches of every kind, no column of any row holds a name, an alias, a
    journal text or a search term."""
    client.force_login(coordinator)
    client.post(reverse("casework:case_list"), {"q": "Popescu"})
    client.get(reverse("casework:case_detail", args=[world.case.pk]))
    client.get(reverse("casework:individual_detail", args=[world.individual_id]))
    client.post(
        reverse("outreach:referral_detail", args=[world.referral.pk]),
        {"q": "Rosa"},
        HTTP_HX_REQUEST="true",
    )
    client.post(reverse("casework:case_export"), {"q": "Ana"})
    client.get(reverse("reflection_period:application_pdf", args=[world.application.pk]))
    client.force_login(manager)
    client.post(reverse("outreach:contact_list"), {"q": "Iris"})
    client.get(reverse("audit:access_log_export"), {"individual": world.case.individual.reference})
    rows = list(AccessLogEntry.objects.values_list())
    assert len(rows) >= 8
    for row in rows:
        text = " ".join(str(value) for value in row)
        for secret in SECRETS:
            assert secret not in text, (secret, row)


def test_both_writers_of_a_list_read_write_the_same_rows(rf, coordinator):
    """A list's reads are written with one INSERT … unnest() on PostgreSQL and with bulk_create
    elsewhere (the demo's SQLite); both must write the same rows."""
    from django.urls import resolve

    from accounts import audit
    from accounts.models import AccessAction

    request = rf.get("/cases/", REMOTE_ADDR="192.0.2.7")
    request.user = coordinator
    request.resolver_match = resolve("/cases/")
    items = [("1", 11), ("2", None), ("x" * 50, 13)]

    def written() -> list[tuple[Any, ...]]:
        rows = AccessLogEntry.objects.order_by("pk").values_list(
            "user_id",
            "action",
            "object_type",
            "object_id",
            "individual_id",
            "view_name",
            "detail",
            "ip_address",
            "flagged",
        )
        return list(rows[len(rows) - len(items) :])

    audit.access_log_record_many(
        request=request,
        action=AccessAction.SEARCH,
        object_type="casework.case",
        items=items,
        detail="filters: q",
    )
    fast = written()
    row = AccessLogEntry(
        at=timezone.now(),
        user=coordinator,
        action=AccessAction.SEARCH,
        object_type="casework.case",
        view_name="casework:case_list",
        detail="filters: q",
        ip_address="192.0.2.7",
    )
    audit._insert_orm(
        row,
        [
            (object_id[:40], individual, individual is not None)  # nobody's coordinator
            for object_id, individual in items
        ],
    )
    assert written() == fast
    assert fast[2][3] == "x" * 40  # cut to the column's length
    assert fast[0] == (
        coordinator.pk,
        "search",
        "casework.case",
        "1",
        11,
        "casework:case_list",
        "filters: q",
        "192.0.2.7",
        True,  # the coordinator has no case of individual 11
    )
    assert fast[1][-1] is False  # no individual, no flag
    audit.access_log_record_many(
        request=request, action=AccessAction.VIEW, object_type="casework.case", items=[]
    )
    assert AccessLogEntry.objects.count() == 6  # an empty list writes nothing
