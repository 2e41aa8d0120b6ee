"""Shared parts of the national-reporting tests (issue 25): small data sets written through the
services, as coordinators write them (the whole demo is the `demo` fixture, tests/demo.py)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from accounts.models import User
from casework import services
from casework.codes import RelationKind
from casework.models import Case, Individual, IndividualRelation

A = date(2025, 3, 31)  # the seed document's "as of" date for 2024


_aliases = iter(range(1, 1_000_000))


def victim(
    by: User,
    *,
    opened_on: date,
    sex: str = "female",
    born: date | None = date(1990, 6, 15),
    birth_year: int | None = None,
    category: str | None = None,
    purposes: Iterable[str] = ("sexual",),
    offence: str = "trafficking",
    citizenship: str = "RO",
    individual: Individual | None = None,
    **facts: Any,
) -> Case:
    """A case through the services: a new person (or `individual`'s next case)."""
    case_fields: dict[str, Any] = {
        "coordinator": by,
        "opened_on": opened_on,
        "origin": "police",
        "category": category,
        "offence": offence,
        "purposes": list(purposes),
        **facts,
    }
    if individual is not None:
        return services.case_open(individual=individual, by=by, **case_fields)
    person: dict[str, Any] = {"alias": f"Testperson {next(_aliases)}", "sex": sex}
    if citizenship:
        person["citizenship"] = citizenship
    if born is not None:
        person["date_of_birth"] = born
    elif birth_year is not None:
        person["birth_year"] = birth_year
    return services.case_open_with_new_individual(by=by, individual_fields=person, **case_fields)


def close(case: Case, by: User, on: date) -> Case:
    case.refresh_from_db()
    return services.case_close(case=case, by=by, closed_on=on, reason="completed")


def link_child(child: Case, adult: Case, by: User) -> IndividualRelation:
    return services.relation_create(
        individual=child.individual,
        related=adult.individual,
        kind=RelationKind.ACCOMPANYING_CHILD_OF,
        by=by,
    )


def demo_identities() -> list[str]:
    """Every name, alias, personal number and phone number of the demo's people, in the forms
    they could be written in (aliases of four letters or more: "Sun" is in "Sunday")."""
    found: set[str] = set()
    for person in Individual.objects.all():
        for value in (person.given_name, person.family_name, person.alias, person.reference):
            if value and len(value) >= 4:
                found.add(value)
        if person.personal_number:
            digits = re.sub(r"\D", "", person.personal_number)
            found.update({digits, digits[2:], person.personal_number_display})
        if person.phone:
            found.update({person.phone, re.sub(r"\D", "", person.phone)})
    for case in Case.objects.all():
        found.add(case.number)
    return sorted(found)
