"""The annual report as people read it: tables, answer sentences and charts, built from the
figures in selectors.py, in internal mode (exact counts) or publication mode (small counts
hidden). The page, the PDF, the CSV and the JSON all render this one object.

Every figure is recorded once in a ledger (reporting.disclosure) under one key, with the other
names it is published under and the relations between figures (totals, "at most"). Tables and
answers only hold keys and read the shown text from the ledger, so in publication mode a figure
is hidden the same way in every table, sentence and file, and no hidden count can be computed
from everything the report shows together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from casework.models import Category, Purpose, Sex, SupportType
from reflection_period.models import Applicant, LegalBasis
from reporting.charts import Bar, Chart, Series, bar_chart
from reporting.disclosure import SECONDARY, Ledger
from reporting.selectors import (
    AGE_GROUPS,
    CATEGORIES,
    DEFINITIONS,
    OUTCOMES,
    Q1,
    REFERRALS,
    SEXES,
    AnnualStatistics,
    YearlyComparison,
)

OUTCOME_LABELS = {
    "granted": gettext_lazy("Granted"),
    "rejected": gettext_lazy("Rejected"),
    "pending": gettext_lazy("Awaiting a decision"),
    "withdrawn": gettext_lazy("Withdrawn"),
}
AGE_LABELS = {
    "adult": gettext_lazy("Adult (18 or older)"),
    "minor": gettext_lazy("Minor (under 18)"),
    "unknown": gettext_lazy("Age unknown"),
}
# The row totals of the table by age and sex: JSON names for the first two.
AGE_TOTALS = {"adult": "q1.adults", "minor": "q1.minors", "unknown": "q1.age_unknown"}
CATEGORY_LABELS = {
    "adult": Category.ADULT.label,
    "minor": Category.MINOR.label,
    "relative": Category.RELATIVE.label,
    "age_unknown": gettext_lazy("Victim, age unknown"),
}
REFERRAL_LABELS = {
    "made": gettext_lazy("Referrals made"),
    "accepted": gettext_lazy("Referrals accepted"),
    "declined": gettext_lazy("Referrals declined"),
}
MONTHS = [
    gettext_lazy("Jan"),
    gettext_lazy("Feb"),
    gettext_lazy("Mar"),
    gettext_lazy("Apr"),
    gettext_lazy("May"),
    gettext_lazy("Jun"),
    gettext_lazy("Jul"),
    gettext_lazy("Aug"),
    gettext_lazy("Sep"),
    gettext_lazy("Oct"),
    gettext_lazy("Nov"),
    gettext_lazy("Dec"),
]

Cell = tuple[int, int]  # (row, column); column -1 is the row total, row -1 the column total


@dataclass
class Table:
    """A table of figures: each cell is the key of a figure in the report's ledger."""

    key: str
    title: str
    definition: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[str]]]
    ledger: Ledger
    row_totals: list[str] | None = None
    column_totals: list[str] | None = None
    grand_total: str | None = None

    def figure(self, cell: Cell) -> str:
        """The key of a cell's figure; a total the table does not have is a KeyError."""
        row, column = cell
        if row == -1 and column == -1:
            total = self.grand_total
        elif column == -1:
            total = self.row_totals[row] if self.row_totals else None
        elif row == -1:
            total = self.column_totals[column] if self.column_totals else None
        else:
            return self.rows[row][1][column]
        if total is None:
            raise KeyError(cell)
        return total

    def shown(self, cell: Cell) -> str:
        return self.ledger.shown(self.figure(cell))

    def value(self, cell: Cell) -> int:
        return self.ledger.value(self.figure(cell))

    def header(self) -> list[str]:
        return [self.row_header, *self.columns, *([_("Total")] if self.row_totals else [])]

    def body(self) -> list[list[str]]:
        """Rows of display strings, the totals row last (what the page, PDF and CSV show)."""
        rows = []
        for r, (label, values) in enumerate(self.rows):
            cells = [self.shown((r, c)) for c in range(len(values))]
            if self.row_totals:
                cells.append(self.shown((r, -1)))
            rows.append([str(label), *cells])
        if self.column_totals:
            totals = [self.shown((-1, c)) for c in range(len(self.columns))]
            if self.row_totals:
                totals.append(self.shown((-1, -1)))
            rows.append([_("Total"), *totals])
        return rows

    def record_totals(self) -> None:
        """Tell the ledger which cells are sums of which."""
        reason = f"{self.title}: total"
        if self.row_totals:
            for (_label, cells), total in zip(self.rows, self.row_totals, strict=True):
                self.ledger.sum(total, cells, reason=reason)
        if self.column_totals:
            for c, total in enumerate(self.column_totals):
                self.ledger.sum(total, [cells[c] for _label, cells in self.rows], reason=reason)
        if self.grand_total:
            if self.column_totals:
                self.ledger.sum(self.grand_total, self.column_totals, reason=reason)
            if self.row_totals:
                self.ledger.sum(self.grand_total, self.row_totals, reason=reason)


@dataclass
class Question:
    number: int
    title: str
    answer: list[str]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""


@dataclass
class Comparison:
    """The last five years side by side (not one of the council member's questions)."""

    title: str
    years: list[int]
    tables: list[Table]
    charts: list[Chart] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Report:
    statistics: AnnualStatistics
    comparison: YearlyComparison
    publication: bool
    k: int
    questions: list[Question]
    years: Comparison
    ledger: Ledger

    @property
    def tables(self) -> list[Table]:
        return [
            *(table for question in self.questions for table in question.tables),
            *self.years.tables,
        ]

    @property
    def small_counts(self) -> str:
        """The publication rule's first half, with the range named plainly."""
        if self.k == 2:
            # "<2" would say 1: such counts are shown as ".." instead.
            return _("a count of 1 is shown as “..”")
        return _("counts from 1 to %(top)s are shown as “<%(k)s”") % {
            "top": self.k - 1,
            "k": self.k,
        }

    @property
    def publication_rule(self) -> str:
        """How publication mode hides counts, as printed with the report."""
        return capfirst(self.small_counts) + ". " + self.publication_explained

    @property
    def publication_explained(self) -> str:
        return str(DEFINITIONS["publication"])


# --- Numbers in running text ----------------------------------------------------------------------


def _count_word(value: str, *, neuter: bool = False, start: bool = False) -> str:
    """A shown count in prose: "nine" for 1-9 (as Swedish reports write them), digits from
    10, "none" for 0, "fewer than 3" for a hidden small count and "an undisclosed number" for a
    '..' cell. Swedish agrees the word with the noun's gender: "en ansökan", "ett ärende"."""
    if value.startswith("<"):
        text = _("fewer than %(k)s") % {"k": value[1:]}
    elif value == SECONDARY:
        text = _("an undisclosed number")
    else:
        number = int(value)
        if 0 < number < 10:
            words = NEUTER_WORDS if neuter else COMMON_WORDS
            text = str(words[number - 1])
        elif number == 0:
            text = pgettext("neuter count", "none") if neuter else pgettext("count", "none")
        else:
            text = number_format(number)
    return capfirst(text) if start else text


COMMON_WORDS = [
    pgettext_lazy("common gender", "one"),
    pgettext_lazy("common gender", "two"),
    pgettext_lazy("common gender", "three"),
    pgettext_lazy("common gender", "four"),
    pgettext_lazy("common gender", "five"),
    pgettext_lazy("common gender", "six"),
    pgettext_lazy("common gender", "seven"),
    pgettext_lazy("common gender", "eight"),
    pgettext_lazy("common gender", "nine"),
]
NEUTER_WORDS = [pgettext_lazy("neuter gender", "one"), *COMMON_WORDS[1:]]


def _plural_value(value: str) -> int:
    """The number ngettext chooses a form by. Hidden counts read as plural ("fewer than 3
    applications"); none reads as singular, as Swedish writes it ("ingen ansökan")."""
    if not value.isdigit():
        return 2
    return int(value) or 1


# --- Building the report -------------------------------------------------------------------------


def build_report(
    statistics: AnnualStatistics,
    comparison: YearlyComparison,
    *,
    publication: bool,
    k: int | None = None,
) -> Report:
    k = k or settings.LOTSA_PUBLICATION_THRESHOLD
    ledger = Ledger()
    _record_figures(ledger, statistics, comparison)
    questions = [
        _question_1(statistics, ledger),
        _question_2(statistics, ledger),
        _question_3(statistics, ledger),
        _question_4(statistics, ledger),
        _question_5(statistics),
        _question_6(statistics),
        _question_7(statistics, ledger),
    ]
    years = _years(comparison, ledger)
    report = Report(
        statistics=statistics,
        comparison=comparison,
        publication=publication,
        k=k,
        questions=questions,
        years=years,
        ledger=ledger,
    )
    for table in report.tables:
        table.record_totals()
    _record_relations(ledger, statistics)
    if publication:
        ledger.protect(k)
    for question in questions:
        _write_answers(report, question)
    for number, charts in charts_for(report).items():
        questions[number - 1].charts = charts
    years.charts = year_charts(report)
    return report


def _record_figures(ledger: Ledger, s: AnnualStatistics, comparison: YearlyComparison) -> None:
    """Every figure the report publishes, once, under the name the JSON gives it; the other
    names of the same quantity as aliases."""
    _record_question_1_totals(ledger, s.q1)
    _record_question_1_groups(ledger, s.q1)
    _record_questions_2_to_7(ledger, s)
    _record_years(ledger, s, comparison)


def _record_question_1_totals(ledger: Ledger, q1: Q1) -> None:
    """Q1: applications, individuals, outcomes, purposes (also by gender)."""
    add = ledger.add
    add("q1.applications", q1.applications, label=_("Applications"))
    add("q1.individuals", q1.individuals, label=_("Individuals"))
    add("q1.adult_individuals", q1.adult_individuals, label=_("Adult individuals"))
    for key, value in q1.outcomes.items():
        add(f"q1.outcomes.{key}", value, label=str(OUTCOME_LABELS[key]))
    for purpose in Purpose.values:
        label = str(Purpose(purpose).label)
        add(f"q1.purposes.{purpose}", q1.purposes[purpose], label=label)
        for sex in SEXES:
            add(
                f"q1.purpose_by_gender.{purpose}.{sex}",
                q1.purpose_by_gender[purpose][sex],
                label=f"{label}, {Sex(sex).label}",
            )


def _record_question_1_groups(ledger: Ledger, q1: Q1) -> None:
    """Q1 by sex and age, by applicant, and per month."""
    add = ledger.add
    for sex in SEXES:
        _same(
            ledger,
            f"q1.sexual_by_gender.{sex}",
            q1.sexual_by_gender[sex],
            f"q1.purpose_by_gender.{Purpose.SEXUAL}.{sex}",
        )
        add(
            f"q1.by_sex.{sex}",
            sum(q1.by_gender_age[sex].values()),
            label=f"{_('Applications')}, {Sex(sex).label}",
        )
        for group in AGE_GROUPS:
            add(
                f"q1.by_gender_age.{sex}.{group}",
                q1.by_gender_age[sex][group],
                label=f"{AGE_LABELS[group]}, {Sex(sex).label}",
            )
    for group, key in AGE_TOTALS.items():
        add(
            key,
            sum(q1.by_gender_age[sex][group] for sex in SEXES),
            label=f"{_('Applications')}, {AGE_LABELS[group]}",
        )
    _same(
        ledger,
        f"q1.by_applicant.{Applicant.SOCIAL_SERVICES}",
        q1.by_applicant[Applicant.SOCIAL_SERVICES],
        "q1.applications",
    )
    for applicant in (Applicant.POLICE, Applicant.PROSECUTOR):
        add(
            f"q1.by_applicant.{applicant}",
            q1.by_applicant[applicant],
            label=str(Applicant(applicant).label),
        )
    add(
        "q1.known_applications",
        sum(q1.by_applicant.values()),
        label=_("Applications known to the unit"),
    )
    add(
        "q1.police_applications",
        q1.police_applications,
        label=_("Applications by the police or a prosecutor"),
    )
    for month in range(12):
        add(f"q1.per_month.{month}", q1.per_month[month], label=str(MONTHS[month]))


def _record_questions_2_to_7(ledger: Ledger, s: AnnualStatistics) -> None:
    """Q2 to Q7, and the year so far."""
    add = ledger.add
    add("q2.individuals_granted", s.q2.individuals_granted, label=_("Individuals granted"))
    for kind, value in s.q2.support_measures.items():
        add(f"q2.support_measures.{kind}", value, label=str(SupportType(kind).label))
    add(
        "q2.support_total",
        sum(s.q2.support_measures.values()),
        label=_("Support measures started"),
    )
    _same(ledger, "q3.applications", s.q3.applications, "q1.applications")
    for basis, value in s.q3.by_legal_basis.items():
        add(f"q3.by_legal_basis.{basis}", value, label=str(LegalBasis(basis).label))
    add("q4.outreach_staff", s.q4.outreach_staff, label=_("Outreach staff"), protected=False)
    add("q4.contacts", s.q4.contacts, label=_("Contacts logged"))
    for key, value in s.q4.referrals.items():
        add(f"q4.referrals.{key}", value, label=str(REFERRAL_LABELS[key]))
    # Trainings and their participants are the unit's work, not the people it works with.
    add("q5.trainings", s.q5.trainings, label=_("Trainings"), protected=False)
    add("q5.participants", s.q5.participants, label=_("Participants"), protected=False)
    for index, row in enumerate(s.q5.sessions):
        add(
            f"q5.sessions.{index}.participants",
            row.participants,
            label=_("Participants"),
            protected=False,
        )
    add("q7.cases", s.q7.cases, label=_("Cases"))
    add("q7.individuals", s.q7.individuals, label=_("Individuals"))
    for key, value in s.q7.by_category.items():
        add(f"q7.by_category.{key}", value, label=str(CATEGORY_LABELS[key]))
    if s.ytd_year == s.period.year:
        # The year so far is the report's own period: the same quantity.
        _same(ledger, "ytd.applications", s.ytd_applications, "q1.applications")
    else:
        add("ytd.applications", s.ytd_applications, label=_("So far this year"))


def _record_years(ledger: Ledger, s: AnnualStatistics, comparison: YearlyComparison) -> None:
    """The years compared; the report's own year is the same quantity as its figures."""
    add = ledger.add
    for figures in comparison.years:
        y = figures.year
        prefix = f"years.{y}"
        names = {
            f"{prefix}.applications": (figures.applications, "q1.applications"),
            **{
                f"{prefix}.outcomes.{key}": (value, f"q1.outcomes.{key}")
                for key, value in figures.outcomes.items()
            },
            f"{prefix}.cases": (figures.cases, "q7.cases"),
            **{
                f"{prefix}.by_category.{key}": (value, f"q7.by_category.{key}")
                for key, value in figures.by_category.items()
            },
            f"{prefix}.contacts": (figures.contacts, "q4.contacts"),
            **{
                f"{prefix}.referrals.{key}": (value, f"q4.referrals.{key}")
                for key, value in figures.referrals.items()
            },
        }
        for name, (value, same) in names.items():
            if y == s.period.year:
                _same(ledger, name, value, same)
            else:
                add(name, value, label=f"{ledger.figures[same].label} {y}")


def _same(ledger: Ledger, name: str, value: int, key: str) -> None:
    """`name` publishes the same quantity as `key`; the value computed for it must agree."""
    if ledger.value(key) != value:
        raise ValueError(f"{name} = {value} is not {key} = {ledger.value(key)}")
    ledger.alias(name, key)


def _record_relations(ledger: Ledger, s: AnnualStatistics) -> None:
    """What a reader knows besides the tables' totals: sums printed outside a table, and
    counts that cannot exceed others by their definitions."""
    ledger.sum(
        "q1.police_applications",
        [f"q1.by_applicant.{Applicant.POLICE}", f"q1.by_applicant.{Applicant.PROSECUTOR}"],
        reason="police and prosecutor applications",
    )
    ledger.at_most(
        {"q1.individuals": 1},
        {"q1.applications": 1},
        reason="each individual has at least one application",
    )
    ledger.at_most(
        {"q1.adult_individuals": 1},
        {"q1.individuals": 1},
        reason="the adult individuals are some of the individuals",
    )
    ledger.at_most(
        {"q1.adult_individuals": 1},
        {"q1.adults": 1},
        reason="each adult individual has at least one application sent as an adult",
    )
    ledger.at_most(
        {"q1.individuals": 1, "q1.adult_individuals": -1},
        {"q1.minors": 1, "q1.age_unknown": 1},
        reason="each other individual has an application sent as a minor or at an unknown age",
    )
    for purpose in Purpose.values:
        ledger.at_most(
            {f"q1.purposes.{purpose}": 1},
            {"q1.applications": 1},
            reason="applications with a purpose are some of the applications",
        )
        for sex in SEXES:
            ledger.at_most(
                {f"q1.purpose_by_gender.{purpose}.{sex}": 1},
                {f"q1.by_sex.{sex}": 1},
                reason="applications with a purpose are some of those by the same sex",
            )
    for sex in SEXES:
        # Every application names at least one purpose (the services refuse one without), so
        # the purposes of a sex add up to at least its applications. Data written round the
        # services may break the rule; the relation is then left out, as nobody can know it.
        terms = {f"q1.purpose_by_gender.{purpose}.{sex}": 1 for purpose in Purpose.values}
        if sum(ledger.value(name) for name in terms) >= ledger.value(f"q1.by_sex.{sex}"):
            ledger.at_most(
                {f"q1.by_sex.{sex}": 1},
                terms,
                reason="every application names at least one purpose",
            )
    ledger.at_most(
        {"q7.individuals": 1},
        {"q7.cases": 1},
        reason="each individual has at least one case",
    )


def _question_1(s: AnnualStatistics, ledger: Ledger) -> Question:
    outcomes = Table(
        key="q1_outcomes",
        title=_("Applications by outcome"),
        definition=str(DEFINITIONS["q1.outcomes"]),
        row_header=_("Outcome"),
        columns=[_("Applications")],
        rows=[(str(OUTCOME_LABELS[key]), [f"q1.outcomes.{key}"]) for key in OUTCOME_LABELS],
        ledger=ledger,
        column_totals=["q1.applications"],
    )
    purposes = Table(
        key="q1_purposes_by_sex",
        title=_("Applications by purpose and sex"),
        definition=str(DEFINITIONS["q1.purposes"]),
        row_header=_("Purpose"),
        columns=[str(Sex(sex).label) for sex in SEXES],
        rows=[
            (str(Purpose(p).label), [f"q1.purpose_by_gender.{p}.{sex}" for sex in SEXES])
            for p in Purpose.values
        ],
        ledger=ledger,
        row_totals=[f"q1.purposes.{p}" for p in Purpose.values],
    )
    age = Table(
        key="q1_age_by_sex",
        title=_("Applications by age at submission and sex"),
        definition=str(DEFINITIONS["q1.by_gender_age"]),
        row_header=_("Age"),
        columns=[str(Sex(sex).label) for sex in SEXES],
        rows=[
            (str(AGE_LABELS[group]), [f"q1.by_gender_age.{sex}.{group}" for sex in SEXES])
            for group in AGE_GROUPS
        ],
        ledger=ledger,
        row_totals=[AGE_TOTALS[group] for group in AGE_GROUPS],
        column_totals=[f"q1.by_sex.{sex}" for sex in SEXES],
        grand_total="q1.applications",
    )
    applicants = Table(
        key="q1_by_applicant",
        title=_("Applications known to the unit, by applicant"),
        definition=str(DEFINITIONS["q1.by_applicant"]),
        row_header=_("Applicant"),
        columns=[_("Applications")],
        rows=[(str(Applicant(a).label), [f"q1.by_applicant.{a}"]) for a in Applicant.values],
        ledger=ledger,
        column_totals=["q1.known_applications"],
    )
    months = Table(
        key="q1_per_month",
        title=_("Applications per month"),
        definition=str(DEFINITIONS["q1.per_month"]),
        row_header=_("Month"),
        columns=[_("Applications")],
        rows=[(str(MONTHS[m]), [f"q1.per_month.{m}"]) for m in range(12)],
        ledger=ledger,
        column_totals=["q1.applications"],
    )
    return Question(
        number=1,
        title=_(
            "How many reflection-period applications has the city's social services sent to "
            "the Swedish Migration Agency?"
        ),
        answer=[],
        tables=[outcomes, purposes, age, applicants, months],
        definitions=[
            (_("Applications"), str(DEFINITIONS["q1.applications"])),
            (_("Individuals"), str(DEFINITIONS["q1.individuals"])),
            (_("Adults"), str(DEFINITIONS["q1.adult_individuals"])),
            (_("So far this year"), str(DEFINITIONS["ytd.applications"])),
        ],
    )


def _question_2(s: AnnualStatistics, ledger: Ledger) -> Question:
    support = Table(
        key="q2_support_measures",
        title=_("Support measures started, by type"),
        definition=str(DEFINITIONS["q2.support_measures"]),
        row_header=_("Support"),
        columns=[_("Measures")],
        rows=[
            (str(SupportType(t).label), [f"q2.support_measures.{t}"]) for t in SupportType.values
        ],
        ledger=ledger,
        column_totals=["q2.support_total"],
    )
    granted = Table(
        key="q2_rights_activated",
        title=_("Individuals whose rights were activated"),
        definition=str(DEFINITIONS["q2.individuals_granted"]),
        row_header=_("Figure"),
        columns=[_("Individuals")],
        rows=[
            (_("Granted a permit by a decision dated in the period"), ["q2.individuals_granted"])
        ],
        ledger=ledger,
    )
    return Question(
        number=2,
        title=_(
            "For how many individuals has the “rights package” under the Council of "
            "Europe convention been activated?"
        ),
        answer=[],
        tables=[granted, support],
    )


def _question_3(s: AnnualStatistics, ledger: Ledger) -> Question:
    basis = Table(
        key="q3_legal_basis",
        title=_("The coordinators' applications by legal basis"),
        definition=str(DEFINITIONS["q3.authority"]),
        row_header=_("Legal basis"),
        columns=[_("Applications")],
        rows=[(str(LegalBasis(b).label), [f"q3.by_legal_basis.{b}"]) for b in LegalBasis.values],
        ledger=ledger,
        column_totals=["q3.applications"],
    )
    return Question(
        number=3,
        title=_(
            "Do the city's regional coordinators have the authority to send applications for a "
            "reflection period? Do they exercise public authority?"
        ),
        answer=[],
        tables=[basis],
    )


def _question_4(s: AnnualStatistics, ledger: Ledger) -> Question:
    staff = Table(
        key="q4_staff",
        title=_("The outreach team"),
        definition=str(DEFINITIONS["q4.outreach_staff"]),
        row_header=_("Figure"),
        columns=[_("Count")],
        rows=[(_("Outreach staff"), ["q4.outreach_staff"])],
        ledger=ledger,
    )
    outreach = Table(
        key="q4_outreach",
        title=_("The outreach team's work"),
        definition=" ".join(str(DEFINITIONS[key]) for key in ("q4.contacts", "q4.referrals")),
        row_header=_("Figure"),
        columns=[_("Count")],
        rows=[
            (_("Contacts logged"), ["q4.contacts"]),
            *((str(REFERRAL_LABELS[key]), [f"q4.referrals.{key}"]) for key in REFERRALS),
        ],
        ledger=ledger,
    )
    return Question(
        number=4,
        title=_(
            "How many work in the city's outreach (PoM) team, and what is the routine when the "
            "team meets a person who may be a victim of trafficking?"
        ),
        answer=[],
        tables=[staff, outreach],
        definitions=[(_("Time to acceptance"), str(DEFINITIONS["q4.median_hours"]))],
        text=s.q4.routine,
    )


def _question_5(s: AnnualStatistics) -> Question:
    return Question(
        number=5,
        title=_(
            "What training has been given to strengthen the city's social workers' knowledge of "
            "the EU directives on human rights and the city's responsibility?"
        ),
        answer=[],
        tables=[],
        definitions=[(_("Trainings"), str(DEFINITIONS["q5.trainings"]))],
    )


def _question_6(s: AnnualStatistics) -> Question:
    return Question(
        number=6,
        title=_(
            "What organisational changes and changes in ways of working have been made now "
            "that social services may apply for a reflection period?"
        ),
        answer=[],
        tables=[],
        text=s.narrative.organisational_changes,
    )


def _question_7(s: AnnualStatistics, ledger: Ledger) -> Question:
    categories = Table(
        key="q7_cases_by_category",
        title=_("Cases worked, by category"),
        definition=str(DEFINITIONS["q7.cases"]),
        row_header=_("Category"),
        columns=[_("Cases")],
        rows=[(str(label), [f"q7.by_category.{key}"]) for key, label in CATEGORY_LABELS.items()],
        ledger=ledger,
        column_totals=["q7.cases"],
    )
    return Question(
        number=7,
        title=_("How many cases did the regional coordinators work in during the year?"),
        answer=[],
        tables=[categories],
        definitions=[(_("Individuals"), str(DEFINITIONS["q7.individuals"]))],
    )


def _years(comparison: YearlyComparison, ledger: Ledger) -> Comparison:
    years = [figures.year for figures in comparison.years]
    columns = [str(y) for y in years]
    outcomes = Table(
        key="years_outcomes",
        title=_("Applications by outcome, year by year"),
        definition=str(DEFINITIONS["q1.outcomes"]),
        row_header=_("Outcome"),
        columns=columns,
        rows=[
            (str(OUTCOME_LABELS[key]), [f"years.{y}.outcomes.{key}" for y in years])
            for key in OUTCOMES
        ],
        ledger=ledger,
        column_totals=[f"years.{y}.applications" for y in years],
    )
    cases = Table(
        key="years_cases",
        title=_("Cases worked by category, year by year"),
        definition=str(DEFINITIONS["q7.cases"]),
        row_header=_("Category"),
        columns=columns,
        rows=[
            (str(CATEGORY_LABELS[key]), [f"years.{y}.by_category.{key}" for y in years])
            for key in CATEGORIES
        ],
        ledger=ledger,
        column_totals=[f"years.{y}.cases" for y in years],
    )
    outreach = Table(
        key="years_outreach",
        title=_("Outreach contacts and referrals, year by year"),
        definition=" ".join(str(DEFINITIONS[key]) for key in ("q4.contacts", "q4.referrals")),
        row_header=_("Figure"),
        columns=columns,
        rows=[
            (_("Contacts logged"), [f"years.{y}.contacts" for y in years]),
            *(
                (str(REFERRAL_LABELS[key]), [f"years.{y}.referrals.{key}" for y in years])
                for key in REFERRALS
            ),
        ],
        ledger=ledger,
    )
    return Comparison(
        title=_("The last five years"),
        years=years,
        tables=[outcomes, cases, outreach],
        definitions=[(_("Years"), str(DEFINITIONS["years"]))],
    )


# --- Answer sentences ------------------------------------------------------------------------------


def _write_answers(report: Report, question: Question) -> None:
    writers: dict[int, Callable[[Report, Question], list[str]]] = {
        1: _answer_1,
        2: _answer_2,
        3: _answer_3,
        4: _answer_4,
        5: _answer_5,
        6: _answer_6,
        7: _answer_7,
    }
    question.answer.extend(writers[question.number](report, question))


def _until(report: Report) -> str:
    period = report.statistics.period
    return "" if period.complete else " " + _("(up to %(date)s)") % {"date": _day(period.end)}


def _answer_1(report: Report, question: Question) -> list[str]:
    s, shown = report.statistics, report.ledger.shown
    year, until = s.period.year, _until(report)
    applications = shown("q1.applications")
    individuals = shown("q1.individuals")
    adults = shown("q1.adult_individuals")
    answer = []
    # Zeros are always shown, so the sentence reveals nothing the tables hide.
    all_adults = shown("q1.minors") == "0" and shown("q1.age_unknown") == "0"
    if individuals == "0":
        first = _(
            "In %(year)s%(until)s the regional coordinators, as employees of the city, did not "
            "apply for a temporary residence permit under chapter 5, section 15, second "
            "paragraph of the Aliens Act for any individual."
        )
    elif all_adults:
        first = ngettext(
            "In %(year)s%(until)s the regional coordinators, as employees of the city, "
            "applied for a temporary residence permit under chapter 5, section 15, second "
            "paragraph of the Aliens Act for %(count)s adult individual.",
            "In %(year)s%(until)s the regional coordinators, as employees of the city, "
            "applied for a temporary residence permit under chapter 5, section 15, second "
            "paragraph of the Aliens Act for %(count)s adult individuals.",
            _plural_value(individuals),
        )
    else:
        first = ngettext(
            "In %(year)s%(until)s the regional coordinators, as employees of the city, "
            "applied for a temporary residence permit under chapter 5, section 15, second "
            "paragraph of the Aliens Act for %(count)s individual%(adults)s.",
            "In %(year)s%(until)s the regional coordinators, as employees of the city, "
            "applied for a temporary residence permit under chapter 5, section 15, second "
            "paragraph of the Aliens Act for %(count)s individuals%(adults)s.",
            _plural_value(individuals),
        )
    answer.append(
        first
        % {
            "year": year,
            "until": until,
            "count": _count_word(individuals),
            "adults": _of_whom_adults(individuals, adults),
        }
    )
    if applications == "0":
        return [*answer, *_so_far(report)]
    if applications != individuals:
        answer.append(
            ngettext(
                "In all, %(count)s application was sent.",
                "In all, %(count)s applications were sent.",
                _plural_value(applications),
            )
            % {"count": _count_word(applications)}
        )
    answer.append(_outcomes(report, applications))
    answer.append(_purposes(report))
    return [*answer, *_so_far(report)]


def _of_whom_adults(individuals: str, adults: str) -> str:
    """How many of the individuals were adults, agreeing with both counts."""
    if individuals == "1" and adults.isdigit():
        return _(", an adult") if adults == "1" else _(", not an adult")
    if adults == "0":
        return _(", none of them an adult")
    return ngettext(
        ", of whom %(count)s adult", ", of whom %(count)s adults", _plural_value(adults)
    ) % {"count": _count_word(adults)}


def _outcomes(report: Report, applications: str) -> str:
    shown = report.ledger.shown
    as_of = {"date": _day(report.statistics.period.as_of)}
    outcome = {key: shown(f"q1.outcomes.{key}") for key in OUTCOMES}
    if applications == "1":
        single = next(key for key, value in outcome.items() if value == "1")
        return {
            "granted": _("The application has been granted (as of %(date)s)."),
            "rejected": _("The application has been rejected (as of %(date)s)."),
            "pending": _("The application is awaiting a decision (as of %(date)s)."),
            "withdrawn": _("The application has been withdrawn (as of %(date)s)."),
        }[single] % as_of
    parts = [
        ngettext(
            "%(count)s of the applications has been granted",
            "%(count)s of the applications have been granted",
            _plural_value(outcome["granted"]),
        )
        % {"count": _count_word(outcome["granted"], start=True)},
        ngettext(
            "%(count)s has been rejected",
            "%(count)s have been rejected",
            _plural_value(outcome["rejected"]),
        )
        % {"count": _count_word(outcome["rejected"])},
    ]
    if outcome["withdrawn"] != "0":
        parts.append(
            ngettext(
                "%(count)s has been withdrawn",
                "%(count)s have been withdrawn",
                _plural_value(outcome["withdrawn"]),
            )
            % {"count": _count_word(outcome["withdrawn"])}
        )
    if outcome["pending"] == "0":
        parts.append(_("none is awaiting a decision"))
    else:
        parts.append(
            ngettext(
                "%(count)s is awaiting a decision",
                "%(count)s are awaiting a decision",
                _plural_value(outcome["pending"]),
            )
            % {"count": _count_word(outcome["pending"])}
        )
    return _("%(list)s (as of %(date)s).") % {"list": _join(parts), **as_of}


def _purposes(report: Report) -> str:
    shown = report.ledger.shown
    sexual = shown(f"q1.purposes.{Purpose.SEXUAL}")
    labour = shown(f"q1.purposes.{Purpose.LABOUR}")
    women = shown(f"q1.purpose_by_gender.{Purpose.SEXUAL}.{Sex.FEMALE}")
    if sexual == "0":
        sentence = _("None of the applications concerns suspected trafficking for sexual purposes")
    else:
        sentence = ngettext(
            "%(count)s application concerns suspected trafficking for sexual purposes (%(who)s)",
            "%(count)s applications concern suspected trafficking for sexual purposes (%(who)s)",
            _plural_value(sexual),
        ) % {"count": _count_word(sexual, start=True), "who": _women(sexual, women)}
    if labour == "0":
        return sentence + "."
    return (
        sentence
        + " "
        + ngettext(
            "and %(count)s suspected trafficking or exploitation for labour.",
            "and %(count)s suspected trafficking or exploitation for labour.",
            _plural_value(labour),
        )
        % {"count": _count_word(labour)}
    )


def _women(sexual: str, women: str) -> str:
    if women == sexual and women.isdigit():
        return _("a woman") if women == "1" else _("all of them women")
    if women == "0":
        return _("none of them women")
    return ngettext(
        "%(count)s of them a woman", "%(count)s of them women", _plural_value(women)
    ) % {"count": _count_word(women)}


def _so_far(report: Report) -> list[str]:
    s = report.statistics
    if s.ytd_year == s.period.year and s.period.complete:
        return []
    ytd = report.ledger.shown("ytd.applications")
    return [
        ngettext(
            "So far in %(year)s (up to %(date)s), %(count)s application has been sent.",
            "So far in %(year)s (up to %(date)s), %(count)s applications have been sent.",
            _plural_value(ytd),
        )
        % {"year": s.ytd_year, "date": _day(s.period.as_of), "count": _count_word(ytd)}
    ]


def _answer_2(report: Report, question: Question) -> list[str]:
    individuals = report.ledger.shown("q2.individuals_granted")
    answer = [
        _(
            "The administration does not use the term “rights package”, but when a "
            "person is granted a temporary residence permit, the right to assistance follows."
        ),
        # Not the granted applications of question 1 (sent in the period, decided by the as-of
        # date): the sentence says what it counts, so the two never read as one figure.
        ngettext(
            "In %(year)s%(until)s, %(count)s individual was granted a permit by a decision "
            "dated in the period, whoever applied, and so had these rights activated.",
            "In %(year)s%(until)s, %(count)s individuals were granted a permit by a decision "
            "dated in the period, whoever applied, and so had these rights activated.",
            _plural_value(individuals),
        )
        % {
            "year": report.statistics.period.year,
            "until": _until(report),
            "count": _count_word(individuals),
        },
    ]
    support = question.tables[1]
    if support.shown((-1, 0)) == "0":
        answer.append(_("No support measures were started in the period."))
        return answer
    cells = [(r, label, support.shown((r, 0))) for r, (label, _keys) in enumerate(support.rows)]
    # Ranked by what is shown: a hidden count is not placed among the others.
    ranked = sorted(
        ((int(text), r, label) for r, label, text in cells if text.isdigit() and text != "0"),
        key=lambda item: (-item[0], item[1]),
    )[:3]
    if not ranked:
        answer.append(
            _("Support measures were started in the period; each count is too small to show.")
        )
        return answer
    listed = _join([f"{label.lower()} ({number_format(value)})" for value, _r, label in ranked])
    if any(text == SECONDARY for _r, _label, text in cells):
        answer.append(
            _("The most common support among the counts shown: %(list)s.") % {"list": listed}
        )
    else:
        answer.append(
            _("The most common support started in the period: %(list)s.") % {"list": listed}
        )
    return answer


def _answer_3(report: Report, question: Question) -> list[str]:
    applications = report.ledger.shown("q3.applications")
    year, until = report.statistics.period.year, _until(report)
    answer = [
        _(
            "Yes. Since 1 August 2022 the social welfare committee may apply to the Swedish "
            "Migration Agency for a reflection period (chapter 5, section 15, second "
            "paragraph of the Aliens Act), also when no criminal investigation has started. "
            "The regional coordinators do so on the committee's behalf, as employees of the "
            "city, and so exercise public authority."
        )
    ]
    if applications == "0":
        answer.append(
            _("In %(year)s%(until)s they have not applied in any case.")
            % {"year": year, "until": until}
        )
    else:
        answer.append(
            ngettext(
                "In %(year)s%(until)s they applied in %(count)s case.",
                "In %(year)s%(until)s they applied in %(count)s cases.",
                _plural_value(applications),
            )
            % {"year": year, "until": until, "count": _count_word(applications, neuter=True)}
        )
    return answer


def _answer_4(report: Report, question: Question) -> list[str]:
    s, shown = report.statistics, report.ledger.shown
    year = s.period.year
    staff = shown("q4.outreach_staff")
    contacts = shown("q4.contacts")
    made, accepted, declined = (shown(f"q4.referrals.{key}") for key in REFERRALS)
    if staff == "0":
        answer = [
            _(
                "The outreach team against prostitution and trafficking (PoM) had no members "
                "of staff in %(year)s."
            )
            % {"year": year}
        ]
    else:
        answer = [
            ngettext(
                "The outreach team against prostitution and trafficking (PoM) had %(count)s "
                "member of staff in %(year)s.",
                "The outreach team against prostitution and trafficking (PoM) had %(count)s "
                "members of staff in %(year)s.",
                _plural_value(staff),
            )
            % {"count": _count_word(staff), "year": year}
        ]
    answer.append(
        _("The team logged %(contacts)s and made %(referrals)s to the coordinators.")
        % {
            "contacts": ngettext("%(count)s contact", "%(count)s contacts", _plural_value(contacts))
            % {"count": _count_word(contacts)},
            "referrals": ngettext("%(count)s referral", "%(count)s referrals", _plural_value(made))
            % {"count": _count_word(made)},
        }
    )
    answer.append(
        _("In the period %(accepted)s and %(declined)s.")
        % {
            "accepted": ngettext(
                "%(count)s referral was accepted",
                "%(count)s referrals were accepted",
                _plural_value(accepted),
            )
            % {"count": _count_word(accepted)},
            "declined": ngettext(
                "%(count)s was declined", "%(count)s were declined", _plural_value(declined)
            )
            % {"count": _count_word(declined)},
        }
    )
    # Times in hours are not counts: publication mode leaves them out (few referrals would
    # make them one person's times).
    if s.q4.median_hours is not None and not report.publication:
        answer.append(
            _(
                "Half of the accepted referrals were accepted within %(median)s hours, nine "
                "in ten within %(p90)s hours."
            )
            % {
                "median": number_format(s.q4.median_hours, 1),
                "p90": number_format(s.q4.p90_hours or 0, 1),
            }
        )
    return answer


def _answer_5(report: Report, question: Question) -> list[str]:
    q5 = report.statistics.q5
    year, until = report.statistics.period.year, _until(report)
    if q5.trainings == 0:
        return [
            _("The unit gave no training session in %(year)s%(until)s.")
            % {"year": year, "until": until}
        ]
    return [
        ngettext(
            "The unit gave %(count)s training session in %(year)s%(until)s, with "
            "%(participants)s participants in all.",
            "The unit gave %(count)s training sessions in %(year)s%(until)s, with "
            "%(participants)s participants in all.",
            q5.trainings,
        )
        % {
            "count": _count_word(str(q5.trainings)),
            "year": year,
            "until": until,
            "participants": _count_word(str(q5.participants)),
        }
    ]


def _answer_6(report: Report, question: Question) -> list[str]:
    if question.text:
        return []
    return [_("No text has been written for this year yet (a manager writes it in Lotsa).")]


def _answer_7(report: Report, question: Question) -> list[str]:
    shown = report.ledger.shown
    year, until = report.statistics.period.year, _until(report)
    cases = shown("q7.cases")
    if cases == "0":
        return [
            _("In %(year)s%(until)s the regional coordinators worked in no case.")
            % {"year": year, "until": until}
        ]
    individuals = shown("q7.individuals")
    answer = [
        ngettext(
            "In %(year)s%(until)s the regional coordinators worked in %(count)s case "
            "(%(individuals)s).",
            "In %(year)s%(until)s the regional coordinators worked in %(count)s cases "
            "(%(individuals)s).",
            _plural_value(cases),
        )
        % {
            "year": year,
            "until": until,
            "count": _count_word(cases, neuter=True),
            "individuals": ngettext(
                "%(count)s individual", "%(count)s individuals", _plural_value(individuals)
            )
            % {"count": _count_word(individuals)},
        }
    ]
    adult, minor, relative, unknown = (shown(f"q7.by_category.{key}") for key in CATEGORIES)
    victims = []
    if adult != "0":
        victims.append(
            ngettext("%(count)s adult over 18", "%(count)s adults over 18", _plural_value(adult))
            % {"count": _count_word(adult)}
        )
    if minor != "0":
        victims.append(
            ngettext("%(count)s minor", "%(count)s minors", _plural_value(minor))
            % {"count": _count_word(minor)}
        )
    if unknown != "0":
        victims.append(
            ngettext(
                "%(count)s victim of unknown age",
                "%(count)s victims of unknown age",
                _plural_value(unknown),
            )
            % {"count": _count_word(unknown, neuter=True)}
        )
    relatives = (
        ngettext(
            "%(count)s case concerning a relative of a victim",
            "%(count)s cases concerning relatives of victims",
            _plural_value(relative),
        )
        % {"count": _count_word(relative, neuter=True)}
        if relative != "0"
        else ""
    )
    if victims and relatives:
        concerned = _("%(victims)s, and %(relatives)s") % {
            "victims": _join(victims),
            "relatives": relatives,
        }
    else:
        concerned = _join(victims) or relatives
    answer.append(_("Of these cases: %(list)s.") % {"list": concerned})
    return answer


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def _day(day: date) -> str:
    return day.isoformat()


# --- Charts ---------------------------------------------------------------------------------------


def _bar(table: Table, row: int, column: int, label: str) -> Bar:
    shown = table.shown((row, column))
    return Bar(label=label, value=int(shown) if shown.isdigit() else None, shown=shown)


def charts_for(report: Report) -> dict[int, list[Chart]]:
    """Server-rendered SVG charts per question number (drawn from the shown values)."""
    q1 = report.questions[0]
    outcomes, purposes, _age, _applicants, months = q1.tables
    month_chart = bar_chart(
        chart_id="chart-months",
        title=str(months.title),
        series=[
            Series(
                name=str(months.columns[0]),
                bars=[_bar(months, m, 0, str(MONTHS[m])) for m in range(12)],
            )
        ],
    )
    outcome_chart = bar_chart(
        chart_id="chart-outcomes",
        title=str(outcomes.title),
        series=[
            Series(
                name=str(outcomes.columns[0]),
                bars=[_bar(outcomes, r, 0, label) for r, (label, _v) in enumerate(outcomes.rows)],
            )
        ],
        width=480,
    )
    # A purpose is drawn when any of its counts is shown as more than 0 (zeros are public).
    shown_purposes = [
        r
        for r in range(len(purposes.rows))
        if any(purposes.shown((r, c)) != "0" for c in range(len(SEXES)))
    ]
    purpose_chart = bar_chart(
        chart_id="chart-purposes",
        title=str(purposes.title),
        series=[
            Series(
                name=str(purposes.columns[c]),
                bars=[_bar(purposes, r, c, purposes.rows[r][0]) for r in shown_purposes],
            )
            for c in range(len(SEXES))
        ],
    )
    return {1: [month_chart, outcome_chart, purpose_chart]}


def year_charts(report: Report) -> list[Chart]:
    """The comparison of years: applications by outcome and cases by category, a group of bars
    per year."""
    charts = []
    for table, chart_id in zip(
        report.years.tables[:2], ("chart-years-applications", "chart-years-cases"), strict=True
    ):
        charts.append(
            bar_chart(
                chart_id=chart_id,
                title=str(table.title),
                series=[
                    Series(
                        name=label,
                        bars=[_bar(table, r, c, column) for c, column in enumerate(table.columns)],
                    )
                    for r, (label, _keys) in enumerate(table.rows)
                ],
            )
        )
    return charts
