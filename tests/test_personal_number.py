"""Swedish personal identity and coordination numbers: validation and normalisation."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from casework.personal_number import (
    birth_date_from_personal_number,
    format_personal_number,
    is_coordination_number,
    luhn_check_digit,
    normalise_personal_number,
)

TODAY = date(2026, 11, 27)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19811218-9876", "198112189876"),
        ("198112189876", "198112189876"),
        ("811218-9876", "198112189876"),
        ("8112189876", "198112189876"),
        (" 811218 - 9876 ", "198112189876"),
        ("20121212-1212", "201212121212"),
        ("121212-1212", "201212121212"),  # 10 digits: the century that makes them under 100
        ("121212+1212", "191212121212"),  # "+": 100 years or older
    ],
)
def test_valid_numbers_are_normalised_to_twelve_digits(value, expected):
    assert normalise_personal_number(value, today=TODAY) == expected


def test_coordination_number_has_day_plus_sixty():
    # 1990-08-15 as a coordination number: day 75.
    ten = "900875" + "123"
    number = f"19{ten}{luhn_check_digit(ten)}"
    normalised = normalise_personal_number(number, today=TODAY)
    assert is_coordination_number(normalised)
    assert birth_date_from_personal_number(normalised) == date(1990, 8, 15)
    assert not is_coordination_number("198112189876")


@pytest.mark.parametrize("value", ["19811218-9875", "811218-9870", "201212121213"])
def test_bad_check_digit_is_refused(value):
    with pytest.raises(ValidationError) as error:
        normalise_personal_number(value, today=TODAY)
    assert error.value.code == "checksum"


@pytest.mark.parametrize(
    "value",
    [
        "19810230-1234",  # 30 February
        "19811318-1234",  # month 13
        "19810100-1234",  # day 0
        "19810192-1234",  # coordination day 92 = 32
    ],
)
def test_impossible_date_is_refused(value):
    with pytest.raises(ValidationError) as error:
        normalise_personal_number(value, today=TODAY)
    assert error.value.code == "date"


def test_future_birth_date_is_refused():
    ten = "271224" + "123"
    with pytest.raises(ValidationError) as error:
        normalise_personal_number(f"20{ten}{luhn_check_digit(ten)}", today=TODAY)
    assert error.value.code == "date"


@pytest.mark.parametrize(
    "value", ["", "abc", "1234", "19811218-987", "19811218--9876", "x19811218-9876"]
)
def test_wrong_format_is_refused(value):
    with pytest.raises(ValidationError) as error:
        normalise_personal_number(value, today=TODAY)
    assert error.value.code == "format"


def test_messages_are_swedish():
    with pytest.raises(ValidationError) as error:
        normalise_personal_number("19811218-9875", today=TODAY)
    assert "kontrollsiffran" in str(error.value.messages[0]).lower()


def test_format_for_display():
    assert format_personal_number("198112189876") == "19811218-9876"


def test_luhn_known_value():
    assert luhn_check_digit("811218987") == 6
