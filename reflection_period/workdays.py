"""Swedish working days: the calendar the decision thresholds are counted in.

A working day is a weekday that is neither a public holiday (allmän helgdag) nor one of the three
days that Swedish law treats like one (midsommarafton, julafton, nyårsafton: the `holidays`
package's DE_FACTO category). Sundays are not asked from the package (it can list them as
holidays); weekends are excluded by the weekday test.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from holidays.constants import DE_FACTO, PUBLIC

SATURDAY = 5


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    calendar = holidays.country_holidays(
        "SE", years=year, categories=(PUBLIC, DE_FACTO), include_sundays=False
    )
    return frozenset(calendar.keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < SATURDAY and day not in _holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The working day `count` working days after `start` (start itself is not counted).

    Submitted on a Friday, 2 working days later is the Tuesday; submitted on a Saturday, too.
    """
    if count < 0:
        return subtract_working_days(start, -count)
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def subtract_working_days(start: date, count: int) -> date:
    """The working day `count` working days before `start`."""
    day = start
    remaining = count
    while remaining:
        day -= timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
