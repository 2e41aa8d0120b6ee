"""Countries in Swedish order: django-countries sorts Å, Ä and Ö as A and O. `SwedishCountries`
sorts by the Swedish alphabet: Å, Ä, Ö after Z, accents otherwise folded (é as e, ü as y, æ as
ä, ø as ö). The names it lacks in Swedish are in core.country_names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django_countries import Countries

# The Swedish alphabet ends ... X Y Z Å Ä Ö; Æ and Ø sort as Ä and Ö, Ü as Y.
_AFTER_Z = {"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"}
_AS = {"ü": "y"}


def swedish_sort_key(text: str) -> str:
    """A key that sorts Swedish words as a Swedish dictionary does (without an ICU library)."""
    key = []
    for char in text.casefold():
        if char in _AFTER_Z:
            key.append(_AFTER_Z[char])
            continue
        char = _AS.get(char, char)
        key.append(
            "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        )
    return "".join(key)


class SwedishCountries(Countries):
    """The country list with the first countries (settings.COUNTRIES_FIRST) on top and the rest
    in Swedish order of the current language's names."""

    def __iter__(self) -> Iterator[Any]:
        rows = list(super().__iter__())  # type: ignore[no-untyped-call]
        first = [self.alpha2(code) for code in self.get_option("first") or ()]
        on_top = [row for row in rows if row.code in first]
        rest = [row for row in rows if row.code and row.code not in first]
        yield from on_top
        yield from sorted(rest, key=lambda row: (swedish_sort_key(str(row.name)), row.code))


countries = SwedishCountries()
