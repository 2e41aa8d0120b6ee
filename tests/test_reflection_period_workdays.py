"""Swedish working days: weekends, public holidays and the three "evenings" are not counted."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from reflection_period.deadlines import Thresholds, deadline_for
from reflection_period.models import DueKind
from reflection_period.workdays import (
    add_working_days,
    is_working_day,
    subtract_working_days,
    working_days_between,
)
from tests.reflection_period_helpers import open_case, submitted

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 4, 18),  # Good Friday (långfredagen)
        date(2025, 4, 21),  # Easter Monday (annandag påsk)
        date(2025, 6, 20),  # Midsummer Eve (midsommarafton), a Friday
        date(2024, 12, 24),  # Christmas Eve (julafton)
        date(2024, 12, 25),  # Christmas Day
        date(2024, 12, 26),  # Boxing Day (annandag jul)
        date(2024, 12, 31),  # New Year's Eve (nyårsafton)
        date(2025, 1, 1),  # New Year's Day
        date(2025, 1, 6),  # Epiphany (trettondedag jul), a Monday
        date(2025, 5, 1),  # May Day
        date(2025, 5, 29),  # Ascension Day
        date(2025, 6, 6),  # National Day, a Friday
        date(2025, 11, 29),  # a Saturday
        date(2025, 11, 30),  # a Sunday
    ],
)
def test_holidays_and_weekends_are_not_working_days(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2025, 4, 17),  # Maundy Thursday is a working day
        date(2025, 4, 22),  # the Tuesday after Easter
        date(2025, 6, 19),  # the day before Midsummer Eve
        date(2025, 6, 23),  # the Monday after Midsummer
        date(2024, 12, 23),
        date(2024, 12, 27),
        date(2025, 1, 2),
        date(2025, 6, 9),  # Whit Monday has not been a holiday since 2005
    ],
)
def test_ordinary_weekdays_are_working_days(day):
    assert is_working_day(day)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        # Easter 2025: Wednesday before Good Friday, + 2 → Thursday, (Fri, Sat, Sun, Mon) → Tue.
        (date(2025, 4, 16), 2, date(2025, 4, 22)),
        (date(2025, 4, 16), 5, date(2025, 4, 25)),
        # Midsummer 2025: Wednesday + 2 → Thursday, Midsummer Eve skipped → Monday.
        (date(2025, 6, 18), 2, date(2025, 6, 23)),
        # Christmas and New Year 2024/25: Friday 20 December.
        (date(2024, 12, 20), 2, date(2024, 12, 27)),
        (date(2024, 12, 20), 5, date(2025, 1, 3)),
        # Submitted on a Saturday: Monday is the first working day after it.
        (date(2025, 11, 29), 2, date(2025, 12, 2)),
        (date(2025, 11, 28), 0, date(2025, 11, 28)),
    ],
)
def test_adding_working_days_across_holidays(start, count, expected):
    assert add_working_days(start, count) == expected
    if count:
        assert working_days_between(start, expected) == count
        assert subtract_working_days(expected, count) <= start


@given(
    start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
    count=st.integers(min_value=1, max_value=30),
)
def test_working_day_arithmetic_is_consistent(start, count):
    end = add_working_days(start, count)
    assert is_working_day(end)
    assert working_days_between(start, end) == count
    assert working_days_between(start, end - timedelta(days=1)) == count - 1
    assert add_working_days(start, -count) == subtract_working_days(start, count)


def test_the_decision_deadline_of_an_application_counts_working_days(coordinator):
    """Submitted the day before Christmas Eve: the reminder and the escalation move past the
    holidays (the stored deadline is what the board and the scan use)."""
    case = open_case(coordinator, opened_on=date(2024, 12, 2))
    with time_machine.travel(datetime(2024, 12, 23, 10, tzinfo=STOCKHOLM), tick=False):
        application = submitted(case, date(2024, 12, 23))
    assert application.due_kind == DueKind.DECISION
    # 27 Dec is the 1st working day after 23 Dec, 30 Dec the 2nd; 2, 3 and 7 Jan the 3rd-5th.
    assert application.due_on == date(2024, 12, 30)
    assert application.overdue_on == date(2025, 1, 7)
    assert deadline_for(application, Thresholds.current()).due_on == date(2024, 12, 30)


def test_thresholds_come_from_the_settings(coordinator, settings):
    settings.LOTSA_DECISION_REMINDER_WORKING_DAYS = 1
    settings.LOTSA_DECISION_ESCALATION_WORKING_DAYS = 3
    case = open_case(coordinator, opened_on=date(2025, 4, 1))
    with time_machine.travel(datetime(2025, 4, 16, 10, tzinfo=STOCKHOLM), tick=False):
        application = submitted(case, date(2025, 4, 16))
    assert application.due_on == date(2025, 4, 17)
    assert application.overdue_on == date(2025, 4, 23)
