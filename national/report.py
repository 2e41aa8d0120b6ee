"""The report "Underlag till NSPM": tables of the national figures, under the same disclosure
control as the council's annual report (reporting.disclosure): in publication mode every
figure goes through one ledger, with the relations a reader knows, and no hidden count can be
computed from everything the report publishes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from casework.codes import Industry
from casework.models import Purpose, Sex
from national.selectors import (
    AGE_GROUPS,
    DEFINITIONS,
    INDUSTRIES,
    NOT_RECORDED,
    OFFENCES,
    NationalStatistics,
    national_statistics,
)
from reporting.disclosure import Ledger
from reporting.report import CATEGORY_LABELS, Table
from reporting.selectors import AnnualStatistics, annual_statistics

AGE_LABELS = {
    "adult": gettext_lazy("Adults"),
    "child": gettext_lazy("Children"),
    "unknown": gettext_lazy("Age unknown"),
}
SEX_LABELS = {
    Sex.FEMALE: gettext_lazy("Women and girls"),
    Sex.MALE: gettext_lazy("Men and boys"),
    Sex.OTHER: gettext_lazy("Other"),
    Sex.UNKNOWN: gettext_lazy("Not recorded"),
}
CHILD_LABELS = {
    Sex.FEMALE: gettext_lazy("Girls"),
    Sex.MALE: gettext_lazy("Boys"),
    Sex.OTHER: gettext_lazy("Other"),
    Sex.UNKNOWN: gettext_lazy("Sex not recorded"),
}
OFFENCE_LABELS = {
    "trafficking": gettext_lazy("Trafficking in human beings (BrB 4:1 a)"),
    "exploitation": gettext_lazy("Exploitation of human beings (BrB 4:1 b)"),
    "unclear": gettext_lazy("Not yet clear"),
}


@dataclass
class Section:
    title: str
    definition: str
    table: Table


@dataclass
class NationalReport:
    statistics: NationalStatistics
    council: AnnualStatistics
    publication: bool
    k: int
    sections: list[Section]
    ledger: Ledger

    @property
    def tables(self) -> list[Table]:
        return [section.table for section in self.sections]

    @property
    def year(self) -> int:
        return self.statistics.year

    @property
    def as_of(self) -> date:
        return self.statistics.as_of

    def summary(self) -> str:
        shown = self.ledger.shown
        return _(
            "Persons for whom a suspicion was established: %(persons)s (adults %(adults)s, "
            "children %(children)s, age unknown %(unknown)s). Accompanying children: "
            "%(accompanying)s."
        ) % {
            "persons": shown("n.persons"),
            "adults": shown("n.age.adult"),
            "children": shown("n.age.child"),
            "unknown": shown("n.age.unknown"),
            "accompanying": shown("n.accompanying"),
        }


def national_report_for(*, year: int, as_of: date, publication: bool) -> NationalReport:
    return build_national_report(
        national_statistics(year=year, as_of=as_of),
        annual_statistics(year=year, as_of=as_of),
        publication=publication,
    )


def build_national_report(
    statistics: NationalStatistics,
    council: AnnualStatistics,
    *,
    publication: bool,
    k: int | None = None,
) -> NationalReport:
    k = k or settings.LOTSA_PUBLICATION_THRESHOLD
    ledger = Ledger()
    _record_figures(ledger, statistics, council)
    sections = [
        _sex_and_age(ledger),
        _by_age(ledger, "forms", _("Persons by form of exploitation"), _forms()),
        _by_age(ledger, "offences", _("Persons by offence"), _offences()),
        _countries(ledger, statistics),
        _industries(ledger),
        _accompanying(ledger),
        _council(ledger),
    ]
    for section in sections:
        section.table.record_totals()
    _record_relations(ledger)
    if publication:
        ledger.protect(k)
    return NationalReport(statistics, council, publication, k, sections, ledger)


def _forms() -> list[tuple[str, str]]:
    return [(str(purpose.value), str(purpose.label)) for purpose in Purpose]


def _offences() -> list[tuple[str, str]]:
    return [(key, str(OFFENCE_LABELS[key])) for key in OFFENCES]


def _country_name(code: str) -> str:
    return str(_("Not recorded")) if code == NOT_RECORDED else str(countries.name(code) or code)


def _record_figures(ledger: Ledger, s: NationalStatistics, council: AnnualStatistics) -> None:
    add = ledger.add
    add("n.persons", s.total, label=_("Persons"))
    ages = s.age_totals()
    for age in AGE_GROUPS:
        add(f"n.age.{age}", ages[age], label=str(AGE_LABELS[age]))
    sex_age = s.by_sex_age()
    for sex in Sex:
        for age in AGE_GROUPS:
            add(f"n.sex.{sex}.{age}", sex_age.get((sex, age), 0), label=f"{sex.label}, {age}")
        total = sum(sex_age.get((sex, age), 0) for age in AGE_GROUPS)
        add(f"n.sex.{sex}", total, label=str(sex.label))
    for name, counts, keys in (
        ("forms", s.by_form(), [key for key, _label in _forms()]),
        ("offences", s.by_offence(), list(OFFENCES)),
    ):
        for key in keys:
            for age in AGE_GROUPS:
                add(f"n.{name}.{key}.{age}", counts.get((key, age), 0), label=f"{key}, {age}")
            add(f"n.{name}.{key}", sum(counts.get((key, a), 0) for a in AGE_GROUPS), label=key)
    for code, count in s.by_country().items():
        add(f"n.country.{code}", count, label=_country_name(code))
    industries = s.by_industry()
    add("n.labour", s.labour_persons, label=_("Persons exploited for labour"))
    ledger.alias(f"n.forms.{Purpose.LABOUR}", "n.labour")  # the same persons
    for industry in INDUSTRIES:
        add(f"n.industry.{industry}", industries.get(industry, 0), label=industry)
    for sex in Sex:
        add(f"n.accompanying.{sex}", s.accompanying.get(sex, 0), label=str(CHILD_LABELS[sex]))
    add("n.accompanying", sum(s.accompanying.values()), label=_("Accompanying children"))
    add("q1.applications", council.q1.applications, label=_("Applications"))
    add("q7.cases", council.q7.cases, label=_("Cases worked"))
    add("q7.individuals", council.q7.individuals, label=_("Individuals in those cases"))
    for key, value in council.q7.by_category.items():
        add(f"q7.by_category.{key}", value, label=str(CATEGORY_LABELS[key]))


def _sex_and_age(ledger: Ledger) -> Section:
    table = Table(
        key="nspm_sex_age",
        title=_("Persons by sex and age"),
        definition=str(DEFINITIONS["sex_age"]),
        row_header=_("Sex"),
        columns=[str(AGE_LABELS[age]) for age in AGE_GROUPS],
        rows=[(str(SEX_LABELS[sex]), [f"n.sex.{sex}.{age}" for age in AGE_GROUPS]) for sex in Sex],
        ledger=ledger,
        row_totals=[f"n.sex.{sex}" for sex in Sex],
        column_totals=[f"n.age.{age}" for age in AGE_GROUPS],
        grand_total="n.persons",
    )
    return Section(table.title, str(DEFINITIONS["persons"]) + " " + table.definition, table)


def _by_age(ledger: Ledger, name: str, title: str, keys: list[tuple[str, str]]) -> Section:
    table = Table(
        key=f"nspm_{name}",
        title=title,
        definition=str(DEFINITIONS[name]),
        row_header="",
        columns=[str(AGE_LABELS[age]) for age in AGE_GROUPS],
        rows=[(label, [f"n.{name}.{key}.{age}" for age in AGE_GROUPS]) for key, label in keys],
        ledger=ledger,
        row_totals=[f"n.{name}.{key}" for key, _label in keys],
    )
    return Section(title, table.definition, table)


def _countries(ledger: Ledger, s: NationalStatistics) -> Section:
    counts = s.by_country()
    codes = sorted(counts, key=lambda code: (-counts[code], _country_name(code)))
    table = Table(
        key="nspm_countries",
        title=_("Persons by citizenship"),
        definition=str(DEFINITIONS["countries"]),
        row_header=_("Citizenship"),
        columns=[_("Persons")],
        rows=[(_country_name(code), [f"n.country.{code}"]) for code in codes],
        ledger=ledger,
        column_totals=["n.persons"],
    )
    return Section(table.title, table.definition, table)


def _industries(ledger: Ledger) -> Section:
    labels = {**{str(i.value): str(i.label) for i in Industry}, NOT_RECORDED: _("Not recorded")}
    table = Table(
        key="nspm_industries",
        title=_("Labour exploitation by industry"),
        definition=str(DEFINITIONS["industries"]),
        row_header=_("Industry"),
        columns=[_("Persons")],
        rows=[(labels[industry], [f"n.industry.{industry}"]) for industry in INDUSTRIES],
        ledger=ledger,
    )
    return Section(table.title, table.definition, table)


def _accompanying(ledger: Ledger) -> Section:
    table = Table(
        key="nspm_accompanying_children",
        title=_("Accompanying children"),
        definition=str(DEFINITIONS["accompanying"]),
        row_header="",
        columns=[_("Children")],
        rows=[(str(CHILD_LABELS[sex]), [f"n.accompanying.{sex}"]) for sex in Sex],
        ledger=ledger,
        column_totals=["n.accompanying"],
    )
    return Section(table.title, table.definition, table)


def _council(ledger: Ledger) -> Section:
    rows = [(_("Applications for a reflection-period permit"), ["q1.applications"])]
    rows += [
        (str(CATEGORY_LABELS[key]), [f"q7.by_category.{key}"])
        for key in CATEGORY_LABELS
        if f"q7.by_category.{key}" in ledger
    ]
    rows += [
        (_("Cases worked during the year"), ["q7.cases"]),
        (_("Individuals in those cases"), ["q7.individuals"]),
    ]
    table = Table(
        key="nspm_as_in_the_council_report",
        title=_("As in the council's annual report"),
        definition=str(DEFINITIONS["council"]),
        row_header="",
        columns=[_("Number")],
        rows=rows,
        ledger=ledger,
    )
    return Section(table.title, table.definition, table)


def _record_relations(ledger: Ledger) -> None:
    """What a reader knows beyond the tables' own totals."""
    for name, keys in (("forms", _forms()), ("offences", _offences())):
        for key, _label in keys:
            ledger.at_most({f"n.{name}.{key}": 1}, {"n.persons": 1}, reason=f"{name}: a part")
            for age in AGE_GROUPS:
                ledger.at_most(
                    {f"n.{name}.{key}.{age}": 1},
                    {f"n.age.{age}": 1},
                    reason=f"{name}: a part of the age group",
                )
        # Every person has at least one offence (the case always names one).
        if name == "offences":
            ledger.at_most(
                {"n.persons": 1},
                {f"n.offences.{key}": 1 for key, _label in keys},
                reason="every person has an offence",
            )
    for industry in INDUSTRIES:
        ledger.at_most({f"n.industry.{industry}": 1}, {"n.labour": 1}, reason="industries")
    ledger.at_most(
        {"n.labour": 1},
        {f"n.industry.{industry}": 1 for industry in INDUSTRIES},
        reason="every labour case has an industry or none recorded",
    )
    categories = [f"q7.by_category.{key}" for key in CATEGORY_LABELS]
    present = [key for key in categories if key in ledger]
    ledger.sum("q7.cases", present, reason="cases by category")
    ledger.at_most({"q7.individuals": 1}, {"q7.cases": 1}, reason="individuals in cases")
