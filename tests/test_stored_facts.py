"""Facts, not sentences: what an event records is stored as values and said in the reader's
language when shown, so a Swedish sentence never reaches the English interface (issue 21,
item 6). Rows stored as sentences before are converted by the migrations that added the facts."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse

from casework import services as casework_services
from casework.models import CaseEvent, CaseEventKind
from reflection_period.models import ApplicationEvent, EventKind
from tests.reflection_period_helpers import granted, open_case

pytestmark = pytest.mark.django_db


def _case_page(client, case, language: str) -> str:
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    return client.get(reverse("casework:case_detail", args=[case.pk])).content.decode()


def test_a_granted_permit_is_said_in_the_readers_language(client, coordinator):
    case = open_case(coordinator)
    application = granted(
        case, submitted_on=date(2025, 3, 3), valid_from=date(2025, 3, 6), valid_to=date(2025, 4, 4)
    )
    event = application.events.get(kind=EventKind.GRANTED)
    assert (event.valid_from, event.valid_to) == (date(2025, 3, 6), date(2025, 4, 4))
    assert event.note == ""

    client.force_login(coordinator)
    swedish = _case_page(client, case, "sv")
    assert 'Gäller <span class="text-nowrap">2025-03-06</span> till' in swedish
    english = _case_page(client, case, "en")
    assert 'Valid <span class="text-nowrap">2025-03-06</span> to' in english
    assert "Gäller" not in english
    detail = client.get(
        reverse("reflection_period:application_detail", args=[application.pk])
    ).content.decode()
    assert 'Valid <span class="text-nowrap">2025-03-06</span> to' in detail


def test_a_reassignment_is_said_in_the_readers_language(client, coordinator, other_coordinator):
    case = open_case(coordinator)
    casework_services.case_reassign(
        case=case, coordinator=other_coordinator, by=coordinator, note="Semester i juli."
    )
    event = CaseEvent.objects.get(case=case, kind=CaseEventKind.REASSIGNED)
    assert (event.from_coordinator, event.to_coordinator) == (coordinator, other_coordinator)
    assert event.note == "Semester i juli."

    client.force_login(coordinator)
    swedish = _case_page(client, case, "sv")
    assert f"Från {coordinator} till {other_coordinator}. Semester i juli." in swedish
    english = _case_page(client, case, "en")
    assert f"From {coordinator} to {other_coordinator}. Semester i juli." in english
    assert f"Från {coordinator}" not in english


def test_the_migrations_turn_stored_sentences_into_facts(coordinator, other_coordinator):
    case = open_case(coordinator)
    application = granted(case, submitted_on=date(2025, 3, 3), valid_from=date(2025, 3, 6))
    old_permit = ApplicationEvent.objects.create(
        application=application,
        kind=EventKind.PERMIT_CHANGED,
        on=date(2025, 3, 10),
        by=coordinator,
        note="Gäller 2025-03-07 till 2025-04-05.",
    )
    english_permit = ApplicationEvent.objects.create(
        application=application,
        kind=EventKind.GRANTED,
        on=date(2025, 3, 6),
        by=coordinator,
        note="Valid 2025-03-06 to 2025-04-04. Beslut per telefon.",
    )
    old_reassignment = CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.REASSIGNED,
        on=date(2025, 3, 11),
        by=coordinator,
        note=f"Från {coordinator.get_full_name()} till {other_coordinator.get_full_name()}. "
        "Semester.",
    )
    unknown_name = CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.REASSIGNED,
        on=date(2025, 3, 12),
        by=coordinator,
        note="Från Någon Annan till Ingen Alls. ",
    )

    importlib.import_module(
        "reflection_period.migrations.0007_permit_dates_on_events"
    ).facts_from_sentences(apps, None)
    importlib.import_module("casework.migrations.0015_reassignment_facts").facts_from_sentences(
        apps, None
    )

    old_permit.refresh_from_db()
    assert (old_permit.valid_from, old_permit.valid_to, old_permit.note) == (
        date(2025, 3, 7),
        date(2025, 4, 5),
        "",
    )
    english_permit.refresh_from_db()
    assert english_permit.valid_to == date(2025, 4, 4)
    assert english_permit.note == "Beslut per telefon."
    old_reassignment.refresh_from_db()
    assert old_reassignment.from_coordinator == coordinator
    assert old_reassignment.to_coordinator == other_coordinator
    assert old_reassignment.note == "Semester."
    unknown_name.refresh_from_db()
    assert unknown_name.to_coordinator is None  # no such staff member: the sentence stays
    assert unknown_name.note.startswith("Från Någon Annan")
