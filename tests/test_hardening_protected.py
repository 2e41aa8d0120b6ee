"""A protected person's identity never reaches a user who may not see it: not in any list, search
result, CSV or PDF. Those who may (the responsible coordinator, managers) do see it, so the
checks cannot pass by showing nobody anything.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accounts.roles import Role
from casework import services as casework_services
from casework.models import Origin, Protection
from outreach import services as outreach_services
from outreach.models import District
from reflection_period import services as reflection_services
from reporting.models import ReportExport
from tests.factories import UserFactory

NAME = ("Zelmira", "Skyddeborg")
PERSONAL_NUMBER = "19850607-1235"
SECRETS = [*NAME, PERSONAL_NUMBER, "198506071235", "1985-06-07", "073-555 12 34"]
ALIAS = "Fjärilen"
# Search texts that only the identity matches (the alias and reference are meant to be found).
IDENTITY_SEARCHES = [*NAME, " ".join(NAME), PERSONAL_NUMBER, "198506071235", "073-555"]


def _pdf_text(content: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _zip_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return " ".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


@pytest.fixture
def people(db):
    return {
        "responsible": UserFactory.create(username="karin", roles=[Role.COORDINATOR]),
        "other": UserFactory.create(username="samira", roles=[Role.COORDINATOR]),
        "outreach": UserFactory.create(username="jonas", roles=[Role.OUTREACH]),
        "manager": UserFactory.create(username="maria", roles=[Role.MANAGER]),
    }


@pytest.fixture
def protected(people):
    """A person with protected registration, with a case, an application waiting for a decision
    (the deadline board), and an outreach referral accepted into the case (the inbox)."""
    responsible = people["responsible"]
    today = timezone.localdate()
    case = casework_services.case_open_with_new_individual(
        by=responsible,
        individual_fields={
            "alias": ALIAS,
            "given_name": NAME[0],
            "family_name": NAME[1],
            "personal_number": PERSONAL_NUMBER.replace("-", ""),
            "date_of_birth": date(1985, 6, 7),
            "phone": "073-555 12 34",
            "sex": "female",
            "citizenship": "RO",
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=responsible,
        opened_on=date(today.year, 1, 10),
        origin=Origin.OUTREACH_REFERRAL,
        offence="trafficking",
        purposes=["sexual"],
    )
    application = reflection_services.application_create(
        case=case,
        by=responsible,
        offence="trafficking",
        purposes=["sexual"],
        submitted_on=today - timedelta(days=10),
    )
    worker = people["outreach"]
    contact = outreach_services.contact_create(
        by=worker,
        contacted_at=timezone.now() - timedelta(days=20),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[worker],
        alias="Kontakten",
        consent="yes",
    )
    referral = outreach_services.referral_create(contact=contact, by=worker)
    outreach_services.referral_accept_into_case(referral=referral, by=responsible, case=case)
    waiting_contact = outreach_services.contact_create(
        by=worker,
        contacted_at=timezone.now() - timedelta(days=1),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[worker],
        alias="Väntande",
        consent="yes",
    )
    waiting = outreach_services.referral_create(contact=waiting_contact, by=worker)
    return {"case": case, "application": application, "waiting_referral": waiting}


def _pages(client, protected) -> dict[str, str]:
    """Every list, search, export and PDF a coordinator can open, as text."""
    case, application = protected["case"], protected["application"]
    waiting = protected["waiting_referral"]
    pages = {
        "start": client.get(reverse("home:start_coordinator")).content.decode(),
        "case list": client.get(reverse("casework:case_list"), {"status": ""}).content.decode(),
        "case list, htmx": client.post(
            reverse("casework:case_list"), {"status": ""}, HTTP_HX_REQUEST="true"
        ).content.decode(),
        "csv": client.post(reverse("casework:case_export"), {"status": ""}).content.decode(
            "utf-8-sig"
        ),
        "csv, searched by alias": client.post(
            reverse("casework:case_export"), {"status": "", "q": ALIAS}
        ).content.decode("utf-8-sig"),
        "search by alias": client.post(
            reverse("casework:case_list"), {"status": "", "q": ALIAS}
        ).content.decode(),
        "deadline board": client.get(
            reverse("reflection_period:deadline_board"), {"scope": "unit"}
        ).content.decode(),
        "referral inbox": client.get(
            reverse("outreach:referral_list"), {"status": ""}
        ).content.decode(),
        "referral search by alias": client.post(
            reverse("outreach:referral_detail", args=[waiting.pk]), {"q": ALIAS}
        ).content.decode(),
        "case page": client.get(reverse("casework:case_detail", args=[case.pk])).content.decode(),
        "application page": client.get(
            reverse("reflection_period:application_detail", args=[application.pk])
        ).content.decode(),
        "notifications": client.get(reverse("notifications")).content.decode(),
    }
    pdf = client.get(reverse("reflection_period:application_pdf", args=[application.pk]))
    pages["application pdf"] = (
        _pdf_text(pdf.content) if pdf.status_code == 200 else pdf.content.decode()
    )
    return pages


def test_a_coordinator_who_is_not_responsible_sees_no_identity_anywhere(client, people, protected):
    client.force_login(people["other"])
    pages = _pages(client, protected)
    for name, page in pages.items():
        for secret in SECRETS:
            assert secret not in page, (name, secret)
    # The person is listed, by alias and reference: the pages did show the case.
    for name in ("case list", "csv", "search by alias", "deadline board", "referral inbox"):
        assert protected["case"].number in pages[name], name
    assert "*****" in pages["case page"]
    # The application PDF shows the identity unmasked (it is for Migrationsverket): refused.
    response = client.get(
        reverse("reflection_period:application_pdf", args=[protected["application"].pk])
    )
    assert response.status_code == 403


def test_the_responsible_coordinator_sees_the_identity_in_the_same_places(
    client, people, protected
):
    client.force_login(people["responsible"])
    pages = _pages(client, protected)
    full_name = " ".join(NAME)
    for name in ("case list", "csv", "search by alias", "deadline board", "case page"):
        assert full_name in pages[name], name
    for secret in [*NAME, PERSONAL_NUMBER]:
        assert secret in pages["application pdf"], secret


@pytest.mark.parametrize("text", IDENTITY_SEARCHES)
def test_searching_by_identity_finds_nothing_for_those_who_may_not_see_it(
    client, people, protected, text
):
    waiting = protected["waiting_referral"]
    client.force_login(people["other"])
    searches = {
        "case list": client.post(reverse("casework:case_list"), {"status": "", "q": text}),
        "csv": client.post(reverse("casework:case_export"), {"status": "", "q": text}),
        "referral search": client.post(
            reverse("outreach:referral_detail", args=[waiting.pk]),
            {"q": text},
            HTTP_HX_REQUEST="true",
        ),
    }
    for name, response in searches.items():
        # The search field shows what the user typed; nothing else may show the identity.
        page = response.content.decode("utf-8-sig").replace(f'value="{text}"', "")
        assert protected["case"].number not in page, (name, text)
        for secret in SECRETS:
            assert secret not in page, (name, secret)
    if text in NAME or text == " ".join(NAME):  # (ID and phone numbers are not searched)
        client.force_login(people["responsible"])
        found = client.post(reverse("casework:case_list"), {"status": "", "q": text})
        assert protected["case"].number in found.content.decode()


def test_outreach_pages_show_no_identity_of_the_person_their_contact_became(
    client, people, protected
):
    client.force_login(people["outreach"])
    pages = [
        client.get(reverse("home:start_outreach")),
        client.get(reverse("outreach:contact_list")),
        client.post(reverse("outreach:contact_list"), {"q": "Kontakten"}),
        client.get(reverse("outreach:referral_list"), {"status": ""}),
    ]
    assert "Kontakten" in pages[1].content.decode()  # the lists did show the contact
    for response in pages:
        page = response.content.decode()
        assert response.status_code == 200
        assert protected["case"].number not in page
        for secret in [*SECRETS, ALIAS]:
            assert secret not in page


def test_the_duplicate_check_does_not_show_a_protected_identity(client, people, protected):
    """Registering the same person again (same name and birth year, or the same ID number)
    without an authorisation says only that a possible match needs a manager's help: not who,
    not their reference, not that another person has the number."""
    client.force_login(people["other"])
    case_fields = {
        "case-coordinator": people["other"].pk,
        "case-opened_on": timezone.localdate().isoformat(),
        "case-origin": "police",
        "case-offence": "trafficking",
    }
    same_name = client.post(
        reverse("casework:case_create"),
        {
            "ind-given_name": NAME[0],
            "ind-family_name": NAME[1],
            "ind-birth_year": 1985,
            "ind-sex": "female",
            "ind-protection": "none",
            **case_fields,
        },
    ).content.decode()
    same_number = client.post(
        reverse("casework:case_create"),
        {
            "ind-alias": "Ny",
            "ind-sex": "female",
            "ind-personal_number": PERSONAL_NUMBER,
            "ind-protection": "none",
            **case_fields,
        },
    ).content.decode()
    reference = protected["case"].individual.reference
    for page, typed in ((same_name, NAME), (same_number, (PERSONAL_NUMBER,))):
        assert "Lotsa hittade en möjlig träff som bara en chef kan kontrollera" in page
        assert reference not in page
        assert "En annan individ har redan detta nummer" not in page
        for value in typed:  # what the user typed comes back in the form
            page = page.replace(f'value="{value}"', "")
        for secret in SECRETS:
            assert secret not in page, secret


@pytest.mark.parametrize("publication", [False, True])
def test_the_annual_report_in_every_format_holds_no_identity(
    client, people, protected, django_capture_on_commit_callbacks, publication
):
    """The report counts; it never names. Page, PDF, CSV and JSON, both modes."""
    year = timezone.localdate().year
    client.force_login(people["manager"])
    outputs = {
        "page": client.get(
            reverse("reporting:report"), {"year": year, "publication": publication or ""}
        ).content.decode()
    }
    for export_format in ("pdf", "csv", "json"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("reporting:export_create"),
                {
                    "year": year,
                    "as_of": timezone.localdate().isoformat(),
                    "publication": publication or "",
                    "format": export_format,
                },
            )
        export = ReportExport.objects.filter(format=export_format).latest("pk")
        download = client.get(reverse("reporting:export_download", args=[export.pk]))
        assert download.status_code == 200, export_format
        content = download.content
        outputs[export_format] = {
            "pdf": _pdf_text,
            "csv": _zip_text,
            "json": lambda data: json.dumps(json.loads(data), ensure_ascii=False),
        }[export_format](content)
    assert "1" in outputs["json"]  # the case and the application are counted
    for name, text in outputs.items():
        for secret in [*SECRETS, ALIAS, protected["case"].individual.reference]:
            assert secret not in text, (name, secret)
