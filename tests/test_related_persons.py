"""Related persons (issue 25, §1): links between individuals, shown on both persons' pages and
on their cases, made and removed by coordinators with Swedish refusals; "Lägg till medföljande
barn" registers a child, opens their case and links them in one step (all or nothing); a
protected person stays masked in a link for readers who may not see them, and every related
person a page shows is a logged read."""

from __future__ import annotations

from datetime import date
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import AccessAction, AccessLogEntry
from casework import services
from casework.codes import RelationKind
from casework.models import Case, Individual, IndividualRelation, Protection
from tests.national_data import victim

SECRET_NAME = ("Zelmira", "Skyddeborg")


def swedish(message: str) -> str:
    with translation.override("sv"):
        return escape(gettext(message))


def label(kind: RelationKind) -> str:
    with translation.override("sv"):
        return escape(str(kind.label))


@pytest.fixture
def mother(db, coordinator):
    return victim(coordinator, opened_on=date(2024, 3, 1), sex="female")


@pytest.fixture
def son(db, coordinator):
    return victim(
        coordinator, opened_on=date(2024, 3, 1), born=date(2015, 4, 4), sex="male", category="minor"
    )


def _page(client, individual: Individual) -> str:
    return client.get(reverse("casework:individual_detail", args=[individual.pk])).content.decode()


# --- Linking and unlinking -------------------------------------------------------------------------


def test_a_link_is_made_on_one_person_and_shown_on_both(client, coordinator, mother, son):
    client.force_login(coordinator)
    url = reverse("casework:relation_create", args=[son.individual_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": RelationKind.CHILD_OF, "related": mother.individual.reference}
    )
    assert response.status_code == 302
    relation = IndividualRelation.objects.get()
    assert (relation.individual_id, relation.related_id) == (
        son.individual_id,
        mother.individual_id,
    )
    assert relation.created_by == coordinator
    on_son = _page(client, son.individual)
    assert label(RelationKind.CHILD_OF).capitalize() in on_son
    assert mother.individual.alias in on_son
    on_mother = _page(client, mother.individual)
    assert label(RelationKind.PARENT_OF).capitalize() in on_mother
    assert son.individual.alias in on_mother
    # And on both persons' cases, with the other's open case number.
    case_page = client.get(reverse("casework:case_detail", args=[mother.pk])).content.decode()
    assert son.individual.alias in case_page
    assert son.number in case_page
    assert relation.history.filter(history_type="+", history_user=coordinator).exists()


def test_a_reference_given_as_digits_is_found(client, coordinator, mother, son):
    client.force_login(coordinator)
    digits = str(int(mother.individual.reference.removeprefix("IND-")))
    response = client.post(
        reverse("casework:relation_create", args=[son.individual_id]),
        {"kind": RelationKind.CHILD_OF, "related": digits},
    )
    assert response.status_code == 302
    assert IndividualRelation.objects.get().related_id == mother.individual_id


@pytest.mark.parametrize(
    ("related", "message"),
    [
        ("IND-999999", "No person has the reference %(reference)s."),
        ("self", "A person cannot be related to themselves."),
        ("duplicate", "These two persons are already linked."),
        ("reverse duplicate", "These two persons are already linked."),
    ],
)
def test_a_wrong_link_is_refused_in_swedish_and_nothing_is_saved(
    client, coordinator, mother, son, related, message
):
    if related.endswith("duplicate"):
        services.relation_create(
            individual=son.individual,
            related=mother.individual,
            kind=RelationKind.CHILD_OF,
            by=coordinator,
        )
    reference = {
        "self": son.individual.reference,
        "duplicate": mother.individual.reference,
    }.get(related, related)
    page_of = son.individual
    if related == "reverse duplicate":  # the same pair, linked from the mother's page
        page_of, reference = mother.individual, son.individual.reference
    links = IndividualRelation.objects.count()
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:relation_create", args=[page_of.pk]),
        {"kind": RelationKind.PARENT_OF, "related": reference},
    )
    assert response.status_code == 400
    with translation.override("sv"):
        assert gettext(message) != message, "not translated into Swedish"
        expected = escape(gettext(message) % {"reference": "IND-999999"})
    assert expected in response.content.decode()
    assert IndividualRelation.objects.count() == links


def test_removing_a_link_is_kept_in_the_change_history(client, coordinator, mother, son):
    relation = services.relation_create(
        individual=son.individual, related=mother.individual, kind="child_of", by=coordinator
    )
    client.force_login(coordinator)
    # From the other person's page too: a link belongs to both.
    response = client.post(
        reverse("casework:relation_remove", args=[mother.individual_id, relation.pk])
    )
    assert response.status_code == 302
    assert not IndividualRelation.objects.exists()
    removed = IndividualRelation.history.get(id=relation.pk, history_type="-")
    assert removed.history_user == coordinator
    assert (removed.individual_id, removed.related_id, removed.kind) == (
        son.individual_id,
        mother.individual_id,
        "child_of",
    )
    assert son.individual.alias not in _page(client, mother.individual).split("related-persons")[1]


def test_a_link_of_another_pair_cannot_be_removed_through_this_person(
    client, coordinator, mother, son
):
    stranger = victim(coordinator, opened_on=date(2024, 3, 1))
    relation = services.relation_create(
        individual=son.individual, related=mother.individual, kind="child_of", by=coordinator
    )
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:relation_remove", args=[stranger.individual_id, relation.pk])
    )
    assert response.status_code == 404
    assert IndividualRelation.objects.filter(pk=relation.pk).exists()


def test_managers_read_links_but_do_not_change_them(client, manager, coordinator, mother, son):
    relation = services.relation_create(
        individual=son.individual, related=mother.individual, kind="child_of", by=coordinator
    )
    client.force_login(manager)
    assert son.individual.alias in _page(client, mother.individual)
    url = reverse("casework:relation_create", args=[mother.individual_id])
    assert client.post(url, {"kind": "sibling", "related": "IND-1"}).status_code == 403
    remove = reverse("casework:relation_remove", args=[mother.individual_id, relation.pk])
    assert client.post(remove).status_code == 403
    assert IndividualRelation.objects.count() == 1


# --- Lägg till medföljande barn -----------------------------------------------------------------


def _child_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "relation-kind": RelationKind.ACCOMPANYING_CHILD_OF,
        "person-alias": "Lillen",
        "person-sex": "male",
        "person-date_of_birth": "2016-02-02",
        "person-citizenship": "RO",
        "person-protection": Protection.NONE,
        "case-category": "",
        "case-opened_on": timezone.localdate().isoformat(),
        "case-offence": "trafficking",
        "case-purposes": ["sexual"],
        "case-origin": "police",
    }
    data.update(changes)
    return data


def test_an_accompanying_child_is_registered_with_a_case_and_a_link(client, coordinator, mother):
    client.force_login(coordinator)
    url = reverse("casework:accompanying_child", args=[mother.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert f'value="{coordinator.pk}" selected' in form.content.decode()  # the adult's
    response = client.post(url, _child_form(**{"case-coordinator": coordinator.pk}))
    assert response.status_code == 302
    child = Individual.objects.get(alias="Lillen")
    case = Case.objects.get(individual=child)
    assert response["Location"] == reverse("casework:case_detail", args=[case.pk])
    assert case.category == "minor"  # suggested from the age
    assert case.coordinator == coordinator
    relation = IndividualRelation.objects.get()
    assert (relation.individual, relation.related, relation.kind) == (
        child,
        mother.individual,
        RelationKind.ACCOMPANYING_CHILD_OF,
    )
    assert label(RelationKind.ACCOMPANIED_BY_CHILD).capitalize() in _page(client, mother.individual)
    assert label(RelationKind.ACCOMPANYING_CHILD_OF).capitalize() in _page(client, child)


@pytest.mark.parametrize(
    "changes",
    [
        # The form refuses: a case opened tomorrow.
        {"case-opened_on": "2999-01-01"},
        # The forms are valid, but the service refuses half-way, after registering the person:
        # no age and no category, so no category can be suggested.
        {"person-date_of_birth": ""},
    ],
    ids=["case-form-invalid", "service-refuses-the-case"],
)
def test_a_failing_case_leaves_no_person_and_no_link_behind(client, coordinator, mother, changes):
    client.force_login(coordinator)
    people, cases = Individual.objects.count(), Case.objects.count()
    response = client.post(
        reverse("casework:accompanying_child", args=[mother.pk]),
        _child_form(**{"case-coordinator": coordinator.pk, **changes}),
    )
    assert response.status_code == 400
    assert Individual.objects.count() == people
    assert Case.objects.count() == cases
    assert not IndividualRelation.objects.exists()
    assert not Individual.objects.filter(alias="Lillen").exists()


def test_only_the_accompanying_kinds_can_be_chosen(client, coordinator, mother):
    client.force_login(coordinator)
    response = client.post(
        reverse("casework:accompanying_child", args=[mother.pk]),
        _child_form(**{"case-coordinator": coordinator.pk, "relation-kind": "partner"}),
    )
    assert response.status_code == 400
    assert not Individual.objects.filter(alias="Lillen").exists()


# --- Protected persons stay masked in links ------------------------------------------------------


@pytest.fixture
def protected(db, coordinator, mother):
    """A person with protected registration, registered by the coordinator (who so holds an
    authorisation), linked to the mother as her partner."""
    case = services.case_open_with_new_individual(
        by=coordinator,
        individual_fields={
            "alias": "Fjärilen",
            "given_name": SECRET_NAME[0],
            "family_name": SECRET_NAME[1],
            "sex": "male",
            "birth_year": 1985,
            "protection": Protection.PROTECTED_REGISTRATION,
        },
        coordinator=coordinator,
        opened_on=date(2024, 3, 1),
        origin="police",
        category="adult",
        send_notifications=False,
    )
    services.relation_create(
        individual=case.individual, related=mother.individual, kind="partner", by=coordinator
    )
    return case.individual


def test_a_protected_related_person_is_masked_for_a_coordinator_without_authorisation(
    client, other_coordinator, mother, protected
):
    client.force_login(other_coordinator)
    for url in (
        reverse("casework:individual_detail", args=[mother.individual_id]),
        reverse("casework:case_detail", args=[mother.pk]),
    ):
        page = client.get(url).content.decode()
        section = page.split('id="related-persons"')[1].split("</section>")[0]
        assert protected.reference in section, url
        assert "Fjärilen" in section, url  # the alias: how a masked person is named
        for secret in SECRET_NAME:
            assert secret not in page, (url, secret)


@pytest.mark.parametrize("reader", ["manager", "coordinator"])
def test_a_manager_and_an_authorised_coordinator_see_the_identity(
    client, request, reader, mother, protected
):
    client.force_login(request.getfixturevalue(reader))
    for url in (
        reverse("casework:individual_detail", args=[mother.individual_id]),
        reverse("casework:case_detail", args=[mother.pk]),
    ):
        section = client.get(url).content.decode().split('id="related-persons"')[1]
        assert " ".join(SECRET_NAME) in section.split("</section>")[0], url


def test_each_related_person_shown_is_a_logged_read(
    client, other_coordinator, mother, son, protected, coordinator
):
    services.relation_create(
        individual=son.individual, related=mother.individual, kind="child_of", by=coordinator
    )
    client.force_login(other_coordinator)
    for url in (
        reverse("casework:individual_detail", args=[mother.individual_id]),
        reverse("casework:case_detail", args=[mother.pk]),
    ):
        before = set(AccessLogEntry.objects.values_list("pk", flat=True))
        assert client.get(url).status_code == 200
        rows = AccessLogEntry.objects.exclude(pk__in=before).filter(detail="related person")
        assert {(row.object_id, row.individual_id) for row in rows} == {
            (str(son.individual_id), son.individual_id),
            (str(protected.pk), protected.pk),
        }, url
        assert {row.action for row in rows} == {AccessAction.VIEW}
        assert {row.user_id for row in rows} == {other_coordinator.pk}
        assert {row.object_type for row in rows} == {"casework.individual"}
