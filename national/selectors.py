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
from reporting.cache import cached_statistics

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
    """The counted persons' figures (what the report tables show), counted once from the
    persons: small enough to cache, unlike the persons themselves."""

    year: int
    as_of: date
    total: int
    sex_age: Counter[tuple[str, str]]
    forms: Counter[tuple[str, str]]
    offences: Counter[tuple[str, str]]
    countries: Counter[str]
    industries: Counter[str]
    labour_persons: int
    ages: Counter[str]
    accompanying: Counter[str]  # sex -> children

    @classmethod
    def of(
        cls, *, year: int, as_of: date, persons: list[Person], accompanying: Counter[str]
    ) -> NationalStatistics:
        labour = [p for p in persons if Purpose.LABOUR in p.forms]
        return cls(
            year=year,
            as_of=as_of,
            total=len(persons),
            sex_age=Counter((p.sex, p.age_group) for p in persons),
            forms=Counter((form, p.age_group) for p in persons for form in p.forms),
            offences=Counter((offence, p.age_group) for p in persons for offence in p.offences),
            countries=Counter(p.citizenship for p in persons),
            industries=Counter(
                industry for p in labour for industry in (p.industries or {NOT_RECORDED})
            ),
            labour_persons=len(labour),
            ages=Counter(p.age_group for p in persons),
            accompanying=accompanying,
        )

    def by_sex_age(self) -> dict[tuple[str, str], int]:
        return self.sex_age

    def by_form(self) -> dict[tuple[str, str], int]:
        return self.forms

    def by_offence(self) -> dict[tuple[str, str], int]:
        return self.offences

    def by_country(self) -> Counter[str]:
        return self.countries

    def by_industry(self) -> Counter[str]:
        return self.industries

    def age_totals(self) -> Counter[str]:
        return self.ages


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
    """The persons counted for `year` as of `as_of`; cached until the data changes (the annual
    statistics' generation, reporting.cache, which also watches the cases' purposes and the
    relations between persons: NationalConfig.ready)."""
    return cached_statistics(
        f"national-v{FORMAT}:{year}",
        as_of,
        lambda: _national_statistics(year=year, as_of=as_of),
    )


# Part of the cache key: a new version of NationalStatistics never reads a value
# cached by the one before.
FORMAT = 1

CASE_COLUMNS = (
    "pk",
    "suspicion",
    "age_at_suspicion",
    "offence",
    "industry",
    "individual_id",
    "individual__sex",
    "individual__citizenship",
    "individual__date_of_birth",
    "individual__birth_year",
)


def _national_statistics(*, year: int, as_of: date) -> NationalStatistics:
    persons, accompanying = counted_persons(year=year, as_of=as_of)
    return NationalStatistics.of(year=year, as_of=as_of, persons=persons, accompanying=accompanying)


def counted_persons(
    *, year: int, as_of: date, means_of_control: bool = False
) -> tuple[list[Person], Counter[str]]:
    """The persons counted for the year (each once, with what all their counted cases say),
    and the accompanying children by sex. The means of control (a JSON list on every case,
    slow to decode) only when asked for: the figures do not use them, the CTDC export does."""
    # Only the columns the figures use, as tuples (not model instances); the purposes are read
    # with the cases' query as a subquery, not as a list of thousands of ids.
    cases = counted_cases(year=year, as_of=as_of)
    purposes: dict[int, set[str]] = {}
    for case_id, purpose in CasePurpose.objects.filter(case__in=cases.values("pk")).values_list(
        "case_id", "purpose"
    ):
        purposes.setdefault(case_id, set()).add(purpose)
    controls: dict[int, list[str]] = (
        dict(cases.values_list("pk", "means_of_control")) if means_of_control else {}
    )
    persons: dict[int, Person] = {}
    rows = cases.values_list(*CASE_COLUMNS)
    for (  # earliest suspicion first: it decides the age
        case_id,
        suspicion,
        age_at_suspicion,
        offence,
        industry,
        individual_id,
        sex,
        citizenship,
        date_of_birth,
        birth_year,
    ) in rows:
        person = persons.get(individual_id)
        if person is None:
            # Case.suspicion_age: the age kept on the case, else from the person's birth date.
            age = (
                age_at_suspicion
                if age_at_suspicion is not None
                else _age_on(suspicion, date_of_birth, birth_year)
            )
            person = persons[individual_id] = Person(
                individual_id=individual_id,
                sex=sex or Sex.UNKNOWN,
                age=age,
                age_group=_age_group(age),
                citizenship=citizenship or NOT_RECORDED,
                first_suspicion=suspicion,
            )
        case_purposes = purposes.get(case_id, set())
        person.forms |= case_purposes
        person.offences.add(offence)
        person.means_of_control.update(controls.get(case_id, ()))
        if Purpose.LABOUR in case_purposes and industry:
            person.industries.add(industry)
    return list(persons.values()), _accompanying_children(persons, cases)


def _age_on(day: date, date_of_birth: date | None, birth_year: int | None) -> int | None:
    """Individual.age_on, from the columns (no model instance)."""
    if date_of_birth:
        born = date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
    if birth_year:
        return day.year - birth_year
    return None


def _accompanying_children(persons: dict[int, Person], cases: Any) -> Counter[str]:
    """Children recorded as accompanying a counted person, under 18 on that person's first
    suspicion date of the year; each child once, by sex."""
    counted = cases.values("individual_id")
    links = IndividualRelation.objects.filter(
        Q(kind=RelationKind.ACCOMPANYING_CHILD_OF, related_id__in=counted)
        | Q(kind=RelationKind.ACCOMPANIED_BY_CHILD, individual_id__in=counted)
    ).values_list(
        "kind",
        "individual_id",
        "individual__sex",
        "individual__date_of_birth",
        "individual__birth_year",
        "related_id",
        "related__sex",
        "related__date_of_birth",
        "related__birth_year",
    )
    children: dict[int, str] = {}
    for kind, one, one_sex, one_born, one_year, other, other_sex, other_born, other_year in links:
        if kind == RelationKind.ACCOMPANYING_CHILD_OF:
            child, sex, born, birth_year, adult_id = one, one_sex, one_born, one_year, other
        else:
            child, sex, born, birth_year, adult_id = other, other_sex, other_born, other_year, one
        day = persons[adult_id].first_suspicion
        age = _age_on(day, born, birth_year) if day else None
        if age is not None and age < ADULT_AGE:
            children[child] = sex or Sex.UNKNOWN
    return Counter(children.values())


INDUSTRIES = [*Industry.values, NOT_RECORDED]
