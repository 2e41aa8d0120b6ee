"""Swedish personal identity numbers (personnummer) and coordination numbers (samordningsnummer).

Accepted input: YYMMDD-NNNC, YYMMDD+NNNC (100 years or older), YYMMDDNNNC, YYYYMMDDNNNC and
YYYYMMDD-NNNC, with spaces ignored. A coordination number has 60 added to the day of birth. The
last digit is a Luhn check digit over the ten digits YYMMDDNNN. Stored normalised as 12 digits
0-9: digits of other scripts (Arabic-Indic, full-width) are read as 0-9 first (core.digits),
so the same number always gives the same 12 digits and the duplicate check finds it.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.digits import number_text

# [0-9], not \d: \d matches the digits of every script (see core.digits).
_PATTERN = re.compile(r"([0-9]{2})?([0-9]{2})([0-9]{2})([0-9]{2})([-+]?)([0-9]{3})([0-9])")
COORDINATION_DAY_OFFSET = 60


def luhn_check_digit(digits: str) -> int:
    """The Luhn check digit for a string of digits (weights 2, 1, 2, 1, ... from the left)."""
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10


def is_coordination_number(normalised: str) -> bool:
    return int(normalised[6:8]) > COORDINATION_DAY_OFFSET


def normalise_personal_number(value: str, *, today: date | None = None) -> str:
    """Validate `value` and return it as 12 digits (YYYYMMDDNNNC); raise ValidationError if not.

    For the 10-digit forms the century is the one that makes the person younger than 100 years
    on `today` (older with the `+` separator), as the Swedish Tax Agency defines it.
    """
    cleaned = re.sub(r"\s", "", number_text(value or ""))
    match = _PATTERN.fullmatch(cleaned)
    if not match:
        raise ValidationError(
            _("Write the number as YYYYMMDD-NNNN or YYMMDD-NNNN (ten or twelve digits)."),
            code="format",
        )
    century, yy, mm, dd, separator, serial, check = match.groups()
    today = today or timezone.localdate()
    day = int(dd)
    birth_day = day - COORDINATION_DAY_OFFSET if day > COORDINATION_DAY_OFFSET else day
    if century is not None:
        year = int(century + yy)
    else:
        year = (today.year // 100) * 100 + int(yy)
        candidate_is_future = True
        try:
            candidate_is_future = date(year, int(mm), birth_day) > today
        except ValueError:
            candidate_is_future = year > today.year
        if candidate_is_future:
            year -= 100
        if separator == "+":
            year -= 100
    try:
        born = date(year, int(mm), birth_day)
    except ValueError:
        raise ValidationError(
            _("The date part of the number is not a real date."), code="date"
        ) from None
    if born > today:
        raise ValidationError(_("The date part of the number lies in the future."), code="date")
    if luhn_check_digit(f"{yy}{mm}{dd}{serial}") != int(check):
        raise ValidationError(
            _("The check digit does not match. Check the number for a typing error."),
            code="checksum",
        )
    return f"{year:04d}{mm}{dd}{serial}{check}"


def birth_date_from_personal_number(normalised: str) -> date:
    day = int(normalised[6:8])
    if day > COORDINATION_DAY_OFFSET:
        day -= COORDINATION_DAY_OFFSET
    return date(int(normalised[0:4]), int(normalised[4:6]), day)


def format_personal_number(normalised: str) -> str:
    """YYYYMMDD-NNNN, the form Swedish authorities print."""
    return f"{normalised[:8]}-{normalised[8:]}" if len(normalised) == 12 else normalised
