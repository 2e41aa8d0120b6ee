"""The facts national reporting needs (issue 25, §1): edited with the case and the person, all
optional, refused in Swedish when they contradict each other (400, nothing saved), in the
change history, shown on the case page; outreach indicators prefill the means of control."""

from __future__ import annotations

from datetime import date, timedelta
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from casework import services
from casework.codes import Industry, MeansOfControl, StatusDecidedBy, TraffickingStatus
from casework.history import case_history, individual_history
from casework.models import Case, Language, Protection
from outreach import services as outreach_services
from outreach.models import District, ReferralStatus
from tests.national_data import victim


def swedish(message: str) -> str:
    """A message as the Swedish page prints it (HTML-escaped)."""
    with translation.override("sv"):
        return escape(gettext(message))


def field_label(verbose_name: str) -> str:
    """How the change history names a field (its translated verbose name, capitalised)."""
    translated = gettext(verbose_name)
    assert translated != verbose_name, f"{verbose_name!r} is not translated"
    return capfirst(translated)


@pytest.fixture
def case(db, coordinator):
    return victim(coordinator, opened_on=date(2024, 3, 1), purposes=["labour"])


def _form(case: Case, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": case.category,
        "opened_on": case.opened_on.isoformat(),
        "offence": case.offence,
        "purposes": ["labour"],
        "origin": case.origin,
        "version": case.version,
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


FACTS = {
    "suspicion_on": "2024-02-20",
    "industry": Industry.CONSTRUCTION,
    "means_of_control": [MeansOfControl.DEBT_BONDAGE, MeansOfControl.WITHHOLDS_DOCUMENTS],
    "recruitment": ["friends"],
    "trafficker_relationship": "acquainted",
    "exploitation_country": "SE",
    "trafficking_status": TraffickingStatus.POSSIBLE,
    "status_decided_by": StatusDecidedBy.AUTHORITY,
}


def test_the_facts_are_saved_shown_and_in_the_change_history(client, case, coordinator):
    client.force_login(coordinator)
    url = reverse("casework:case_edit", args=[case.pk])
    form = client.get(url).content.decode()
    for name in ("suspicion_on", "industry", "means_of_control", "trafficking_status"):
        assert f'name="{name}"' in form, name
    response = client.post(url, _form(case, **FACTS))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.suspicion_on == date(2024, 2, 20)
    assert case.suspicion_date == date(2024, 2, 20)
    assert case.industry == "construction"
    assert case.means_of_control == ["debt_bondage", "withholds_documents"]
    assert case.recruitment == ["friends"]
    assert (case.trafficker_relationship, str(case.exploitation_country)) == ("acquainted", "SE")
    assert (case.trafficking_status, case.status_decided_by) == ("possible", "authority")
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    with translation.override("sv"):
        for label in (
            Industry.CONSTRUCTION.label,
            MeansOfControl.DEBT_BONDAGE.label,
            MeansOfControl.WITHHOLDS_DOCUMENTS.label,
            TraffickingStatus.POSSIBLE.label,
        ):
            assert escape(str(label)) in page, label
    assert "2024-02-20" in page
    # The change history names each fact that changed, old → new.
    with translation.override("sv"):
        history = case_history(case, coordinator)
        assert history is not None
        latest = history[0]
        changed = {change.label: (change.old, change.new) for change in latest.changes}
        assert changed[field_label("industry (labour exploitation)")] == (
            "–",
            str(Industry.CONSTRUCTION.label),
        )
        assert changed[field_label("suspicion established on")] == ("–", "2024-02-20")
        assert changed[field_label("trafficking status")][1] == str(
            TraffickingStatus.POSSIBLE.label
        )
        assert field_label("means of control") in changed
    history = client.get(reverse("casework:case_history", args=[case.pk])).content.decode()
    assert "2024-02-20" in history


def test_without_a_suspicion_date_the_page_says_the_opening_date_counts(client, case, coordinator):
    client.force_login(coordinator)
    page = client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()
    assert "2024-03-01" in page
    assert swedish("the opening date") in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"purposes": ["sexual"], "industry": Industry.CLEANING},
            "An industry is recorded for labour exploitation: tick that purpose too.",
        ),
        (
            {"trafficking_status": "", "status_decided_by": StatusDecidedBy.POLICE},
            "Say which trafficking status was decided, or leave who decided it empty.",
        ),
        (
            {"suspicion_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "The suspicion cannot be established in the future.",
        ),
    ],
    ids=["industry-without-labour", "decided-by-without-status", "suspicion-in-the-future"],
)
def test_contradicting_facts_are_refused_in_swedish_and_nothing_is_saved(
    client, case, coordinator, changes, message
):
    client.force_login(coordinator)
    before = Case.objects.get(pk=case.pk)
    history = case.history.count()
    with translation.override("sv"):
        assert gettext(message) != message, "not translated into Swedish"
    response = client.post(
        reverse("casework:case_edit", args=[case.pk]),
        _form(case, **{**FACTS, **changes}),
    )
    assert response.status_code == 400
    assert swedish(message) in response.content.decode()
    after = Case.objects.get(pk=case.pk)
    assert after.version == before.version
    assert (after.industry, after.suspicion_on, after.status_decided_by) == ("", None, "")
    assert after.means_of_control == []
    assert list(after.purposes.values_list("purpose", flat=True)) == ["labour"]
    assert case.history.count() == history


def test_a_suspicion_after_the_case_closed_is_refused(client, case, coordinator):
    services.case_close(case=case, by=coordinator, closed_on=date(2024, 6, 1), reason="completed")
    case.refresh_from_db()
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:case_edit", args=[case.pk]), _form(case, suspicion_on="2024-06-02")
    )
    assert response.status_code == 400
    assert swedish("The suspicion cannot be established after the case closed.") in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.suspicion_on is None


def test_facts_are_optional(client, case, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("casework:case_edit", args=[case.pk]), _form(case))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.industry, case.means_of_control, case.suspicion_on) == ("", [], None)


# --- Interpreter needs -----------------------------------------------------------------------------


def _individual_form(individual, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "alias": individual.alias,
        "sex": individual.sex,
        "date_of_birth": individual.date_of_birth.isoformat(),
        "citizenship": str(individual.citizenship),
        "protection": individual.protection,
        "version": individual.version,
    }
    data.update(changes)
    return data


def test_interpreter_needs_are_saved_shown_on_the_case_and_in_the_history(
    client, case, coordinator
):
    client.force_login(coordinator)
    romanian = Language.objects.get(code="ro")
    individual = case.individual
    response = client.post(
        reverse("casework:individual_edit", args=[individual.pk]),
        _individual_form(
            individual,
            interpreter_needed="true",
            interpreter_language=romanian.pk,
            interpreter_dialect="Moldaviska",
            interpreter_gender="female",
            interpreter_note="Inte tolken från Rinkeby",
        ),
    )
    assert response.status_code == 302
    individual.refresh_from_db()
    assert individual.interpreter_needed is True
    assert individual.interpreter_language == romanian
    assert (individual.interpreter_dialect, individual.interpreter_gender) == (
        "Moldaviska",
        "female",
    )
    for url in (
        reverse("casework:case_detail", args=[case.pk]),
        reverse("casework:individual_detail", args=[individual.pk]),
    ):
        page = client.get(url).content.decode()
        assert "Moldaviska" in page, url
        assert "Inte tolken från Rinkeby" in page, url
        assert escape(str(romanian)) in page, url
    with translation.override("sv"):
        history = individual_history(individual, coordinator)
        assert history is not None
        latest = history[0]
        labels = {change.label for change in latest.changes}
        expected = {field_label("dialect"), field_label("interpreter's gender")}
    assert expected <= labels


def test_an_interpreter_language_without_saying_one_is_needed_is_refused(client, case, coordinator):
    client.force_login(coordinator)
    individual = case.individual
    message = "An interpreter's language or gender is given: say that one is needed."
    response = client.post(
        reverse("casework:individual_edit", args=[individual.pk]),
        _individual_form(
            individual,
            interpreter_needed="false",
            interpreter_language=Language.objects.get(code="ro").pk,
        ),
    )
    assert response.status_code == 400
    assert swedish(message) in response.content.decode()
    individual.refresh_from_db()
    assert individual.interpreter_language is None


def test_a_protected_persons_interpreter_note_is_masked_where_the_identity_is(
    client, coordinator, other_coordinator, manager
):
    """The note can name a community the person avoids: the page hides it from readers who may
    not see the protected identity, and so must the change history."""
    case = services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "alias": "Skyddad",
            "sex": "female",
            "birth_year": 1990,
            "protection": Protection.PROTECTED_REGISTRATION,
            "interpreter_needed": True,
        },
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin="police",
        category="adult",
    )
    note = "Ingen tolk från hemstadens förening"
    # Added later, so the change history has it as a change (old → new).
    services.individual_update(
        individual=case.individual,
        by=coordinator,
        expected_version=None,
        data={"interpreter_note": note},
    )
    client.force_login(other_coordinator)
    for url in (
        reverse("casework:case_detail", args=[case.pk]),
        reverse("casework:individual_detail", args=[case.individual_id]),
        reverse("casework:case_history", args=[case.pk]),
    ):
        assert note not in client.get(url).content.decode(), url
    history = individual_history(case.individual, other_coordinator)
    assert history is not None
    assert note not in str(history)
    # The manager sees it, on the page and in the history.
    assert note in str(individual_history(case.individual, manager))
    client.force_login(manager)
    assert note in client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()


# --- Outreach indicators prefill the means of control ---------------------------------------------


@pytest.fixture
def referral(db, outreach_worker):
    contact = outreach_services.contact_create(
        by=outreach_worker,
        contacted_at=timezone.now() - timedelta(hours=3),
        environment="street",
        district=District.objects.get(code="norrmalm"),
        staff=[outreach_worker],
        alias="Tranan",
        consent="yes",
        indicators=["debt", "violence", "no_documents", "unknown_address", "controlled"],
    )
    return outreach_services.referral_create(
        contact=contact, by=outreach_worker, send_notifications=False
    )


def test_accepting_a_referral_with_a_new_person_prefills_the_means_of_control(
    referral, coordinator
):
    accepted = outreach_services.referral_accept_with_new_individual(
        referral=referral,
        by=coordinator,
        individual_fields={"alias": "Tranan", "sex": "female", "birth_year": 1994},
        coordinator=coordinator,
        opened_on=timezone.localdate(),
        category="adult",
        send_notifications=False,
    )
    assert accepted.status == ReferralStatus.ACCEPTED
    assert accepted.case_id is not None
    case = Case.objects.get(pk=accepted.case_id)
    # In the code list's order; indicators without a means of control are left out.
    assert case.means_of_control == ["debt_bondage", "physical_abuse", "withholds_documents"]


def test_accepting_into_a_new_case_of_a_known_person_prefills_them_too(referral, coordinator, case):
    services.case_close(case=case, by=coordinator, closed_on=date(2024, 6, 1), reason="completed")
    accepted = outreach_services.referral_accept_with_new_case(
        referral=referral,
        by=coordinator,
        individual=case.individual,
        coordinator=coordinator,
        opened_on=timezone.localdate(),
        category="adult",
        send_notifications=False,
    )
    assert accepted.case_id is not None
    new_case = Case.objects.get(pk=accepted.case_id)
    assert new_case.pk != case.pk
    assert new_case.means_of_control == ["debt_bondage", "physical_abuse", "withholds_documents"]


def test_the_coordinator_may_give_the_means_of_control_instead(referral, coordinator):
    accepted = outreach_services.referral_accept_with_new_individual(
        referral=referral,
        by=coordinator,
        individual_fields={"alias": "Tranan", "sex": "female", "birth_year": 1994},
        coordinator=coordinator,
        opened_on=timezone.localdate(),
        category="adult",
        means_of_control=["false_promises"],
        send_notifications=False,
    )
    assert accepted.case_id is not None
    assert Case.objects.get(pk=accepted.case_id).means_of_control == ["false_promises"]


def test_a_manager_reads_but_cannot_edit_the_facts(client, case, manager):
    client.force_login(manager)
    response = client.post(reverse("casework:case_edit", args=[case.pk]), _form(case, **FACTS))
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.industry == ""
