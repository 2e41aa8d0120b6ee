"""Numbers typed in the digits of another script (Arabic-Indic ٣, full-width ３, Devanagari ३ …).

Python reads them as numbers (`\\d` matches them, `int("٣")` is 3), so a protected person's
personal identity number typed in Arabic-Indic digits passed the format check, was stored as
typed, missed the duplicate check and made a second, unprotected person. The rule now: wherever
a number is read from what a user typed, it is read as the same number as in 0-9 (and stored and
compared as 0-9), or refused with a Swedish message; never stored as a different value.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from datetime import date, timedelta
from typing import Any

import pytest
from django import forms
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework import services
from casework.forms import CaseCloseForm, IndividualForm, JournalEntryForm
from casework.models import Case, Individual, Protection
from casework.personal_number import luhn_check_digit, normalise_personal_number
from core.digits import ascii_digits, number_text
from outreach.forms import ContactEditForm
from reflection_period.forms import DecisionForm, SubmitForm
from reporting.forms import ExportForm, TrainingForm
from tests.factories import CaseFactory, IndividualFactory

TODAY = date(2026, 11, 27)

# Every decimal digit of every script, by its value: 0 -> ["0", "٠", "۰", "߀", "०", …, "０", "𝟎", …].
DIGITS_BY_VALUE: dict[int, list[str]] = {value: [] for value in range(10)}
for _code in range(sys.maxunicode + 1):
    _char = chr(_code)
    if unicodedata.category(_char) == "Nd":
        DIGITS_BY_VALUE[unicodedata.decimal(_char)].append(_char)
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789-+", "０１２３４５６７８９－＋")


def test_every_script_has_its_ten_digits():
    assert all(len(chars) > 60 for chars in DIGITS_BY_VALUE.values())
    assert {"3", "٣", "۳", "३", "３"} <= set(DIGITS_BY_VALUE[3])


def _in_other_scripts(draw: Any, text: str) -> str:
    """`text` with each ASCII digit replaced by a digit of the same value from any script."""
    return "".join(
        draw(st.sampled_from(DIGITS_BY_VALUE[int(char)]))
        if char.isascii() and char.isdigit()
        else char
        for char in text
    )


@st.composite
def personal_numbers(draw: Any) -> str:
    """A valid number as a person would write it: 12 digits with or without the dash, or 10."""
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=TODAY - timedelta(days=1)))
    coordination = draw(st.booleans())
    day = born.day + 60 if coordination else born.day
    serial = draw(st.integers(0, 999))
    ten = f"{born:%y%m}{day:02d}{serial:03d}"
    number = f"{born.year // 100:02d}{ten}{luhn_check_digit(ten)}"
    form = draw(st.sampled_from(["twelve", "dash", "ten"]))
    if form == "twelve":
        return number
    if form == "dash":
        return f"{number[:8]}-{number[8:]}"
    return f"{number[2:8]}-{number[8:]}"


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(data=st.data(), typed=personal_numbers())
def test_a_personal_number_in_any_script_is_the_same_number(data, typed):
    other_script = _in_other_scripts(data.draw, typed)
    expected = normalise_personal_number(typed, today=TODAY)
    assert normalise_personal_number(other_script, today=TODAY) == expected
    assert re.fullmatch(r"[0-9]{12}", expected)


@settings(max_examples=500, deadline=None, database=None, derandomize=True)
@given(text=st.one_of(st.text(), st.text(alphabet=st.characters(categories=["Nd", "Pd", "Zs"]))))
def test_any_text_is_a_number_of_twelve_ascii_digits_or_refused(text):
    from django.core.exceptions import ValidationError

    try:
        normalised = normalise_personal_number(text, today=TODAY)
    except ValidationError:
        return
    assert re.fullmatch(r"[0-9]{12}", normalised), normalised


@given(text=st.text())
@settings(max_examples=300, deadline=None, database=None)
def test_ascii_digits_changes_only_digits(text):
    result = ascii_digits(text)
    assert len(result) == len(text)
    for before, after in zip(text, result, strict=True):
        if unicodedata.category(before) == "Nd":
            assert after == str(unicodedata.decimal(before))
        else:
            assert after == before


def test_full_width_separators_are_read_too():
    assert normalise_personal_number("１９８１１２１８－９８７６", today=TODAY) == "198112189876"
    assert normalise_personal_number("１２１２１２＋１２１２", today=TODAY) == "191212121212"


# --- The finding: a protected person's number in other digits -------------------------------------


def _create_data(coordinator, number: str) -> dict[str, Any]:
    return {
        "ind-alias": "Ny",
        "ind-sex": "female",
        "ind-personal_number": number,
        "ind-protection": "none",
        "case-coordinator": coordinator.pk,
        "case-opened_on": "2025-04-02",
        "case-offence": "trafficking",
        "case-origin": "police",
        "case-category": "adult",
        "confirm_new": "1",
    }


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH], ids=["arabic-indic", "full-width"])
def test_a_protected_persons_number_in_other_digits_is_not_a_new_person(
    client, coordinator, digits
):
    protected = services.individual_create(
        by=coordinator,
        personal_number="198112189876",
        given_name="Dolda",
        protection=Protection.PROTECTED_REGISTRATION,
    )
    client.force_login(coordinator)
    typed = "19811218-9876".translate(digits)
    response = client.post(reverse("casework:case_create"), _create_data(coordinator, typed))
    assert response.status_code in (200, 400)  # refused or shown as a possible duplicate
    assert list(Individual.objects.values_list("pk", flat=True)) == [protected.pk]
    assert not Case.objects.exists()


def test_numbers_are_stored_in_ascii_digits(client, coordinator):
    client.force_login(coordinator)
    data = _create_data(coordinator, "19811218-9876".translate(ARABIC_INDIC))
    data["ind-phone"] = "０７０－１２３ ４５ ６７"
    response = client.post(reverse("casework:case_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Individual.objects.get()
    assert person.personal_number == "198112189876"
    assert person.phone == "070-123 45 67"
    assert person.date_of_birth == date(1981, 12, 18)


def test_the_database_refuses_a_number_that_is_not_twelve_ascii_digits(coordinator):
    from django.core.exceptions import ValidationError

    person = IndividualFactory.create()
    person.personal_number = "1981١٢١٨٩٨٧٦"
    with pytest.raises(ValidationError) as refused:
        person.full_clean()
    assert "tolv siffror" in str(refused.value)


# --- Searches: case numbers and references in other digits ------------------------------------


def test_a_case_number_and_a_reference_in_other_digits_are_found(client, coordinator):
    case = CaseFactory.create(coordinator=coordinator, year=2024, sequence=143)
    CaseFactory.create(coordinator=coordinator, year=2024, sequence=144)
    client.force_login(coordinator)
    url = reverse("casework:case_list")
    for typed in ["2024-0143".translate(FULL_WIDTH), "2024-0143".translate(ARABIC_INDIC)]:
        page = client.post(url, {"q": typed, "status": ""}).content.decode()
        assert case.number in page, typed
        assert "2024-0144" not in page, typed
    reference = case.individual.reference.translate(ARABIC_INDIC)
    page = client.post(url, {"q": reference, "status": ""}).content.decode()
    assert case.number in page


def test_the_log_review_reads_a_reference_in_other_digits(client, manager, coordinator):
    person = services.individual_create(by=coordinator, alias="Ref")
    digits = person.reference.removeprefix("IND-").translate(ARABIC_INDIC)
    client.force_login(manager)
    for typed in [digits, f"IND-{digits}", person.reference.translate(FULL_WIDTH)]:
        response = client.get(reverse("audit:access_log"), {"individual": typed})
        assert response.status_code == 200, typed
        assert "Ingen individ har referensen" not in response.content.decode(), typed
        assert response.context["filter"].form.cleaned_data["individual"] == person.pk


# --- Every number field of the forms: the same number, or refused --------------------------------

# (form, field, a valid value in ASCII digits, other valid data the form needs)
NUMBER_FIELDS: list[tuple[type[forms.BaseForm], str, str, dict[str, Any]]] = [
    (IndividualForm, "personal_number", "19811218-9876", {"sex": "female", "protection": "none"}),
    (IndividualForm, "phone", "070-123 45 67", {"sex": "female", "protection": "none"}),
    (IndividualForm, "birth_year", "1985", {"sex": "female", "protection": "none"}),
    (IndividualForm, "date_of_birth", "1985-06-07", {"sex": "female", "protection": "none"}),
    (CaseCloseForm, "version", "3", {"closed_on": "2025-01-02", "reason": "completed"}),
    (CaseCloseForm, "closed_on", "2025-01-02", {"version": "3", "reason": "completed"}),
    (JournalEntryForm, "entry_date", "2025-01-02", {"kind": "meeting", "text": "x"}),
    (
        SubmitForm,
        "migration_agency_number",
        "12-345678",
        {"version": "1", "submitted_on": "2025-01-02"},
    ),
    (DecisionForm, "decided_on", "2025-01-02", {"version": "1", "decision": "rejected"}),
    (ExportForm, "year", "2024", {"as_of": "2025-01-02", "format": "pdf"}),
    (ExportForm, "as_of", "2025-01-02", {"year": "2024", "format": "pdf"}),
    (
        TrainingForm,
        "participants",
        "12",
        {"held_on": "2025-01-02", "title": "t", "audience": "a", "organiser": "o"},
    ),
]


def _cleaned(form_class: type[forms.BaseForm], data: dict[str, Any], name: str) -> Any:
    form = form_class(data=data)
    form.is_valid()
    return form.cleaned_data.get(name) if name not in form.errors else None


@pytest.mark.parametrize(
    ("form_class", "name", "ascii_value", "rest"),
    NUMBER_FIELDS,
    ids=[f"{f.__name__}.{n}" for f, n, _v, _r in NUMBER_FIELDS],
)
@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_number_in_other_digits_is_read_as_the_same_number_or_refused(
    db, form_class, name, ascii_value, rest, data
):
    expected = _cleaned(form_class, {**rest, name: ascii_value}, name)
    assert expected not in (None, ""), "the ASCII value must be valid"
    typed = _in_other_scripts(data.draw, ascii_value)
    form = form_class(data={**rest, name: typed})
    form.is_valid()
    if name in form.errors:
        assert form.errors[name]  # refused, with a message
    else:
        assert form.cleaned_data[name] == expected


def test_a_contact_time_in_other_digits_is_the_same_time(db):
    moment = "2025-01-02T10:30"
    ascii_form = ContactEditForm(data={"contacted_at": moment})
    other = ContactEditForm(data={"contacted_at": moment.translate(ARABIC_INDIC)})
    ascii_form.is_valid()
    other.is_valid()
    assert "contacted_at" not in ascii_form.errors
    assert other.cleaned_data.get("contacted_at") in (None, ascii_form.cleaned_data["contacted_at"])


def test_number_text_reads_full_width_keyboards():
    assert number_text("０７０（１２３）４５\u3000６７") == "070(123)45 67"


def test_a_sign_in_code_in_other_digits_is_the_same_code():
    from twofactor.services import normalise_code

    assert normalise_code("١٢٣ ٤٥٦") == "123456"
    assert normalise_code("ＡＢＣＤ－２３４５") == "abcd2345"
