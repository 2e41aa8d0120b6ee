"""The annual report as people read it: tables, answer sentences and charts, built from the
figures in selectors.py, in internal mode (exact counts) or publication mode (small counts
hidden). The page, the PDF and the CSV all render this one object.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from casework.models import Category, Purpose, Sex, SupportType
from reflection_period.models import Applicant, LegalBasis
from reporting.charts import Bar, Series, bar_chart
from reporting.selectors import AGE_GROUPS, DEFINITIONS, SEXES, AnnualStatistics
from reporting.suppression import Cell, Grid, suppress

HIDDEN_SECONDARY = ".."

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
CATEGORY_LABELS = {
    "adult": Category.ADULT.label,
    "minor": Category.MINOR.label,
    "relative": Category.RELATIVE.label,
    "age_unknown": gettext_lazy("Victim, age unknown"),
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


@dataclass
class Table:
    """A table of counts; with totals, published only after secondary suppression."""

    key: str
    title: str
    definition: str
    row_header: str
    columns: list[str]
    rows: list[tuple[str, list[int]]]
    row_totals: bool = False
    column_totals: bool = False
    # Counts of people the unit works with are protected in publication mode; counts of staff
    # and of trainings are not about them and are shown as they are.
    protected: bool = True
    hidden: dict[Cell, str] = field(default_factory=dict)

    @property
    def grid(self) -> Grid:
        return Grid(
            tuple(tuple(values) for _label, values in self.rows),
            row_totals=self.row_totals,
            column_totals=self.column_totals,
        )

    def protect(self, k: int) -> None:
        primary, secondary = suppress(self.grid, k)
        self.hidden = dict.fromkeys(primary, f"<{k}")
        self.hidden.update(dict.fromkeys(secondary, HIDDEN_SECONDARY))

    def shown(self, cell: Cell) -> str:
        return self.hidden.get(cell, str(self.grid.value(cell)))

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


@dataclass
class Question:
    number: int
    title: str
    answer: list[str]
    tables: list[Table]
    charts: list[SafeString] = field(default_factory=list)
    definitions: list[tuple[str, str]] = field(default_factory=list)
    text: str = ""


@dataclass
class Report:
    statistics: AnnualStatistics
    publication: bool
    k: int
    questions: list[Question]

    @property
    def tables(self) -> list[Table]:
        return [table for question in self.questions for table in question.tables]


# --- Numbers in running text ----------------------------------------------------------------------


def _count_word(value: str, *, neuter: bool = False, start: bool = False) -> str:
    """A shown count in prose: "nine" for 1-9 (as Swedish reports write them), digits from
    10, "fewer than 3" for a hidden small count and "an undisclosed number" for a '..' cell."""
    if value.startswith("<"):
        text = _("fewer than %(k)s") % {"k": value[1:]}
    elif value == HIDDEN_SECONDARY:
        text = _("an undisclosed number")
    else:
        number = int(value)
        if 0 < number < 10:
            words = NEUTER_WORDS if neuter else COMMON_WORDS
            text = str(words[number - 1])
        elif number == 0:
            text = pgettext("count", "none")
        else:
            text = number_format(number)
    return capfirst(text) if start else text


# Swedish agrees the number word with the noun: "en ansökan", "ett ärende".
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
    """The number ngettext chooses a form by (hidden counts read as plural)."""
    return int(value) if value.isdigit() else 2


# --- Building the report -------------------------------------------------------------------------


def build_report(
    statistics: AnnualStatistics, *, publication: bool, k: int | None = None
) -> Report:
    k = k or settings.LOTSA_PUBLICATION_THRESHOLD
    questions = [
        _question_1(statistics),
        _question_2(statistics),
        _question_3(statistics),
        _question_4(statistics),
        _question_5(statistics),
        _question_6(statistics),
        _question_7(statistics),
    ]
    report = Report(statistics=statistics, publication=publication, k=k, questions=questions)
    if publication:
        for table in report.tables:
            if table.protected:
                table.protect(k)
    for question in questions:
        _write_answers(report, question)
    for number, charts in charts_for(report).items():
        questions[number - 1].charts = charts
    return report


def _question_1(s: AnnualStatistics) -> Question:
    q1 = s.q1
    outcomes = Table(
        key="q1_outcomes",
        title=_("Applications by outcome"),
        definition=str(DEFINITIONS["q1.outcomes"]),
        row_header=_("Outcome"),
        columns=[_("Applications")],
        rows=[(str(OUTCOME_LABELS[key]), [q1.outcomes[key]]) for key in OUTCOME_LABELS],
        column_totals=True,
    )
    purposes = Table(
        key="q1_purposes_by_sex",
        title=_("Applications by purpose and sex"),
        definition=str(DEFINITIONS["q1.purposes"]),
        row_header=_("Purpose"),
        columns=[str(Sex(sex).label) for sex in SEXES],
        rows=[
            (str(Purpose(p).label), [q1.purpose_by_gender[p][sex] for sex in SEXES])
            for p in Purpose.values
        ],
        row_totals=True,
    )
    age = Table(
        key="q1_age_by_sex",
        title=_("Applications by age at submission and sex"),
        definition=str(DEFINITIONS["q1.by_gender_age"]),
        row_header=_("Age"),
        columns=[str(Sex(sex).label) for sex in SEXES],
        rows=[
            (str(AGE_LABELS[group]), [q1.by_gender_age[sex][group] for sex in SEXES])
            for group in AGE_GROUPS
        ],
        row_totals=True,
        column_totals=True,
    )
    applicants = Table(
        key="q1_by_applicant",
        title=_("Applications known to the unit, by applicant"),
        definition=str(DEFINITIONS["q1.by_applicant"]),
        row_header=_("Applicant"),
        columns=[_("Applications")],
        rows=[(str(Applicant(a).label), [q1.by_applicant[a]]) for a in Applicant.values],
        column_totals=True,
    )
    months = Table(
        key="q1_per_month",
        title=_("Applications per month"),
        definition=str(DEFINITIONS["q1.per_month"]),
        row_header=_("Month"),
        columns=[_("Applications")],
        rows=[(str(MONTHS[m]), [q1.per_month[m]]) for m in range(12)],
        column_totals=True,
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
            (_("So far this year"), str(DEFINITIONS["ytd.applications"])),
        ],
    )


def _question_2(s: AnnualStatistics) -> Question:
    support = Table(
        key="q2_support_measures",
        title=_("Support measures started, by type"),
        definition=str(DEFINITIONS["q2.support_measures"]),
        row_header=_("Support"),
        columns=[_("Measures")],
        rows=[(str(SupportType(t).label), [s.q2.support_measures[t]]) for t in SupportType.values],
        column_totals=True,
    )
    granted = Table(
        key="q2_rights_activated",
        title=_("Individuals whose rights were activated"),
        definition=str(DEFINITIONS["q2.individuals_granted"]),
        row_header=_("Figure"),
        columns=[_("Individuals")],
        rows=[(_("Granted a permit in the period"), [s.q2.individuals_granted])],
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


def _question_3(s: AnnualStatistics) -> Question:
    basis = Table(
        key="q3_legal_basis",
        title=_("The coordinators' applications by legal basis"),
        definition=str(DEFINITIONS["q3.authority"]),
        row_header=_("Legal basis"),
        columns=[_("Applications")],
        rows=[(str(LegalBasis(b).label), [s.q3.by_legal_basis[b]]) for b in LegalBasis.values],
        column_totals=True,
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


def _question_4(s: AnnualStatistics) -> Question:
    q4 = s.q4
    staff = Table(
        key="q4_staff",
        title=_("The outreach team"),
        definition=str(DEFINITIONS["q4.outreach_staff"]),
        row_header=_("Figure"),
        columns=[_("Count")],
        rows=[(_("Outreach staff"), [q4.outreach_staff])],
        protected=False,
    )
    outreach = Table(
        key="q4_outreach",
        title=_("The outreach team's work"),
        definition=" ".join(str(DEFINITIONS[key]) for key in ("q4.contacts", "q4.referrals")),
        row_header=_("Figure"),
        columns=[_("Count")],
        rows=[
            (_("Contacts logged"), [q4.contacts]),
            (_("Referrals made"), [q4.referrals["made"]]),
            (_("Referrals accepted"), [q4.referrals["accepted"]]),
            (_("Referrals declined"), [q4.referrals["declined"]]),
        ],
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
        text=q4.routine,
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


def _question_7(s: AnnualStatistics) -> Question:
    categories = Table(
        key="q7_cases_by_category",
        title=_("Cases worked, by category"),
        definition=str(DEFINITIONS["q7.cases"]),
        row_header=_("Category"),
        columns=[_("Cases")],
        rows=[(str(label), [s.q7.by_category[key]]) for key, label in CATEGORY_LABELS.items()],
        column_totals=True,
    )
    return Question(
        number=7,
        title=_("How many cases did the regional coordinators work in during the year?"),
        answer=[],
        tables=[categories],
        definitions=[(_("Individuals"), str(DEFINITIONS["q7.individuals"]))],
    )


# --- Answer sentences ------------------------------------------------------------------------------


def _single(report: Report, value: int) -> str:
    """A figure shown on its own (not in a table): hidden when small in publication mode."""
    if report.publication and 0 < value < report.k:
        return f"<{report.k}"
    return str(value)


def _write_answers(report: Report, question: Question) -> None:
    s = report.statistics
    year = s.period.year
    until = "" if s.period.complete else " " + _("(up to %(date)s)") % {"date": _day(s.period.end)}
    if question.number == 1:
        outcomes, purposes = question.tables[0], question.tables[1]
        applications = outcomes.shown((-1, 0))
        individuals = _single(report, s.q1.individuals)
        adults = _single(report, s.q1.adults)
        all_adults = s.q1.adults == s.q1.individuals and s.q1.minors == 0
        if all_adults:
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
                "paragraph of the Aliens Act for %(count)s individual, of whom %(adults)s adults.",
                "In %(year)s%(until)s the regional coordinators, as employees of the city, "
                "applied for a temporary residence permit under chapter 5, section 15, second "
                "paragraph of the Aliens Act for %(count)s individuals, of whom %(adults)s "
                "adults.",
                _plural_value(individuals),
            )
        question.answer.append(
            first
            % {
                "year": year,
                "until": until,
                "count": _count_word(individuals),
                "adults": _count_word(adults),
            }
        )
        if applications != individuals:
            question.answer.append(
                ngettext(
                    "In all, %(count)s application was sent.",
                    "In all, %(count)s applications were sent.",
                    _plural_value(applications),
                )
                % {"count": _count_word(applications)}
            )
        granted = outcomes.shown((0, 0))
        rejected = outcomes.shown((1, 0))
        pending = outcomes.shown((2, 0))
        withdrawn = outcomes.shown((3, 0))
        parts = [
            ngettext(
                "%(count)s of the applications has been granted",
                "%(count)s of the applications have been granted",
                _plural_value(granted),
            )
            % {"count": _count_word(granted, start=True)},
            ngettext(
                "%(count)s has been rejected",
                "%(count)s have been rejected",
                _plural_value(rejected),
            )
            % {"count": _count_word(rejected)},
        ]
        if withdrawn != "0":
            parts.append(
                ngettext(
                    "%(count)s has been withdrawn",
                    "%(count)s have been withdrawn",
                    _plural_value(withdrawn),
                )
                % {"count": _count_word(withdrawn)}
            )
        parts.append(
            ngettext(
                "%(count)s is awaiting a decision",
                "%(count)s are awaiting a decision",
                _plural_value(pending),
            )
            % {"count": _count_word(pending)}
        )
        question.answer.append(
            _("%(list)s (as of %(date)s).") % {"list": _join(parts), "date": _day(s.period.as_of)}
        )
        sexual_row = Purpose.values.index(Purpose.SEXUAL)
        labour_row = Purpose.values.index(Purpose.LABOUR)
        sexual = purposes.shown((sexual_row, -1))
        labour = purposes.shown((labour_row, -1))
        women = purposes.shown((sexual_row, SEXES.index(Sex.FEMALE)))
        if sexual != "0":
            who = (
                _("all of them women")
                if women == sexual and sexual.isdigit()
                else _("%(count)s of them women") % {"count": _count_word(women)}
            )
            question.answer.append(
                ngettext(
                    "%(count)s application concerns suspected trafficking for sexual purposes "
                    "(%(who)s)",
                    "%(count)s applications concern suspected trafficking for sexual purposes "
                    "(%(who)s)",
                    _plural_value(sexual),
                )
                % {"count": _count_word(sexual, start=True), "who": who}
                + (
                    " "
                    + ngettext(
                        "and %(count)s suspected trafficking or exploitation for labour.",
                        "and %(count)s suspected trafficking or exploitation for labour.",
                        _plural_value(labour),
                    )
                    % {"count": _count_word(labour)}
                    if labour != "0"
                    else "."
                )
            )
        ytd = _single(report, s.ytd_applications)
        if s.ytd_year != year or not s.period.complete:
            question.answer.append(
                ngettext(
                    "So far in %(year)s (up to %(date)s), %(count)s application has been sent.",
                    "So far in %(year)s (up to %(date)s), %(count)s applications have been sent.",
                    _plural_value(ytd),
                )
                % {"year": s.ytd_year, "date": _day(s.period.as_of), "count": _count_word(ytd)}
            )
    elif question.number == 2:
        individuals = question.tables[0].shown((0, 0))
        question.answer.append(
            _(
                "The administration does not use the term “rights package”, but when a "
                "person is granted a temporary residence permit, the right to assistance follows."
            )
        )
        question.answer.append(
            ngettext(
                "In %(year)s%(until)s, %(count)s individual was granted a permit and so had these "
                "rights activated.",
                "In %(year)s%(until)s, %(count)s individuals were granted a permit and so had these "
                "rights activated.",
                _plural_value(individuals),
            )
            % {"year": year, "until": until, "count": _count_word(individuals)}
        )
        support = question.tables[1]
        top = sorted(
            (
                (values[0], label, support.shown((r, 0)))
                for r, (label, values) in enumerate(support.rows)
                if values[0]
            ),
            reverse=True,
        )[:3]
        if top:
            question.answer.append(
                _("The most common support started in the period: %(list)s.")
                % {
                    "list": _join(
                        [f"{str(label).lower()} ({shown})" for _value, label, shown in top]
                    )
                }
            )
    elif question.number == 3:
        applications = question.tables[0].shown((-1, 0))
        question.answer.append(
            _(
                "Yes. Since 1 August 2022 the social welfare committee may apply to the Swedish "
                "Migration Agency for a reflection period (chapter 5, section 15, second "
                "paragraph of the Aliens Act), also when no criminal investigation has started. "
                "The regional coordinators do so on the committee's behalf, as employees of the "
                "city, and so exercise public authority."
            )
        )
        question.answer.append(
            ngettext(
                "In %(year)s%(until)s they applied in %(count)s case.",
                "In %(year)s%(until)s they applied in %(count)s cases.",
                _plural_value(applications),
            )
            % {"year": year, "until": until, "count": _count_word(applications, neuter=True)}
        )
    elif question.number == 4:
        staff = question.tables[0].shown((0, 0))
        table = question.tables[1]
        question.answer.append(
            ngettext(
                "The outreach team against prostitution and trafficking (PoM) had %(count)s "
                "member of staff in %(year)s.",
                "The outreach team against prostitution and trafficking (PoM) had %(count)s "
                "members of staff in %(year)s.",
                _plural_value(staff),
            )
            % {"count": _count_word(staff), "year": year}
        )
        question.answer.append(
            _(
                "The team logged %(contacts)s contacts and made %(made)s referrals to the "
                "coordinators, of which %(accepted)s were accepted and %(declined)s declined in "
                "the period."
            )
            % {
                "contacts": table.shown((0, 0)),
                "made": table.shown((1, 0)),
                "accepted": table.shown((2, 0)),
                "declined": table.shown((3, 0)),
            }
        )
        if s.q4.median_hours is not None and not report.publication:
            question.answer.append(
                _(
                    "Half of the accepted referrals were accepted within %(median)s hours, nine "
                    "in ten within %(p90)s hours."
                )
                % {
                    "median": number_format(s.q4.median_hours, 1),
                    "p90": number_format(s.q4.p90_hours or 0, 1),
                }
            )
    elif question.number == 5:
        q5 = s.q5
        question.answer.append(
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
                "participants": q5.participants,
            }
        )
    elif question.number == 6:
        if not question.text:
            question.answer.append(
                _("No text has been written for this year yet (a manager writes it in Lotsa).")
            )
    elif question.number == 7:
        table = question.tables[0]
        total = table.shown((-1, 0))
        individuals = _single(report, s.q7.individuals)
        question.answer.append(
            ngettext(
                "In %(year)s%(until)s the regional coordinators worked in %(count)s case "
                "(%(individuals)s individuals).",
                "In %(year)s%(until)s the regional coordinators worked in %(count)s cases "
                "(%(individuals)s individuals).",
                _plural_value(total),
            )
            % {"year": year, "until": until, "count": total, "individuals": individuals}
        )
        adult, minor, relative, unknown = (table.shown((r, 0)) for r in range(4))
        sentence = _("Of these, %(adult)s concerned adults and %(minor)s minors") % {
            "adult": _count_word(adult, neuter=True),
            "minor": _count_word(minor, neuter=True),
        }
        if unknown != "0":
            sentence += ", " + _("%(count)s victims of unknown age") % {
                "count": _count_word(unknown, neuter=True)
            }
        if relative != "0":
            sentence += " " + ngettext(
                "and %(count)s case concerned a relative of a victim",
                "and %(count)s cases concerned relatives of victims",
                _plural_value(relative),
            ) % {"count": _count_word(relative, neuter=True)}
        question.answer.append(sentence + ".")


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return _("%(first)s and %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def _day(day: date) -> str:
    return day.isoformat()


# --- Charts ---------------------------------------------------------------------------------------


def charts_for(report: Report) -> dict[int, list[SafeString]]:
    """Server-rendered SVG charts per question number (drawn from the shown values)."""
    q1 = report.questions[0]
    outcomes, purposes, _age, _applicants, months = q1.tables

    def bar(table: Table, row: int, column: int, label: str) -> Bar:
        shown = table.shown((row, column))
        return Bar(label=label, value=int(shown) if shown.isdigit() else None, shown=shown)

    month_chart = bar_chart(
        chart_id="chart-months",
        title=str(months.title),
        series=[
            Series(
                name=str(months.columns[0]),
                bars=[bar(months, m, 0, str(MONTHS[m])) for m in range(12)],
            )
        ],
    )
    outcome_chart = bar_chart(
        chart_id="chart-outcomes",
        title=str(outcomes.title),
        series=[
            Series(
                name=str(outcomes.columns[0]),
                bars=[bar(outcomes, r, 0, label) for r, (label, _v) in enumerate(outcomes.rows)],
            )
        ],
        width=480,
    )
    shown_purposes = [r for r, (_label, values) in enumerate(purposes.rows) if any(values)]
    purpose_chart = bar_chart(
        chart_id="chart-purposes",
        title=str(purposes.title),
        series=[
            Series(
                name=str(purposes.columns[c]),
                bars=[bar(purposes, r, c, purposes.rows[r][0]) for r in shown_purposes],
            )
            for c in range(len(SEXES))
        ],
    )
    return {1: [month_chart, outcome_chart, purpose_chart]}
