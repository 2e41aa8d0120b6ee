"""Plausible dates: every date a user types lies within bounds that make sense for the unit.

A birth date in 1800, a contact in 1900 or a permit ending in 9999 is a typing error (and 9999
overflowed the deadline arithmetic and the log review's period into a 500). The bounds:

- a date of birth: from 1 January 1900 (the birth year's bound) to today;
- a date of the unit's work that has happened (a case opened or closed, a journal entry, a
  consent, an application sent, decided or withdrawn, a next step, an outreach contact): from
  1 January 2000, which no case, contact or application the unit keeps is older than (retention
  culls closed cases after five years), to today;
- a date of the unit's work that may be planned (a support measure, a link with an
  organisation, a permit's dates, a training): from 1 January 2000 to two years ahead.

Forms check these with the field classes below, models with the validators (so a service's
`full_clean()` checks them too), and the database with named constraints on the fixed bounds
(EARLIEST_* to LATEST_DATE).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

EARLIEST_BIRTH_DATE = date(1900, 1, 1)
EARLIEST_WORK_DATE = date(2000, 1, 1)
EARLIEST_WORK_MOMENT = datetime(2000, 1, 1, tzinfo=UTC)
# The database's upper bound for every date (the birth year's too): far enough for any planned
# date, near enough that date arithmetic (a permit's 30 days, a deadline) never overflows.
LATEST_DATE = date(2100, 12, 31)
LATEST_MOMENT = datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC)
PLANNING_YEARS = 2
WORK_DATES_MESSAGE = _("Dates must lie between 1 January 2000 and 31 December 2100.")


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def _not_before(value: date, earliest: date, message: Any) -> None:
    if value < earliest:
        raise ValidationError(message, code="too_early", params={"date": _day(earliest)})


def latest_planned_date(today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + PLANNING_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLANNING_YEARS, day=28)


def validate_birth_date(value: date) -> None:
    _not_before(value, EARLIEST_BIRTH_DATE, _("A date of birth before %(date)s is not plausible."))
    if value > timezone.localdate():
        raise ValidationError(_("The date of birth cannot be in the future."), code="future")


def validate_birth_year(value: int) -> None:
    """Not in the future (the lower bound, 1900, is the model's constraint)."""
    if value > timezone.localdate().year:
        raise ValidationError(_("The birth year cannot be in the future."), code="future")


def validate_past_work_date(value: date) -> None:
    _not_before(value, EARLIEST_WORK_DATE, _("The date cannot be before %(date)s."))
    if value > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."), code="future")


def validate_planned_work_date(value: date) -> None:
    _not_before(value, EARLIEST_WORK_DATE, _("The date cannot be before %(date)s."))
    if value > latest_planned_date():
        raise ValidationError(
            _("The date cannot be more than %(years)s years ahead."),
            code="too_late",
            params={"years": PLANNING_YEARS},
        )


def validate_work_moment(value: datetime) -> None:
    """The lower bound of a time of the unit's work (the future is the service's check, which
    allows for a phone's clock running ahead)."""
    if value < EARLIEST_WORK_MOMENT:
        raise ValidationError(
            _("The time cannot be before %(date)s."),
            code="too_early",
            params={"date": _day(EARLIEST_WORK_DATE)},
        )


def validate_period_date(value: date) -> None:
    """A day that bounds a period searched (the log review's): within the database's bounds."""
    if not EARLIEST_WORK_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            _("Choose a date between %(earliest)s and %(latest)s."),
            code="out_of_range",
            params={"earliest": _day(EARLIEST_WORK_DATE), "latest": _day(LATEST_DATE)},
        )


class PastDateField(forms.DateField):
    """A date of the unit's work that has happened: from 2000 to today."""

    default_validators = [validate_past_work_date]


class PlannedDateField(forms.DateField):
    """A date of the unit's work that may lie ahead: from 2000 to two years ahead."""

    default_validators = [validate_planned_work_date]


def plausible_dates(
    name: str,
    *fields: str,
    earliest: date | datetime = EARLIEST_WORK_DATE,
    latest: date | datetime = LATEST_DATE,
    message: Any = WORK_DATES_MESSAGE,
) -> models.CheckConstraint:
    """A named constraint keeping each of `fields` (when set) within the fixed bounds."""
    condition = Q()
    for field in fields:
        condition &= Q(**{f"{field}__isnull": True}) | Q(
            **{f"{field}__gte": earliest, f"{field}__lte": latest}
        )
    return models.CheckConstraint(name=name, condition=condition, violation_error_message=message)
