"""Hostile input in every text field of the main forms: stored as typed, shown escaped, never a
500. Property-based (hypothesis): script tags, SQL fragments, template and format syntax, 100 kB
strings, control characters, NUL bytes, right-to-left marks, and arbitrary Unicode.

Each example is posted through the real page as the role that uses the form, and rolled back
afterwards, so every example meets the same world. A saved value is read back from the database
and the page that shows it is rendered; a refused one gets its Swedish error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.db import models, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.models import CaseEvent, CaseOrganisation, Consent, JournalEntry, SupportMeasure
from core.digits import number_text
from core.search import SEARCH_MAX_LENGTH
from outreach import services as outreach_services
from outreach.models import District, OutreachContact, Referral
from reflection_period.models import ReflectionPeriodApplication
from reporting.models import ReportNarrative, Training
from tests.hardening_helpers import World, build_world

XSS = [
    '<script>alert("lotsa")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
]
HOSTILE = [
    *XSS,
    "'; DROP TABLE casework_case; --",
    "1' OR '1'='1",
    "Robert'); DELETE FROM accounts_user; --",
    "{{ 7*7 }}{% debug %}",
    "%(name)s %s {0} %d",
    '=HYPERLINK("http://example.invalid","klicka")',
    "x" * 100_000,
    "\x00",
    "före\x00efter",
    "".join(chr(code) for code in range(1, 32)),
    "\u202eevil\u202c text",
    "\u200f\u200e\u2066\u2069",
    "\ufeffzero\u200bwidth",
    "Ærlig Øyvind Åsa 中文 العربية 🙂",
]
# Any text: the fixed hostile strings, arbitrary Unicode (the test client sends UTF-8, so no
# lone surrogates), and a hostile string with arbitrary text after it.
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=300),
    st.tuples(st.sampled_from(HOSTILE), st.text(max_size=40)).map("".join),
)

ERROR_SUMMARY = "Formuläret kunde inte sparas"
NUL_ERROR = "Null-tecken är inte tillåtna."


@dataclass(frozen=True)
class FormSpec:
    """A form: who posts it, where, a valid submission, its text fields, where a saved value is
    stored, and the pages that show it."""

    role: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    fields: dict[str, str]  # form field -> model field that stores it
    saved: Callable[[World], models.Model]  # the object after a successful post
    shown_on: Callable[[World], list[str]] = lambda world: []
    not_exact: set[str] = field(default_factory=set)  # normalised by the form (ID numbers)
    within: set[str] = field(default_factory=set)  # stored inside a longer text (an event's)
    # Numbers with separators (phone, Migrationsverket's number): stored as read through
    # core.digits.number_text, so the same number on any keyboard is the same text.
    numbers: set[str] = field(default_factory=set)


def _today() -> str:
    return timezone.localdate().isoformat()


def _latest(model: type[models.Model]) -> Callable[[World], models.Model]:
    return lambda world: model._default_manager.order_by("-pk").first()  # type: ignore[return-value]


def _case_page(world: World) -> list[str]:
    return [reverse("casework:case_detail", args=[world.case.pk])]


def _fresh(obj: models.Model) -> Callable[[World], models.Model]:
    return lambda world: type(obj)._default_manager.get(pk=obj.pk)


def _individual_data(world: World) -> dict[str, Any]:
    individual = type(world.individual).objects.get(pk=world.individual.pk)
    return {
        "alias": individual.alias,
        "given_name": individual.given_name,
        "family_name": individual.family_name,
        "sex": individual.sex,
        "date_of_birth": individual.date_of_birth.isoformat() if individual.date_of_birth else "",
        "citizenship": "RO",
        "personal_number": "",
        "phone": individual.phone,
        "protection": individual.protection,
        "notes": "",
        "version": individual.version,
    }


def _application_data(world: World) -> dict[str, Any]:
    application = ReflectionPeriodApplication.objects.get(pk=world.application.pk)
    return {
        "applicant": application.applicant,
        "applicant_contact": "",
        "legal_basis": application.legal_basis,
        "offence": "trafficking",
        "purposes": ["sexual"],
        "circumstances": "",
        "migration_agency_number": "",
        "notes": "",
        "version": application.version,
    }


def _contact_data(world: World) -> dict[str, Any]:
    return {
        "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "environment": "street",
        "district": District.objects.get(code="norrmalm").pk,
        "staff": [world.users["outreach"].pk],
        "alias": "",
        "description": "",
        "sex": "female",
        "age_group": "26_35",
        "consent": "yes",
        "notes": "",
    }


def _second_organisation(world: World) -> int:
    from casework.models import Organisation

    return Organisation.objects.filter(active=True).exclude(pk=world.consent.organisation_id)[0].pk


def _application_pages(world: World) -> list[str]:
    return [
        reverse("reflection_period:application_detail", args=[world.application.pk]),
        reverse("reflection_period:application_pdf", args=[world.application.pk]),
    ]


SPECS: dict[str, FormSpec] = {
    "new individual and case": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:case_create"),
        data=lambda w: {
            "ind-alias": "Ny",
            "ind-sex": "female",
            "ind-protection": "none",
            "case-coordinator": w.users["coordinator"].pk,
            "case-opened_on": _today(),
            "case-origin": "police",
            "case-offence": "trafficking",
            "case-category": "adult",
            "confirm_new": "1",
        },
        fields={
            "ind-alias": "alias",
            "ind-given_name": "given_name",
            "ind-family_name": "family_name",
            "ind-phone": "phone",
            "ind-notes": "notes",
            "ind-personal_number": "personal_number",
        },
        saved=lambda w: type(w.individual).objects.order_by("-pk").first(),  # type: ignore[arg-type,return-value]
        shown_on=lambda w: [
            reverse(
                "casework:individual_detail",
                args=[type(w.individual).objects.order_by("-pk").values_list("pk", flat=True)[0]],
            )
        ],
        not_exact={"ind-personal_number"},
        numbers={"ind-phone"},
    ),
    "individual": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:individual_edit", args=[w.individual.pk]),
        data=_individual_data,
        fields={
            "alias": "alias",
            "given_name": "given_name",
            "family_name": "family_name",
            "phone": "phone",
            "notes": "notes",
            "personal_number": "personal_number",
        },
        saved=lambda w: type(w.individual).objects.get(pk=w.individual.pk),
        shown_on=lambda w: [reverse("casework:individual_detail", args=[w.individual.pk])],
        not_exact={"personal_number"},
        numbers={"phone"},
    ),
    "journal entry": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:journal_create", args=[w.case.pk]),
        data=lambda w: {"entry_date": _today(), "kind": "meeting", "text": "Samtal."},
        fields={"text": "text"},
        saved=_latest(JournalEntry),
        shown_on=_case_page,
    ),
    "close case": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:case_close", args=[w.case.pk]),
        data=lambda w: {
            "closed_on": _today(),
            "reason": "completed",
            "note": "",
            "version": type(w.case).objects.get(pk=w.case.pk).version,
        },
        fields={"note": "closing_note"},
        saved=lambda w: type(w.case).objects.get(pk=w.case.pk),
    ),
    "reassign case": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:case_reassign", args=[w.case.pk]),
        data=lambda w: {
            "coordinator": w.users["other_coordinator"].pk,
            "note": "",
            "version": type(w.case).objects.get(pk=w.case.pk).version,
        },
        fields={"note": "note"},
        saved=_latest(CaseEvent),
        shown_on=_case_page,
        within={"note"},  # "From Karin to Samira. <note>"
    ),
    "support": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:support_create", args=[w.case.pk]),
        data=lambda w: {"type": "interpreter", "started_on": _today(), "notes": ""},
        fields={"notes": "notes"},
        saved=_latest(SupportMeasure),
        shown_on=_case_page,
    ),
    "organisation link": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:organisation_link_create", args=[w.case.pk]),
        data=lambda w: {
            "organisation": w.consent.organisation_id,
            "linked_on": _today(),
            "purpose": "Boende",
        },
        fields={"purpose": "purpose"},
        saved=_latest(CaseOrganisation),
        shown_on=_case_page,
    ),
    "consent": FormSpec(
        role="coordinator",
        url=lambda w: reverse("casework:consent_create", args=[w.case.pk]),
        data=lambda w: {"organisation": _second_organisation(w), "given_on": _today()},
        fields={"notes": "notes"},
        saved=_latest(Consent),
        shown_on=_case_page,
    ),
    "outreach contact": FormSpec(
        role="outreach",
        url=lambda w: reverse("outreach:contact_create"),
        data=_contact_data,
        fields={"alias": "alias", "description": "description", "notes": "notes"},
        saved=_latest(OutreachContact),
        shown_on=lambda w: [
            reverse(
                "outreach:contact_detail",
                args=[OutreachContact.objects.order_by("-pk").values_list("pk", flat=True)[0]],
            )
        ],
    ),
    "referral": FormSpec(
        role="outreach",
        url=lambda w: reverse("outreach:referral_create", args=[_unreferred(w).pk]),
        data=lambda w: {"to_coordinator": "", "note": ""},
        fields={"note": "note"},
        saved=_latest(Referral),
        shown_on=lambda w: [reverse("outreach:contact_detail", args=[_unreferred(w).pk])],
    ),
    "decline referral": FormSpec(
        role="coordinator",
        url=lambda w: reverse("outreach:referral_decline", args=[w.referral.pk]),
        data=lambda w: {"reason": "Inte vår målgrupp."},
        fields={"reason": "decline_reason"},
        saved=lambda w: Referral.objects.get(pk=w.referral.pk),
        shown_on=lambda w: [reverse("outreach:referral_detail", args=[w.referral.pk])],
    ),
    "application": FormSpec(
        role="coordinator",
        url=lambda w: reverse("reflection_period:application_edit", args=[w.application.pk]),
        data=_application_data,
        fields={
            "applicant_contact": "applicant_contact",
            "circumstances": "circumstances",
            "migration_agency_number": "migration_agency_number",
            "notes": "notes",
        },
        saved=lambda w: ReflectionPeriodApplication.objects.get(pk=w.application.pk),
        shown_on=_application_pages,
        numbers={"migration_agency_number"},
    ),
    "withdraw application": FormSpec(
        role="coordinator",
        url=lambda w: reverse("reflection_period:application_withdraw", args=[w.application.pk]),
        data=lambda w: {
            "withdrawn_on": _today(),
            "reason": "Personen har rest.",
            "version": ReflectionPeriodApplication.objects.get(pk=w.application.pk).version,
        },
        fields={"reason": "withdrawal_reason"},
        saved=lambda w: ReflectionPeriodApplication.objects.get(pk=w.application.pk),
        shown_on=_application_pages,
    ),
    "training": FormSpec(
        role="manager",
        url=lambda w: reverse("reporting:training_create"),
        data=lambda w: {
            "held_on": _today(),
            "title": "Utbildning",
            "audience": "Socialsekreterare",
            "organiser": "Enheten",
            "participants": 10,
        },
        fields={"title": "title", "audience": "audience", "organiser": "organiser"},
        saved=_latest(Training),
        shown_on=lambda w: [reverse("reporting:training_list")],
    ),
    "narrative": FormSpec(
        role="manager",
        url=lambda w: reverse("reporting:narrative_edit", args=[2025]),
        data=lambda w: {"introduction": "", "outreach_routine": "", "organisational_changes": ""},
        fields={
            "introduction": "introduction",
            "outreach_routine": "outreach_routine",
            "organisational_changes": "organisational_changes",
        },
        saved=lambda w: ReportNarrative.objects.get(year=2025),
        shown_on=lambda w: [reverse("reporting:report") + "?year=2025"],
    ),
}


def _unreferred(world: World) -> OutreachContact:
    """The outreach worker's contact without a referral (made by the fixture)."""
    return OutreachContact.objects.get(alias="Utan länkning")


@pytest.fixture
def world(db) -> World:
    world = build_world()
    worker = world.users["outreach"]
    outreach_services.contact_create(
        by=worker,
        contacted_at=timezone.now() - timedelta(hours=1),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[worker],
        alias="Utan länkning",
        consent="yes",
    )
    return world


@pytest.fixture
def browsers(world) -> dict[str, Client]:
    clients = {}
    for role in ("coordinator", "outreach", "manager"):
        clients[role] = Client()
        clients[role].force_login(world.users[role])
    return clients


class _Undo(Exception):
    pass


def _post_and_check(
    world: World, browsers: dict[str, Client], spec: FormSpec, name: str, value: str
) -> None:
    """Post `value` in field `name`, check the outcome, roll everything back."""
    client = browsers[spec.role]
    try:
        with transaction.atomic():
            response = client.post(spec.url(world), {**spec.data(world), name: value})
            page = response.content.decode()
            if response.status_code == 302:
                _check_saved(world, client, spec, name, value)
            else:
                assert response.status_code == 400, (response.status_code, page[:500])
                assert ERROR_SUMMARY in page
                if "\x00" in value:
                    assert NUL_ERROR in page
                for payload in XSS:
                    assert payload not in page or payload not in value
            raise _Undo
    except _Undo:
        pass


def _check_saved(world: World, client: Client, spec: FormSpec, name: str, value: str) -> None:
    assert "\x00" not in value  # PostgreSQL refuses NUL: the form must have refused it
    stored = getattr(spec.saved(world), spec.fields[name])
    if name in spec.within:
        assert value.strip() in stored, "stored without what was typed"
    elif name in spec.numbers:
        assert stored == number_text(value).strip(), "stored differs from the number typed"
    elif name not in spec.not_exact:
        assert stored == value.strip(), "stored differs from what was typed"
    for url in spec.shown_on(world):
        shown = client.get(url)
        assert shown.status_code == 200, url
        if shown["Content-Type"].startswith("text/html"):
            page = shown.content.decode()
            for payload in XSS:
                if payload in value and "<" in payload:
                    assert payload not in page, (url, payload)  # raw markup: not escaped
                    assert escape(payload) in page, (url, payload)


@pytest.mark.parametrize("form", SPECS)
def test_each_form_saves_plain_text(world, browsers, form):
    """The specs are right: a harmless value in every field saves and shows (302, then 200)."""
    spec = SPECS[form]
    for name in spec.fields:
        plain = "Vanlig text åäö"
        if "personal_number" in name:  # a valid number: the world's person's, or a new one
            plain = "19850607-1235" if name.startswith("ind-") else "19900315-2387"
        client = browsers[spec.role]
        try:
            with transaction.atomic():
                response = client.post(spec.url(world), {**spec.data(world), name: plain})
                assert response.status_code == 302, (name, response.content.decode()[:3000])
                _check_saved(world, client, spec, name, plain)
                raise _Undo
        except _Undo:
            pass


@pytest.mark.parametrize("form", SPECS)
@settings(
    max_examples=20,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_hostile_text_is_stored_as_typed_shown_escaped_or_refused_in_swedish(
    world, browsers, form, data
):
    spec = SPECS[form]
    name = data.draw(st.sampled_from(sorted(spec.fields)), label="field")
    value = data.draw(hostile_text, label="value")
    _post_and_check(world, browsers, spec, name, value)


@pytest.mark.parametrize("value", HOSTILE)
def test_every_hostile_string_in_the_journal_and_the_contact(world, browsers, value):
    """Each fixed hostile string, in a long text field and a short one, for certain."""
    _post_and_check(world, browsers, SPECS["journal entry"], "text", value)
    _post_and_check(world, browsers, SPECS["outreach contact"], "alias", value)
    _post_and_check(world, browsers, SPECS["application"], "circumstances", value)


SEARCHES = {
    "case list": ("coordinator", lambda w: reverse("casework:case_list")),
    "case export": ("coordinator", lambda w: reverse("casework:case_export")),
    "contact list": ("outreach", lambda w: reverse("outreach:contact_list")),
    "referral search": (
        "coordinator",
        lambda w: reverse("outreach:referral_detail", args=[w.referral.pk]),
    ),
}
FILTERS = ["status", "category", "purpose", "year", "coordinator", "sort", "mine", "page"]


@settings(
    max_examples=30,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    search=st.sampled_from(sorted(SEARCHES)),
    text=hostile_text,
    filters=st.dictionaries(st.sampled_from(FILTERS), hostile_text, max_size=3),
)
def test_hostile_search_text_and_filters_never_fail(world, browsers, search, text, filters):
    """Searches and list filters: any text gives the list (a bad filter is ignored), or, over
    the search text's limit, a Swedish refusal (400); the search text is shown back escaped,
    and nothing is matched by SQL in it."""
    role, url = SEARCHES[search]
    response = browsers[role].post(url(world), {**filters, "q": text}, HTTP_HX_REQUEST="true")
    if len(text.strip()) > SEARCH_MAX_LENGTH:
        assert response.status_code == 400
        assert "Söktexten är för lång" in response.content.decode()
        return
    assert response.status_code == 200
    if response["Content-Type"].startswith("text/html"):
        page = response.content.decode()
        for payload in XSS:
            if payload in text and "<" in payload:
                assert payload not in page


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_sign_in_is_refused_in_swedish(client, db, value):
    """The sign-in form (and django-axes behind it) with hostile user names and passwords."""
    response = client.post(reverse("accounts:login"), {"username": value, "password": value})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Logga in" in page
    for payload in XSS:
        if payload in value and "<" in payload:
            assert payload not in page
