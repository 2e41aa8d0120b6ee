"""The data-subject export (registerutdrag, GDPR art. 15): a manager gets, for one individual,
a PDF or a JSON of everything Lotsa holds about them; every export is logged with the stated
reference of the request, and no other role reaches it."""

from __future__ import annotations

import io
import json
import re
import subprocess
from datetime import date, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import AccessAction, AccessLogEntry
from casework import services as casework_services
from casework.models import (
    CaseEvent,
    CaseOrganisation,
    CasePurpose,
    Consent,
    Individual,
    JournalEntry,
    Organisation,
    Origin,
    Protection,
    SupportMeasure,
)
from dsar.selectors import collect
from exportjobs.models import ExportJob
from outreach import services as outreach_services
from outreach.models import District
from reflection_period import services as reflection_services
from reflection_period.models import (
    ApplicationEvent,
)
from tests.factories import (
    ApplicationFactory,
    CaseFactory,
    IndividualFactory,
    OutreachContactFactory,
    ReferralFactory,
)

GIVEN, FAMILY = "Åsa-Märta", "Öberg"
SIGNED_TEXT = "Signeradtext-om-mötet-på-Södermalm"
DRAFT_TEXT = "Utkasttext-om-samtalet"
CONTACT_ALIAS = "Nattviolen"
MIGRATION_NUMBER = "MIG-4711-2025"
REASON = "Dnr SN 2026/1234"
REQUIRED_SV = "Ange skälet eller referensen till begäran"


def _compact(text: str) -> str:
    """Text without white space: a PDF breaks lines where it likes (also after hyphens)."""
    return re.sub(r"\s+", "", text)


def _pdf_text(content: bytes) -> str:
    return _compact(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


@pytest.fixture
def subject(coordinator, outreach_worker):
    """A person with two cases, a signed entry and a draft, support, a consent, an organisation,
    a granted application with its next step, an outreach contact referred into the first case,
    a change of phone number (history) and a coordinator's read of their page (access log)."""
    case = casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "alias": "Lärkan",
            "given_name": GIVEN,
            "family_name": FAMILY,
            "date_of_birth": date(1994, 5, 17),
            "phone": "070-123 45 67",
            "sex": "female",
            "citizenship": "RO",
            "notes": "Talar rumänska och lite engelska.",
        },
        coordinator=coordinator,
        opened_on=date(2025, 3, 1),
        origin=Origin.POLICE,
        offence="trafficking",
        purposes=["sexual", "labour"],
    )
    individual = case.individual
    second = casework_services.case_open(
        individual=individual,
        coordinator=coordinator,
        opened_on=date(2025, 4, 2),
        origin=Origin.CIVIL_SOCIETY,
        by=coordinator,
        category="relative",
    )
    signed = casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2025, 3, 2), kind="meeting", text=SIGNED_TEXT
    )
    casework_services.journal_entry_sign(entry=signed, by=coordinator)
    casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2025, 3, 4), kind="phone", text=DRAFT_TEXT
    )
    organisation = Organisation.objects.filter(active=True).order_by("pk").first()
    assert organisation is not None
    casework_services.support_measure_create(
        case=case, by=coordinator, type="protected_housing", started_on=date(2025, 3, 2)
    )
    casework_services.consent_record(
        case=case, by=coordinator, organisation=organisation, given_on=date(2025, 3, 2)
    )
    casework_services.organisation_link_create(
        case=case,
        by=coordinator,
        organisation=organisation,
        linked_on=date(2025, 3, 3),
        purpose="Skyddat boende",
    )
    application = reflection_services.application_create(
        case=case, by=coordinator, offence="trafficking", purposes=["sexual"]
    )
    reflection_services.application_submit(
        application=application,
        by=coordinator,
        submitted_on=date(2025, 3, 3),
        migration_agency_number=MIGRATION_NUMBER,
    )
    reflection_services.application_record_decision(
        application=application,
        by=coordinator,
        decision="granted",
        decided_on=date(2025, 3, 5),
        valid_from=date(2025, 3, 6),
    )
    reflection_services.application_record_next_step(
        application=application,
        by=coordinator,
        next_step="police_report",
        next_step_on=date(2025, 3, 20),
    )
    contact = outreach_services.contact_create(
        by=outreach_worker,
        contacted_at=timezone.now() - timedelta(days=30),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[outreach_worker],
        alias=CONTACT_ALIAS,
        consent="yes",
        indicators=["debt"],
    )
    referral = outreach_services.referral_create(
        contact=contact, by=outreach_worker, send_notifications=False
    )
    outreach_services.referral_accept_into_case(
        referral=referral, by=coordinator, case=case, send_notifications=False
    )
    individual.refresh_from_db()
    casework_services.individual_update(
        individual=individual,
        by=coordinator,
        expected_version=individual.version,
        data={"phone": "070-765 43 21"},
    )
    return {
        "individual": Individual.objects.get(pk=individual.pk),
        "cases": [case, second],
        "application": application,
        "contact": contact,
        "referral": referral,
    }


def _url(individual: Individual) -> str:
    return reverse("dsar:subject_export", kwargs={"pk": individual.pk})


def _export(client: Any, individual: Individual, fmt: str, reason: str = REASON) -> Any:
    """Ask for the file and download it from its page. A worker makes it: in-process here (no
    broker), once the request's transaction has committed."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(_url(individual), {"format": fmt, "request_reference": reason})
    if response.status_code != 302 or not response["Location"].startswith("/exports/"):
        return response
    job = ExportJob.objects.latest("pk")
    assert response["Location"] == reverse("exportjobs:job", args=[job.pk])
    assert client.get(response["Location"]).status_code == 200
    return client.get(reverse("exportjobs:download", args=[job.pk]))


def _exports_logged() -> int:
    return AccessLogEntry.objects.filter(action=AccessAction.EXPORT).count()


# --- What the files hold ---------------------------------------------------------------------------


def test_json_holds_everything_about_the_individual(client, manager, coordinator, subject):
    individual = subject["individual"]
    reader = type(client)()
    reader.force_login(coordinator)
    assert (
        reader.get(reverse("casework:individual_detail", args=[individual.pk])).status_code == 200
    )

    client.force_login(manager)
    response = _export(client, individual, "json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    raw = response.content.decode("utf-8")
    assert FAMILY in raw  # UTF-8 as is, not \u-escaped
    data = json.loads(raw)
    assert list(data) == sorted(data)  # stable key order
    assert data["format"] == "lotsa-registerutdrag/1"
    assert data["generated_by"] == {
        "id": manager.pk,
        "username": manager.username,
        "name": str(manager),
        "roles": [{"value": "manager", "label": "Chef"}],
    }
    assert data["request_reference"] == REASON
    assert data["generated_at"].startswith(timezone.localdate().isoformat())
    assert data["lotsa_version"]

    person = data["individual"]
    assert person["given_name"] == GIVEN
    assert person["family_name"] == FAMILY
    assert person["date_of_birth"] == "1994-05-17"
    assert person["phone"] == "070-765 43 21"
    assert person["sex"] == {"value": "female", "label": "Kvinna"}
    assert person["citizenship"]["value"] == "RO"
    assert person["protection"]["value"] == "none"
    assert person["notes"] == "Talar rumänska och lite engelska."

    assert [case["number"] for case in data["cases"]] == [c.number for c in subject["cases"]]
    first = data["cases"][0]
    assert first["origin"]["value"] == "police"
    assert first["offence"]["value"] == "trafficking"
    assert {p["value"] for p in first["purposes"]} == {"sexual", "labour"}
    entries = {entry["text"]: entry for entry in first["journal_entries"]}
    assert entries[SIGNED_TEXT]["status"]["value"] == "signed"
    assert entries[SIGNED_TEXT]["signed_by"]["id"] == coordinator.pk
    assert entries[DRAFT_TEXT]["status"]["value"] == "draft"
    assert first["support_measures"][0]["type"]["value"] == "protected_housing"
    assert first["consents"][0]["given_on"] == "2025-03-02"
    assert first["organisation_links"][0]["purpose"] == "Skyddat boende"
    assert first["closing_reason"] == ""  # an open case: no choice, so no label
    assert data["cases"][1]["category"]["value"] == "relative"
    assert data["field_labels"]["consent"]["recorded_by"] == "Registrerad av"

    (application,) = data["reflection_period_applications"]
    assert application["case"]["number"] == subject["cases"][0].number
    assert application["submitted_on"] == "2025-03-03"
    assert application["decided_on"] == "2025-03-05"
    assert application["status"] == {"value": "granted", "label": "Beviljad"}
    assert application["valid_from"] == "2025-03-06"
    assert application["valid_to"] == "2025-04-04"
    assert application["next_step"]["value"] == "police_report"
    assert application["next_step_on"] == "2025-03-20"
    assert application["migration_agency_number"] == MIGRATION_NUMBER
    assert {event["kind"]["value"] for event in application["events"]} >= {"submitted", "granted"}

    (contact,) = data["outreach_contacts"]
    assert contact["alias"] == CONTACT_ALIAS
    assert contact["indicators"][0]["value"] == "debt"
    (referral,) = data["referrals"]
    assert referral["status"]["value"] == "accepted"
    assert referral["case"]["number"] == subject["cases"][0].number

    phone_change = [
        change
        for entry in data["change_history"]
        for change in entry["changes"]
        if change["new"] == "070-765 43 21"
    ]
    assert phone_change == [{"field": "Telefon", "old": "070-123 45 67", "new": "070-765 43 21"}]
    objects = {entry["object"] for entry in data["change_history"]}
    assert f"Ärende {subject['cases'][0].number}" in objects
    assert any(name.startswith("Journalanteckning") for name in objects)
    assert any(name.startswith("Ansökan om betänketid") for name in objects)
    assert data["change_history"] == sorted(data["change_history"], key=lambda e: e["at"])

    reads = [row for row in data["access_log"] if row["user"]["id"] == coordinator.pk]
    assert reads
    assert reads[0]["action"]["value"] == "view"
    assert reads[0]["page"] == "Individsida"  # the page's name, as the log review names it
    assert reads[0]["object"] == "Individ"
    assert "ip_address" not in reads[0]


def test_pdf_holds_the_same_in_swedish(client, manager, subject):
    individual = subject["individual"]
    client.force_login(manager)
    response = _export(client, individual, "pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    for needle in [
        "Registerutdrag",
        individual.reference,
        GIVEN,
        FAMILY,
        "1994-05-17",
        *(case.number for case in subject["cases"]),
        SIGNED_TEXT,
        DRAFT_TEXT,
        "Utkast",
        "Skyddat boende",
        "2025-03-03",
        "2025-03-05",
        "2025-04-04",
        MIGRATION_NUMBER,
        "Polisanmälan",
        CONTACT_ALIAS,
        "Ändringshistorik",
        "070-12345 67",
        "Åtkomstlogg",
        REASON,
        "Sida1av",
    ]:
        assert _compact(needle) in text, needle
    assert "SEKRETESS–skyddadepersonuppgifter" not in text
    assert "Createdby" not in text  # every field is named in Swedish


def _pdf_pages(content: bytes) -> int:
    return len(PdfReader(io.BytesIO(content)).pages)


def _pdftotext(content: bytes) -> str:
    """The PDF's text laid out as poppler reads it (a second, independent reader)."""
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def test_a_short_case_reads_as_a_letter_to_the_person(client, manager, coordinator):
    """Issue 21, item 4: the extract is written for the person who asked for it: Swedish words
    instead of object types and page names, the maker by name and role, each fact once, and a
    short case on a few pages instead of a dozen mostly empty ones."""
    case = casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={"given_name": "Ilona", "family_name": "Kort", "citizenship": "PH"},
        coordinator=coordinator,
        opened_on=date(2025, 2, 3),
        origin=Origin.POLICE,
        category="adult",
    )
    casework_services.journal_entry_create(
        case=case, author=coordinator, entry_date=date(2025, 2, 4), kind="phone", text="Samtal."
    )
    for view_name in ("casework:case_detail", "home:start_coordinator", "accounts:start_manager"):
        AccessLogEntry.objects.create(
            user=coordinator,
            action=AccessAction.VIEW,
            object_type="casework.case",
            object_id=str(case.pk),
            individual_id=case.individual_id,
            view_name=view_name,
        )
    client.force_login(manager)
    response = _export(client, case.individual, "pdf")
    assert response.status_code == 200
    text = _pdftotext(response.content)

    internal = re.findall(
        r"\b(?:casework|accounts|outreach|reflection_period|home|documents)[.:]\w+", text
    )
    assert not internal
    assert "(medarbetarens id)" not in text
    assert f"Upprättat av {manager.get_full_name()} (chef)" in re.sub(r"\s+", " ", text)
    assert f"Ärende {case.number}" in text  # the access log names the case by its number
    assert "Ärendesida" in text
    assert "Startsida (regionkoordinator)" in text
    assert "Filippinerna" in text
    assert text.count("Skyddade personuppgifter") + text.count("skyddade personuppgifter") <= 1
    assert _pdf_pages(response.content) <= 3


def test_a_protected_person_is_exported_to_a_manager_marked_confidential(
    client, manager, coordinator
):
    case = casework_services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "given_name": "Zelmira",
            "family_name": "Skyddeborg",
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=coordinator,
        opened_on=date(2025, 1, 10),
        origin=Origin.POLICE,
        category="adult",
    )
    client.force_login(manager)
    response = _export(client, case.individual, "pdf")
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "Zelmira" in text  # the manager is entitled to the identity
    assert "SEKRETESS–skyddadepersonuppgifter" in text
    assert "skyddadfolkbokföring" in text.lower()


def test_an_individual_without_cases_is_exported(client, manager):
    individual = IndividualFactory.create(alias="Ensamvargen")
    client.force_login(manager)

    data = json.loads(_export(client, individual, "json").content)
    assert data["individual"]["alias"] == "Ensamvargen"
    assert data["cases"] == []
    assert data["reflection_period_applications"] == []
    assert data["outreach_contacts"] == []

    response = _export(client, individual, "pdf")
    assert response.status_code == 200
    assert "Individenharintenågraärenden" in _pdf_text(response.content)


# --- The page, the download and the log ------------------------------------------------------------


def test_the_individual_page_offers_the_export_to_managers_only(client, manager, coordinator):
    individual = IndividualFactory.create()
    page = reverse("casework:individual_detail", args=[individual.pk])
    client.force_login(coordinator)
    assert _url(individual) not in client.get(page).content.decode()
    client.force_login(manager)
    response = client.get(page)
    assert _url(individual) in response.content.decode()
    assert "Registerutdrag (GDPR art. 15)" in response.content.decode()


def test_the_form_page_names_the_person_by_reference_in_the_title(client, manager, subject):
    individual = subject["individual"]
    client.force_login(manager)
    response = client.get(_url(individual))
    assert response.status_code == 200
    page = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None
    assert individual.reference in title.group(1)
    assert FAMILY not in title.group(1)
    assert 'name="request_reference"' in page
    assert 'value="json"' in page


def test_the_download_is_named_by_reference_and_date_and_logged_with_the_reason(
    client, manager, subject
):
    individual = subject["individual"]
    client.force_login(manager)
    before = _exports_logged()
    response = _export(client, individual, "pdf")

    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="registerutdrag-{individual.reference}-{today}.pdf"'
    )
    assert GIVEN not in response["Content-Disposition"]
    # Logged when the file was made (as asked for on the export page) and when downloaded.
    assert _exports_logged() == before + 2
    made, downloaded = AccessLogEntry.objects.filter(action=AccessAction.EXPORT).order_by("pk")
    for row in (made, downloaded):
        assert row.user == manager
        assert row.individual_id == individual.pk
        assert row.object_type == "casework.individual"
        assert row.object_id == str(individual.pk)
        assert row.detail == f"Registerutdrag (GDPR art. 15) PDF: {REASON}"
    assert made.view_name == "dsar:subject_export"
    assert downloaded.view_name == "exportjobs:download"

    # The next export lists the first one among the reads of the person's data.
    data = json.loads(_export(client, individual, "json").content)
    assert any(
        entry["action"]["value"] == "export" and REASON in entry["detail"]
        for entry in data["access_log"]
    )
    assert _exports_logged() == before + 4


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_missing_reason_gives_a_swedish_error_and_no_file(client, manager, subject, reason):
    individual = subject["individual"]
    client.force_login(manager)
    before = _exports_logged()
    response = _export(client, individual, "pdf", reason=reason)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert not response.has_header("Content-Disposition")
    assert REQUIRED_SV in response.content.decode()
    assert _exports_logged() == before


def test_an_unknown_format_is_refused(client, manager, subject):
    client.force_login(manager)
    response = _export(client, subject["individual"], "xml")
    assert response.status_code == 400
    assert not response.has_header("Content-Disposition")


def test_a_missing_individual_is_404_for_a_manager(client, manager):
    client.force_login(manager)
    url = reverse("dsar:subject_export", kwargs={"pk": 999_999_999})
    assert client.get(url).status_code == 404
    response = client.post(url, {"format": "json", "request_reference": REASON})
    assert response.status_code == 404
    assert _exports_logged() == 0


@pytest.mark.parametrize("persona", ["coordinator", "outreach_worker", "admin_user", "outsider"])
def test_other_roles_are_refused(request, client, subject, persona):
    client.force_login(request.getfixturevalue(persona))
    url = _url(subject["individual"])
    assert client.get(url).status_code == 403
    response = _export(client, subject["individual"], "json")
    assert response.status_code == 403
    assert FAMILY not in response.content.decode()
    assert _exports_logged() == 0


def test_anonymous_users_are_sent_to_sign_in(client, subject):
    url = _url(subject["individual"])
    for response in (client.get(url), _export(client, subject["individual"], "json")):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert _exports_logged() == 0


# --- Cost --------------------------------------------------------------------------------------------


def _case_with_everything(individual: Individual, n: int, coordinator: Any, worker: Any) -> None:
    """A closed case (several per person) with one of every kind of thing, built directly."""
    now = timezone.now()
    case = CaseFactory.create(
        individual=individual,
        coordinator=coordinator,
        closed_on=date(2024, 6, 1),
        closing_reason="completed",
    )
    organisation = Organisation.objects.order_by("pk").first()
    assert organisation is not None
    CasePurpose.objects.create(case=case, purpose="sexual")
    entry = JournalEntry.objects.create(
        case=case, entry_date=date(2024, 3, 2), kind="meeting", text=f"T{n}", author=coordinator
    )
    JournalEntry.objects.create(
        case=case,
        entry_date=date(2024, 3, 3),
        kind="other",
        text=f"R{n}",
        author=coordinator,
        corrects=entry,
        signed_at=now,
        signed_by=coordinator,
    )
    SupportMeasure.objects.create(
        case=case,
        type="counselling",
        started_on=date(2024, 3, 2),
        organisation=organisation,
        created_by=coordinator,
    )
    Consent.objects.create(
        case=case, organisation=organisation, given_on=date(2024, 3, 2), recorded_by=coordinator
    )
    CaseOrganisation.objects.create(
        case=case,
        organisation=organisation,
        linked_on=date(2024, 3, 2),
        purpose="x",
        created_by=coordinator,
    )
    CaseEvent.objects.create(case=case, kind="opened", on=date(2024, 3, 1), by=coordinator)
    application = ApplicationFactory.create(case=case)
    ApplicationEvent.objects.create(
        application=application, kind="created", on=date(2024, 3, 2), by=coordinator
    )
    contact = OutreachContactFactory.create(created_by=worker)
    contact.indicators.create(indicator="debt")
    contact.offers.create(offer="interpreter")
    ReferralFactory.create(
        contact=contact,
        referred_at=now - timedelta(hours=2),
        accepted=True,
        accepted_at=now,
        accepted_by=coordinator,
        case=case,
    )
    AccessLogEntry.objects.create(
        user=coordinator,
        action=AccessAction.VIEW,
        object_type="casework.case",
        object_id=str(case.pk),
        individual_id=individual.pk,
        view_name="casework:case_detail",
    )


def _queries_for(cases: int, coordinator: Any, worker: Any) -> tuple[int, dict[str, Any]]:
    individual = IndividualFactory.create()
    for n in range(cases):
        _case_with_everything(individual, n, coordinator, worker)
    individual = Individual.objects.get(pk=individual.pk)
    with CaptureQueriesContext(connection) as queries:
        data = collect(individual)
    return len(queries), data


def test_the_collector_reads_in_a_fixed_number_of_queries(coordinator, outreach_worker):
    one, data_one = _queries_for(1, coordinator, outreach_worker)
    five, data_five = _queries_for(5, coordinator, outreach_worker)
    assert len(data_one["cases"]) == 1
    assert len(data_five["cases"]) == 5
    assert len(data_five["outreach_contacts"]) == 5
    assert len(data_five["access_log"]) == 5
    assert sum(len(c["journal_entries"]) for c in data_five["cases"]) == 10
    assert five == one
    # 25 before the person's related persons (issue 25) joined the extract: one query more.
    assert one <= 26
