"""Numbers typed in another script's digits.

Python reads the digits of every script as numbers: `re`'s `\\d` matches Arabic-Indic `٣` and
full-width `３`, and `int("٣")` is 3. A personal identity number typed in such digits therefore
passed the format check and was stored as typed, a different string from the same number in
0-9: the duplicate check missed the person (a protected person became a new, unprotected one).

Lotsa's rule: wherever a number is read from what a user typed (personal identity numbers, phone
numbers, case numbers and references in a search, years, ids), the digits of any script are read
as the digits 0-9 first, and only 0-9 is stored or compared. Patterns that parse numbers match
`[0-9]`, never `\\d`.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms

ASCII_DIGITS = "0123456789"


def ascii_digits(text: str) -> str:
    """`text` with every decimal digit of any script (Unicode category Nd) as its digit 0-9;
    every other character unchanged."""
    if text.isascii():
        return text
    return "".join(
        ASCII_DIGITS[unicodedata.decimal(char)] if unicodedata.category(char) == "Nd" else char
        for char in text
    )


def number_text(text: str) -> str:
    """A number as typed, ready for parsing: the compatibility forms of a full-width keyboard
    (`－`, `＋`, `（`, the ideographic space) as their plain characters (NFKC), and every digit as
    0-9."""
    return ascii_digits(unicodedata.normalize("NFKC", text))


class NumberTextField(forms.CharField):
    """A text field for a number with separators (a phone number, Migrationsverket's case
    number, a personal identity number): read through `number_text`, so the same number typed
    on any keyboard is stored as the same text."""

    def to_python(self, value: Any) -> Any:
        return super().to_python(number_text(value) if isinstance(value, str) else value)
