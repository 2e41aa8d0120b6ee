"""A coordinator adds an accompanying child from an adult's case ("Lägg till medföljande barn")
in a real browser, and sees the link on both persons' pages (issue 25)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.codes import RelationKind
from casework.models import Case, IndividualRelation
from tests.e2e.conftest import check_everywhere, shot, sign_in
from tests.factories import TEST_PASSWORD
from tests.national_data import victim


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_coordinator_adds_an_accompanying_child_and_sees_the_link_on_both(
    live_server, traced_context, artifacts, coordinator
):
    adult = victim(coordinator, opened_on=date(2024, 3, 1), sex="female")
    mother = adult.individual
    page = traced_context.new_page()
    sign_in(page, live_server, coordinator.username, TEST_PASSWORD)
    page.goto(f"{live_server.url}{reverse('casework:case_detail', args=[adult.pk])}")

    add_child = reverse("casework:accompanying_child", args=[adult.pk])
    button = page.get_by_role("link", name="Lägg till medföljande barn")
    assert button.get_attribute("href") == add_child
    button.click()
    page.wait_for_url(f"**{add_child}")
    check_everywhere(page, artifacts, "accompanying-child-form")
    page.locator("#id_person-alias").fill("Lillebror")
    page.locator("#id_person-sex").select_option("male")
    page.locator("#id_person-date_of_birth").fill("2016-02-02")
    page.locator("#id_person-citizenship").select_option("RO")
    page.locator("#id_case-opened_on").fill(timezone.localdate().isoformat())
    page.locator("#id_case-origin").select_option("police")
    shot(page, artifacts, "01-form")
    page.get_by_role("button", name="Registrera och öppna ärendet").click()
    page.wait_for_url(lambda url: add_child not in url)

    child_case = Case.objects.exclude(pk=adult.pk).get()
    assert page.url.endswith(reverse("casework:case_detail", args=[child_case.pk]))
    child = child_case.individual
    assert child_case.category == "minor"
    relation = IndividualRelation.objects.get()
    assert (relation.individual, relation.related, relation.kind) == (
        child,
        mother,
        RelationKind.ACCOMPANYING_CHILD_OF,
    )
    # On the child's case: the mother, with her open case.
    related = page.locator("#related-persons")
    related.get_by_text(mother.alias).wait_for()
    assert adult.number in related.inner_text()
    check_everywhere(page, artifacts, "child-case")
    shot(page, artifacts, "02-child-case")

    # On both persons' pages, each linked to the other.
    page.goto(f"{live_server.url}{reverse('casework:individual_detail', args=[mother.pk])}")
    page.locator("#related-persons").get_by_role("link", name="Lillebror").click()
    page.wait_for_url(f"**{reverse('casework:individual_detail', args=[child.pk])}")
    page.locator("#related-persons").get_by_role("link", name=mother.alias).wait_for()
    shot(page, artifacts, "03-child")
