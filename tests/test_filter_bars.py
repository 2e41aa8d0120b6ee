"""The list pages' filter bars rendered from the cache (core/filter_bars.py): each shows what was
chosen, in the reader's language, with the staff and districts of the moment, exactly as
rendered without the cache; a search text or a person's reference is never kept in it."""

from __future__ import annotations

import pickle
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from outreach.models import District
from tests.factories import CoordinatorFactory, OutreachWorkerFactory


@pytest.fixture
def bar_cache(settings):
    """The filter-bar cache on (tests run without it), empty before and after the test."""
    settings.LOTSA_FILTER_BAR_CACHE_SECONDS = 3600
    cache.clear()
    yield
    cache.clear()


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form(page: str, form_id: str = "") -> str:
    start = page.index(f'id="{form_id}"') if form_id else page.index('class="filter-form')
    return page[start : page.index("</form>", start)]


def _selected(form: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', form, re.S)
    assert select is not None, name
    chosen = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return chosen.group(1) if chosen else ""


def _cached_bytes() -> bytes:
    """Everything the (per-process) test cache holds, as stored."""
    return b"".join(pickle.dumps(value) for value in cache._cache.values())  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_cached_bar_is_the_bar_rendered_without_the_cache(settings, coordinator):
    client = _client(coordinator)
    url = reverse("casework:case_list")
    query = {"status": "closed", "category": "adult", "sort": "-opened_on", "mine": "on"}
    settings.LOTSA_FILTER_BAR_CACHE_SECONDS = 0
    uncached = _form(client.get(url, query).content.decode(), "case-filters")
    settings.LOTSA_FILTER_BAR_CACHE_SECONDS = 3600
    cache.clear()
    first = _form(client.get(url, query).content.decode(), "case-filters")
    again = _form(client.get(url, query).content.decode(), "case-filters")
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", first) == token.sub("", uncached) == token.sub("", again)
    assert _selected(first, "status") == "closed"
    assert _selected(first, "sort") == "-opened_on"
    assert 'name="mine" class="checkboxinput form-check-input" id="id_mine" checked' in first


@pytest.mark.django_db
def test_each_set_of_values_has_its_own_bar(bar_cache, coordinator):
    client = _client(coordinator)
    url = reverse("casework:case_list")
    for status in ("open", "closed", "open"):
        form = _form(client.get(url, {"status": status}).content.decode(), "case-filters")
        assert _selected(form, "status") == status
    board = reverse("reflection_period:deadline_board")
    for scope in ("unit", "mine"):
        form = _form(client.get(board, {"scope": scope}).content.decode())
        assert _selected(form, "scope") == scope


@pytest.mark.django_db
def test_a_new_coordinator_is_offered_at_once(bar_cache, coordinator):
    client = _client(coordinator)
    url = reverse("casework:case_list")
    assert "Zelda" not in _form(client.get(url).content.decode(), "case-filters")
    zelda = CoordinatorFactory.create(username="zelda", first_name="Zelda")
    assert "Zelda" in _form(client.get(url).content.decode(), "case-filters")
    zelda.is_active = False
    zelda.save()
    assert "Zelda" not in _form(client.get(url).content.decode(), "case-filters")


@pytest.mark.django_db
def test_a_role_given_or_taken_changes_the_staff_offered(bar_cache, coordinator, manager):
    nils = OutreachWorkerFactory.create(username="nils", first_name="Nils")
    client = _client(manager)
    url = reverse("outreach:contact_list")
    assert "Nils" in _form(client.get(url).content.decode())
    nils.groups.clear()
    assert "Nils" not in _form(client.get(url).content.decode())


@pytest.mark.django_db
def test_a_district_renamed_or_closed_shows_at_once(bar_cache, outreach_worker):
    client = _client(outreach_worker)
    url = reverse("outreach:contact_list")
    district = District.objects.get(code="norrmalm")
    assert district.name in _form(client.get(url).content.decode())
    district.name = "Norrmalm och City"
    district.save()
    assert "Norrmalm och City" in _form(client.get(url).content.decode())
    district.active = False
    district.save()
    assert "Norrmalm och City" not in _form(client.get(url).content.decode())


@pytest.mark.django_db
def test_the_bar_follows_the_readers_language(bar_cache, coordinator):
    client = _client(coordinator)
    url = reverse("casework:case_list")
    assert "Alla" in _form(client.get(url).content.decode(), "case-filters")
    client.post(reverse("set_language"), {"language": "en", "next": url})
    english = _form(client.get(url).content.decode(), "case-filters")
    assert "Year opened" in english
    assert "Alla" not in english


@pytest.mark.django_db
def test_a_search_text_or_a_reference_is_never_kept_in_the_cache(bar_cache, coordinator, manager):
    response = _client(coordinator).post(
        reverse("casework:case_list"), {"q": "Vasilescu-Ionescu", "status": ""}
    )
    assert response.status_code == 200
    assert 'value="Vasilescu-Ionescu"' in response.content.decode()  # shown to the searcher
    log = _client(manager).get(reverse("audit:access_log"), {"individual": "IND-009876"})
    assert 'value="IND-009876"' in log.content.decode()
    stored = _cached_bytes()
    assert b"core:filter-bars" in b"".join(key.encode() for key in cache._cache)  # type: ignore[attr-defined]
    assert b"Vasilescu" not in stored
    assert b"IND-009876" not in stored


@pytest.mark.django_db
def test_a_bar_with_errors_says_what_is_wrong(bar_cache, manager):
    client = _client(manager)
    url = reverse("audit:access_log")
    response = client.get(url, {"date_from": "2026-13-01"})
    assert response.status_code == 400
    assert "Fyll i ett giltigt datum" in _form(response.content.decode())
    fine = client.get(url)
    assert "Fyll i ett giltigt datum" not in _form(fine.content.decode())


@pytest.mark.django_db
def test_the_report_pages_bars_show_what_was_chosen(bar_cache, manager):
    client = _client(manager)
    for url in (reverse("reporting:report"), reverse("national:report")):
        for year, publication in (("2024", "on"), ("2023", ""), ("2024", "on")):
            page = client.get(url, {"year": year, "publication": publication}).content.decode()
            start = page.index('<form method="get"')
            form = page[start : page.index("</form>", start)]
            assert _selected(form, "year") == year
            checked = re.search(r'<input type="checkbox" name="publication"[^>]*>', form)
            assert checked is not None
            assert ("checked" in checked.group(0)) == bool(publication)


@pytest.mark.django_db
def test_an_htmx_request_for_the_list_alone_renders_no_bar(bar_cache, coordinator):
    client = _client(coordinator)
    board = reverse("reflection_period:deadline_board")
    response = client.get(board, {"scope": "unit"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<select" not in response.content.decode()
    assert not [key for key in cache._cache if ":filter-bars:value:" in key]  # type: ignore[attr-defined]
    client.get(board, {"scope": "unit"})
    assert [key for key in cache._cache if ":filter-bars:value:" in key]  # type: ignore[attr-defined]
