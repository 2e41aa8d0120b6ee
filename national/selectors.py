"""The figures for the national coordination against prostitution and human trafficking (NSPM).

NSPM's yearly statistics from the regional coordinators count **persons for whom the
coordinators formed a suspicion during the year**. Lotsa reads that from the cases: a person is
counted for a year when one of their victim cases (adult or minor victim; relatives are not
victims) has its suspicion established in the year, up to the as-of date (the recorded day, or
the opening date when none is recorded). A person with two such cases counts once; what is
counted by form of exploitation, offence and industry is taken from all of those cases, so a
person can count under several forms.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from casework.codes import Industry, RelationKind
from casework.models import Case, CasePurpose, Category, IndividualRelation, Purpose, Sex

ADULT_AGE = 18
NOT_RECORDED = "not_recorded"

AGE_GROUPS = ("adult", "child", "unknown")
OFFENCES = ("trafficking", "exploitation", "unclear")

DEFINITIONS: dict[str, Any] = {
    "persons": _(
        "Persons for whom the coordinators established a suspicion of trafficking in human "
        "beings (BrB 4:1 a) or exploitation of human beings (BrB 4:1 b) during the year, up to "
        "the as-of date: persons with a case as adult or minor victim whose suspicion date lies "
        "in the period. The suspicion date is the day recorded on the case, or the opening date "
        "when none is recorded. A person with several such cases counts once. Relatives of "
        "victims are not counted."
    ),
    "sex_age": _(
        "The persons by sex and by age on the first suspicion date of the year: adults are 18 "
        "or older, children (girls and boys) younger; age from the date of birth or the "
        "estimated birth year. “Not recorded” is a sex the unit has not noted."
    ),
    "forms": _(
        "The persons by form of exploitation suspected in any of their cases counted for the "
        "year. A person with several forms counts under each, so the forms add up to more than "
        "the persons."
    ),
    "offences": _(
        "The persons by the offence suspected in their cases counted for the year: trafficking "
        "in human beings (BrB 4:1 a), exploitation of human beings (BrB 4:1 b), or not yet "
        "clear. A person whose cases name both counts under both."
    ),
    "countries": _("The persons by citizenship, as recorded on the person."),
    "industries": _(
        "Persons with suspected labour exploitation, by the industry recorded on their labour "
        "cases (NSPM's list since 2022). A person with cases in two industries counts under "
        "both; “not recorded” counts labour cases without an industry."
    ),
    "accompanying": _(
        "Accompanying children: children under 18 on the suspicion date who came with a "
        "counted person, recorded as their accompanying child. Each child counts once, whether "
        "or not they are counted as a victim themselves."
    ),
    "council": _(
        "The same figures as in the council's annual report for the year and as-of date, with "
        "its definitions: applications for a reflection-period permit made by the social "
        "welfare committee (question 1) and cases worked during the year (question 7)."
    ),
}


@dataclass
class Person:
    individual_id: int
    sex: str
    age_group: str
    citizenship: str
    age: int | None = None  # on the first suspicion date of the year
    forms: set[str] = field(default_factory=set)
    offences: set[str] = field(default_factory=set)
    industries: set[str] = field(default_factory=set)
    means_of_control: set[str] = field(default_factory=set)
    first_suspicion: date | None = None


@dataclass
class NationalStatistics:
    year: int
    as_of: date
    persons: list[Person]
    accompanying: Counter[str]  # sex -> children

    @property
    def total(self) -> int:
        return len(self.persons)

    def by_sex_age(self) -> dict[tuple[str, str], int]:
        return Counter((p.sex, p.age_group) for p in self.persons)

    def by_form(self) -> dict[tuple[str, str], int]:
        return Counter((form, p.age_group) for p in self.persons for form in p.forms)

    def by_offence(self) -> dict[tuple[str, str], int]:
        return Counter((offence, p.age_group) for p in self.persons for offence in p.offences)

    def by_country(self) -> Counter[str]:
        return Counter(p.citizenship for p in self.persons)

    def by_industry(self) -> Counter[str]:
        return Counter(
            industry
            for p in self.persons
            if Purpose.LABOUR in p.forms
            for industry in (p.industries or {NOT_RECORDED})
        )

    @property
    def labour_persons(self) -> int:
        return sum(1 for p in self.persons if Purpose.LABOUR in p.forms)

    def age_totals(self) -> Counter[str]:
        return Counter(p.age_group for p in self.persons)


def _age_group(age: int | None) -> str:
    if age is None:
        return "unknown"
    return "adult" if age >= ADULT_AGE else "child"


def counted_cases(*, year: int, as_of: date) -> Any:
    """The victim cases whose suspicion date lies in the year up to the as-of date."""
    end = min(date(year, 12, 31), as_of)
    return (
        Case.objects.annotate(suspicion=Coalesce(F("suspicion_on"), F("opened_on")))
        .filter(
            Q(category=Category.ADULT) | Q(category=Category.MINOR),
            suspicion__gte=date(year, 1, 1),
            suspicion__lte=end,
        )
        .select_related("individual")
        .order_by("suspicion", "pk")
    )


def national_statistics(*, year: int, as_of: date) -> NationalStatistics:
    cases = list(counted_cases(year=year, as_of=as_of))
    purposes: dict[int, set[str]] = {}
    for case_id, purpose in CasePurpose.objects.filter(case__in=[c.pk for c in cases]).values_list(
        "case_id", "purpose"
    ):
        purposes.setdefault(case_id, set()).add(purpose)
    persons: dict[int, Person] = {}
    for case in cases:  # earliest suspicion first: it decides the age
        individual = case.individual
        person = persons.get(individual.pk)
        if person is None:
            person = persons[individual.pk] = Person(
                individual_id=individual.pk,
                sex=individual.sex or Sex.UNKNOWN,
                age=case.suspicion_age,
                age_group=_age_group(case.suspicion_age),
                citizenship=str(individual.citizenship) or NOT_RECORDED,
                first_suspicion=case.suspicion,
            )
        case_purposes = purposes.get(case.pk, set())
        person.forms |= case_purposes
        person.offences.add(case.offence)
        person.means_of_control.update(case.means_of_control)
        if Purpose.LABOUR in case_purposes and case.industry:
            person.industries.add(case.industry)
    return NationalStatistics(
        year=year,
        as_of=as_of,
        persons=list(persons.values()),
        accompanying=_accompanying_children(persons),
    )


def _accompanying_children(persons: dict[int, Person]) -> Counter[str]:
    """Children recorded as accompanying a counted person, under 18 on that person's first
    suspicion date of the year; each child once, by sex."""
    links = IndividualRelation.objects.filter(
        Q(kind=RelationKind.ACCOMPANYING_CHILD_OF, related_id__in=persons)
        | Q(kind=RelationKind.ACCOMPANIED_BY_CHILD, individual_id__in=persons)
    ).select_related("individual", "related")
    children: dict[int, str] = {}
    for link in links:
        if link.kind == RelationKind.ACCOMPANYING_CHILD_OF:
            child, adult_id = link.individual, link.related_id
        else:
            child, adult_id = link.related, link.individual_id
        day = persons[adult_id].first_suspicion
        age = child.age_on(day) if day else None
        if age is not None and age < ADULT_AGE:
            children[child.pk] = child.sex or Sex.UNKNOWN
    return Counter(children.values())


INDUSTRIES = [*Industry.values, NOT_RECORDED]
