"""A deadline says one thing, in one sentence, with one colour, wherever it is shown: the
coordinator's start page, the manager's start page (overdue ones), the deadline board and the
application's page all show the same state (reflection_period.deadlines.deadline_state) and
its one sentence (DeadlineState.sentence), and no sentence names a past date as a date still to
come."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from reflection_period.models import ReflectionPeriodApplication
from tests.reflection_period_helpers import draft, open_case, permit_ending_on, submitted

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Monday 7 December 2026. Submitted Wednesday 2 December: the reminder falls due after two
# working days (Friday 4 December), the escalation after five (Wednesday 9 December).
MONDAY = date(2026, 12, 7)
SUBMITTED = date(2026, 12, 2)


def _decision(case) -> ReflectionPeriodApplication:
    return submitted(case, SUBMITTED)


def _permit_ending(days: int) -> Callable:
    return lambda case: permit_ending_on(case, MONDAY + timedelta(days=days))


# (what, the day it is seen, how it is made, badge word, colour, the sentence in Swedish)
STATES = [
    (
        "decision-waiting",
        date(2026, 12, 3),
        _decision,
        "Väntar",
        "info",
        "Väntar på beslut – påminnelse 4 dec om inget beslut har kommit; "
        "räknas som försenat från 9 dec",
    ),
    (
        "decision-due",
        MONDAY,
        _decision,
        "Dags",
        "warning",
        "Inget beslut efter 2 arbetsdagar – påminnelse skickad 4 dec; "
        "räknas som försenat från 9 dec",
    ),
    (
        "decision-overdue",
        date(2026, 12, 9),
        _decision,
        "Försenad",
        "danger",
        "Inget beslut efter 5 arbetsdagar – försenat sedan 9 dec (påminnelse skickad 4 dec)",
    ),
    (
        "permit-running",
        MONDAY,
        _permit_ending(20),
        "Pågår",
        "success",
        "Tillståndet gäller till 27 dec – registrera nästa steg innan det går ut",
    ),
    (
        "permit-ending-soon",
        MONDAY,
        _permit_ending(5),
        "Går snart ut",
        "warning",
        "Tillståndet går ut 12 dec, om 5 dagar – registrera nästa steg",
    ),
    (
        "permit-ending-today",
        MONDAY,
        _permit_ending(0),
        "Går snart ut",
        "warning",
        "Tillståndet går ut i dag, 7 dec – registrera nästa steg",
    ),
    (
        "permit-ended",
        MONDAY,
        _permit_ending(-3),
        "Försenad",
        "danger",
        "Tillståndet gick ut 4 dec utan registrerat nästa steg – försenat sedan 5 dec",
    ),
    (
        "draft",
        MONDAY,
        draft,
        "Utkast",
        "secondary",
        "Utkastet ska skickas senast 9 dec",
    ),
    (
        "draft-due",
        date(2026, 12, 10),
        draft,
        "Dags",
        "warning",
        "Utkastet skulle skickas senast 9 dec och har inte skickats",
    ),
]


def _text(html: str) -> str:
    """The text as a reader sees it: inline spans (the dates kept on one line) add no space."""
    inline = re.sub(r"</?span\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline))


def _around(page: str, application: ReflectionPeriodApplication) -> str:
    """The element that shows the application's deadline: the board's row or the start page's
    item that links to it, or the application page's deadline card."""
    link = reverse("reflection_period:application_detail", args=[application.pk])
    for tag in ("tr", "li"):
        for element in re.findall(rf"<{tag}\b.*?</{tag}>", page, re.S):
            if f'href="{link}"' in element and "badge" in element:
                return element
    card = re.search(r'<section [^>]*aria-labelledby="deadline-heading">.*?</section>', page, re.S)
    assert card, page
    return card.group(0)


@pytest.mark.parametrize(
    ("what", "seen_on", "make", "word", "css", "sentence"), STATES, ids=[s[0] for s in STATES]
)
def test_each_deadline_state_reads_the_same_on_every_page(
    client, coordinator, manager, what, seen_on, make, word, css, sentence
) -> None:
    made_on = min(MONDAY, seen_on)  # a draft is due two days after it was written
    with time_machine.travel(datetime(2026, made_on.month, made_on.day, 10, tzinfo=STOCKHOLM)):
        application = make(open_case(coordinator, alias="Lilja"))
    with time_machine.travel(datetime(2026, 12, seen_on.day, 10, tzinfo=STOCKHOLM)):
        client.force_login(coordinator)
        pages = {
            "board": client.get(reverse("reflection_period:deadline_board")),
            "application": client.get(
                reverse("reflection_period:application_detail", args=[application.pk])
            ),
            "start": client.get(reverse("home:start_coordinator")),
        }
        client.force_login(manager)
        pages["manager start"] = client.get(reverse("home:start_manager"))
    shown_on = ["board", "application"]
    if what != "permit-running":
        shown_on.append("start")  # the start page lists what falls due within a week
    if css == "danger":
        shown_on.append("manager start")  # the manager's lists what is overdue in the unit
    for name in shown_on:
        element = _around(pages[name].content.decode(), application)
        assert sentence in _text(element), (name, _text(element))
        assert f'<span class="badge text-bg-{css}">{word}</span>' in element, (name, element)
        if name in ("board", "start"):
            assert re.search(rf'class="[^"]*-{css}\b', element.split(">", 1)[0]), element
    for name in set(pages) - set(shown_on):
        assert sentence not in _text(pages[name].content.decode()), name
