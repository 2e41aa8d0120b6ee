"""The annual statistics: every figure of DESIGN.md §4, computed with SQL aggregates.

One function, `annual_statistics(year=..., as_of=...)`, runs a fixed number of queries whatever
the amount of data and returns plain numbers; the report page, the CSV, the PDF, the JSON and
the manager's start page all read them from here. The definitions live next to the code that
computes them (DEFINITIONS), and are printed with every figure.

A report covers the period P = [1 January Y, min(31 December Y, A)] and evaluates states as of
the date A: an application decided after A is still pending in a report as of A.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from casework.models import Case, Category, Purpose, Sex, SupportMeasure, SupportType
from outreach.models import OutreachContact, Referral, ReferralStatus
from outreach.selectors import acceptance_times
from reflection_period.models import (
    Applicant,
    ApplicationPurpose,
    LegalBasis,
    ReflectionPeriodApplication,
    Status,
)
from reporting.cache import cached_overview, cached_statistics
from reporting.models import ReportNarrative, Training

ADULT_AGE = 18
SEXES: list[str] = [str(Sex.FEMALE), str(Sex.MALE), str(Sex.OTHER), str(Sex.UNKNOWN)]
AGE_GROUPS = ["adult", "minor", "unknown"]


@dataclass(frozen=True)
class Period:
    year: int
    as_of: date

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        return min(date(self.year, 12, 31), self.as_of)

    @property
    def complete(self) -> bool:
        return self.as_of >= date(self.year, 12, 31)

    def start_moment(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    def end_moment(self) -> datetime:
        """The first moment after the period (exclusive bound for timestamps)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


def report_period(*, year: int, as_of: date) -> Period:
    if as_of < date(year, 1, 1):
        raise ValueError("the as-of date is before the report year")
    return Period(year=year, as_of=as_of)


# What each figure means, as printed with it (DESIGN.md §4 is the contract).
DEFINITIONS: dict[str, Any] = {
    "period": _(
        "The period runs from 1 January of the year to 31 December, or to the as-of date if "
        "that is earlier. States (decisions, withdrawals) are counted as they stood on the "
        "as-of date."
    ),
    "q1.applications": _(
        "Applications for a reflection period made by the social welfare committee through the "
        "regional coordinators (applicant: social services) with a submission date in the "
        "period. Drafts that were never sent are not counted."
    ),
    "q1.individuals": _("Different individuals among those applications."),
    "q1.adult_individuals": _(
        "Different individuals among the applications sent when the person was 18 or older "
        "(the adults the answer counts: people, not applications)."
    ),
    "q1.outcomes": _(
        "The outcome of those applications as of the as-of date: granted or rejected when the "
        "decision is dated on or before it, withdrawn when withdrawn on or before it, otherwise "
        "pending (awaiting a decision)."
    ),
    "q1.purposes": _(
        "Applications by suspected purpose of exploitation. An application with several "
        "purposes counts under each, so the purposes add up to more than the applications. "
        "Labour covers suspected trafficking or exploitation (BrB 4:1 a or 4:1 b) for labour."
    ),
    "q1.by_gender_age": _(
        "Applications by the person's sex and age when the application was sent (adult: 18 or "
        "older; age from the date of birth or, if only that is known, the estimated birth year)."
    ),
    "q1.by_applicant": _(
        "All applications known to the unit with a submission date in the period, by applicant: "
        "the social welfare committee (through the coordinators), and the police or a "
        "prosecutor (heads of preliminary investigations), whose applications the unit records."
    ),
    "q1.per_month": _("Applications by the social welfare committee by month of submission."),
    "ytd.applications": _(
        "Applications by the social welfare committee with a submission date from 1 January of "
        "the as-of date's year up to and including the as-of date."
    ),
    "q2.individuals_granted": _(
        "Different individuals with a granted application (any applicant) whose decision is "
        "dated in the period: from the decision the person has the rights of the reflection "
        "period (health care and assistance under the Social Services Act, protection from "
        "expulsion)."
    ),
    "q2.support_measures": _(
        "Support measures started in the period, by type, in all of the unit's cases."
    ),
    "q3.authority": _(
        "Applications in the period made by the regional coordinators on behalf of the social "
        "welfare committee (the same as question 1), by legal basis."
    ),
    "q4.outreach_staff": _(
        "Staff with the outreach role who logged or took part in a contact in the period, or "
        "who were active staff members at the end of it."
    ),
    "q4.contacts": _("Outreach contacts dated in the period."),
    "q4.referrals": _(
        "Referrals from outreach to the coordinators: made (referred in the period), accepted "
        "(accepted in the period) and declined (declined in the period)."
    ),
    "q4.median_hours": _(
        "Median and 90th percentile of the hours from referral to acceptance, for the referrals "
        "accepted in the period."
    ),
    "q5.trainings": _("Training sessions given by the unit and dated in the period."),
    "q7.cases": _(
        "Cases worked in the period: opened on or before its last day and not closed before its "
        "first day, by the case's category as it is recorded now (a category changed after the "
        "case was opened counts as changed). Victims whose age is not known (no date of birth "
        "or birth year) are counted as age unknown."
    ),
    "q7.individuals": _("Different individuals among those cases."),
    "publication": _(
        "A “..” is a count hidden so that no hidden count can be computed from everything the "
        "report publishes together: every table, every figure in the answers, the CSV files "
        "and the JSON, knowing that the same figure appears in several places, that totals are "
        "sums, that some counts cannot exceed others and that a “<k” lies between 1 and k−1. "
        "A figure is hidden the same way wherever it appears. Which further count is hidden "
        "follows a fixed rule: among the shown counts that share a sum with the count to "
        "protect, the first whose hiding protects it, trying first those that are part of the "
        "fewest sums, then the smallest; when none is enough on its own, a “<k” of the sum is "
        "shown as “..” instead. Zeros are shown, and so are the numbers of outreach staff, "
        "trainings and participants, which are not about the people the unit works with; "
        "times to acceptance are left out."
    ),
    "years": _(
        "The same figures for each of the last five years up to the report's year: each year "
        "from 1 January to 31 December (the report's year up to the as-of date), with the "
        "outcomes of applications as they stood on the as-of date."
    ),
}


@dataclass
class Q1:
    applications: int
    individuals: int
    outcomes: dict[str, int]
    purposes: dict[str, int]
    sexual_by_gender: dict[str, int]
    purpose_by_gender: dict[str, dict[str, int]]
    by_gender_age: dict[str, dict[str, int]]
    adults: int
    minors: int
    adult_individuals: int
    by_applicant: dict[str, int]
    police_applications: int
    per_month: list[int]


@dataclass
class Q2:
    individuals_granted: int
    support_measures: dict[str, int]


@dataclass
class Q3:
    applications: int
    by_legal_basis: dict[str, int]


@dataclass
class Q4:
    outreach_staff: int
    contacts: int
    referrals: dict[str, int]
    median_hours: float | None
    p90_hours: float | None
    routine: str


@dataclass
class TrainingRow:
    held_on: date
    title: str
    audience: str
    organiser: str
    participants: int


@dataclass
class Q5:
    trainings: int
    participants: int
    sessions: list[TrainingRow]


@dataclass
class Q7:
    cases: int
    individuals: int
    by_category: dict[str, int]


@dataclass
class Narrative:
    introduction: str = ""
    outreach_routine: str = ""
    organisational_changes: str = ""
    updated_by: str = ""
    updated_at: datetime | None = None


@dataclass
class AnnualStatistics:
    period: Period
    q1: Q1
    q2: Q2
    q3: Q3
    q4: Q4
    q5: Q5
    q7: Q7
    ytd_year: int
    ytd_applications: int
    narrative: Narrative = field(default_factory=Narrative)

    def as_json(self) -> dict[str, Any]:
        """The figures as a JSON-able dict (the `annual_report --format json` contract)."""
        q1, q2, q4, q5, q7 = self.q1, self.q2, self.q4, self.q5, self.q7
        return {
            "year": self.period.year,
            "as_of": self.period.as_of.isoformat(),
            "period": {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "q1": {
                "applications": q1.applications,
                "individuals": q1.individuals,
                "adults": q1.adults,
                "minors": q1.minors,
                "adult_individuals": q1.adult_individuals,
                "outcomes": q1.outcomes,
                "purposes": q1.purposes,
                "sexual_by_gender": q1.sexual_by_gender,
                "purpose_by_gender": q1.purpose_by_gender,
                "by_gender_age": q1.by_gender_age,
                "by_applicant": q1.by_applicant,
                "police_applications": q1.police_applications,
                "per_month": q1.per_month,
            },
            "q2": {
                "individuals_granted": q2.individuals_granted,
                "support_measures": q2.support_measures,
            },
            "q3": {
                "applications": self.q3.applications,
                "by_legal_basis": self.q3.by_legal_basis,
            },
            "q4": {
                "outreach_staff": q4.outreach_staff,
                "contacts": q4.contacts,
                "referrals": q4.referrals,
                "median_hours_to_acceptance": q4.median_hours,
                "p90_hours_to_acceptance": q4.p90_hours,
            },
            "q5": {
                "trainings": q5.trainings,
                "participants": q5.participants,
                "sessions": [
                    {
                        "date": row.held_on.isoformat(),
                        "title": row.title,
                        "audience": row.audience,
                        "organiser": row.organiser,
                        "participants": row.participants,
                    }
                    for row in q5.sessions
                ],
            },
            "q7": {
                "cases": q7.cases,
                "individuals": q7.individuals,
                "by_category": q7.by_category,
            },
            "ytd": {"year": self.ytd_year, "applications": self.ytd_applications},
        }


def _age_group(age: int | None) -> str:
    if age is None:
        return "unknown"
    return "adult" if age >= ADULT_AGE else "minor"


# The definitions as filters, shared by the year's report and the comparison of years.


def _submitted_in(period: Period) -> Q:
    return Q(submitted_on__gte=period.start, submitted_on__lte=period.end)


def _outcome_filters(period: Period) -> dict[str, Q]:
    """Decided or withdrawn as of the as-of date; the rest of the period's applications are
    pending."""
    as_of = period.as_of
    return {
        "granted": Q(status=Status.GRANTED, decided_on__lte=as_of),
        "rejected": Q(status=Status.REJECTED, decided_on__lte=as_of),
        "withdrawn": Q(status=Status.WITHDRAWN, withdrawn_on__lte=as_of),
    }


def _sex_filter(sex: str) -> Q:
    # The sex is recorded when an application is sent; one without it counts as unknown, as
    # in the purposes by sex, so that the table by age and sex adds up to the applications.
    if sex == Sex.UNKNOWN:
        return Q(person_sex=sex) | Q(person_sex="")
    return Q(person_sex=sex)


def _worked_in(period: Period) -> Q:
    return Q(opened_on__lte=period.end) & ~Q(closed_on__lt=period.start)


def _category_filters() -> dict[str, Q]:
    age_known = Q(individual__date_of_birth__isnull=False) | Q(individual__birth_year__isnull=False)
    victim = ~Q(category=Category.RELATIVE)
    return {
        "adult": Q(category=Category.ADULT) & age_known,
        "minor": Q(category=Category.MINOR) & age_known,
        "relative": Q(category=Category.RELATIVE),
        "age_unknown": victim & ~age_known,
    }


def _referral_filters(period: Period) -> dict[str, Q]:
    start, end = period.start_moment(), period.end_moment()
    return {
        "made": Q(referred_at__gte=start, referred_at__lt=end),
        "accepted": Q(status=ReferralStatus.ACCEPTED, accepted_at__gte=start, accepted_at__lt=end),
        "declined": Q(status=ReferralStatus.DECLINED, declined_at__gte=start, declined_at__lt=end),
    }


def _q1(period: Period) -> tuple[Q1, Q3]:
    applications = ReflectionPeriodApplication.objects.filter(_submitted_in(period))
    social = applications.filter(applicant=Applicant.SOCIAL_SERVICES)

    outcomes = _outcome_filters(period)
    adult = Q(person_age__gte=ADULT_AGE)
    minor = Q(person_age__lt=ADULT_AGE)
    unknown_age = Q(person_age__isnull=True)
    age_filters = {"adult": adult, "minor": minor, "unknown": unknown_age}
    # Query 1: every count over the social-services applications of the period.
    counts = social.aggregate(
        applications=Count("pk"),
        individuals=Count("case__individual", distinct=True),
        adult_individuals=Count("case__individual", distinct=True, filter=adult),
        **{key: Count("pk", filter=condition) for key, condition in outcomes.items()},
        **{
            f"{sex}_{group}": Count("pk", filter=_sex_filter(sex) & condition)
            for sex in SEXES
            for group, condition in age_filters.items()
        },
        **{
            f"basis_{basis}": Count("pk", filter=Q(legal_basis=basis))
            for basis in LegalBasis.values
        },
    )
    # Query 2: purposes by sex (an application counts once per purpose).
    purpose_rows = (
        ApplicationPurpose.objects.filter(application__in=social)
        .values("purpose", "application__person_sex")
        .annotate(n=Count("application", distinct=True))
    )
    purpose_by_gender = {p: dict.fromkeys(SEXES, 0) for p in Purpose.values}
    for row in purpose_rows:
        sex = row["application__person_sex"] or str(Sex.UNKNOWN)
        purpose_by_gender[row["purpose"]][sex] += row["n"]
    # Query 3: all applicants.
    by_applicant = dict.fromkeys(Applicant.values, 0)
    for row in applications.values("applicant").annotate(n=Count("pk")):
        by_applicant[row["applicant"]] = row["n"]
    # Query 4: per month.
    per_month = [0] * 12
    for row in (
        social.annotate(month=ExtractMonth("submitted_on")).values("month").annotate(n=Count("pk"))
    ):
        per_month[row["month"] - 1] = row["n"]

    decided = counts["granted"] + counts["rejected"] + counts["withdrawn"]
    by_gender_age = {
        sex: {group: counts[f"{sex}_{group}"] for group in AGE_GROUPS} for sex in SEXES
    }
    q1 = Q1(
        applications=counts["applications"],
        individuals=counts["individuals"],
        outcomes={
            "granted": counts["granted"],
            "rejected": counts["rejected"],
            "pending": counts["applications"] - decided,
            "withdrawn": counts["withdrawn"],
        },
        purposes={p: sum(purpose_by_gender[p].values()) for p in Purpose.values},
        sexual_by_gender=dict(purpose_by_gender[Purpose.SEXUAL]),
        purpose_by_gender=purpose_by_gender,
        by_gender_age=by_gender_age,
        adults=sum(by_gender_age[sex]["adult"] for sex in SEXES),
        minors=sum(by_gender_age[sex]["minor"] for sex in SEXES),
        adult_individuals=counts["adult_individuals"],
        by_applicant=by_applicant,
        police_applications=by_applicant[Applicant.POLICE] + by_applicant[Applicant.PROSECUTOR],
        per_month=per_month,
    )
    q3 = Q3(
        applications=counts["applications"],
        by_legal_basis={basis: counts[f"basis_{basis}"] for basis in LegalBasis.values},
    )
    return q1, q3


def _q2(period: Period) -> Q2:
    granted_in_period = ReflectionPeriodApplication.objects.filter(
        status=Status.GRANTED, decided_on__gte=period.start, decided_on__lte=period.end
    )
    individuals = granted_in_period.aggregate(n=Count("case__individual", distinct=True))["n"]
    support = dict.fromkeys(SupportType.values, 0)
    for row in (
        SupportMeasure.objects.filter(started_on__gte=period.start, started_on__lte=period.end)
        .values("type")
        .annotate(n=Count("pk"))
    ):
        support[row["type"]] = row["n"]
    return Q2(individuals_granted=individuals, support_measures=support)


def _q4(period: Period, routine: str) -> Q4:
    start, end = period.start_moment(), period.end_moment()
    in_period = Q(contacted_at__gte=start, contacted_at__lt=end)
    # Staff present at a contact in the period: a subquery over the period's contacts. (A join
    # inside the OR read every contact of every outreach worker: 200,000 at national scale.)
    present = OutreachContact.staff.through.objects.filter(
        outreachcontact__contacted_at__gte=start, outreachcontact__contacted_at__lt=end
    ).values("user_id")
    staff = (
        User.objects.filter(groups__name=Role.OUTREACH)
        .filter(Q(pk__in=present) | Q(is_active=True, date_joined__lt=end))
        .aggregate(n=Count("pk", distinct=True))["n"]
    )
    contacts = OutreachContact.objects.filter(in_period).count()
    referrals = Referral.objects.aggregate(
        **{
            key: Count("pk", filter=condition)
            for key, condition in _referral_filters(period).items()
        }
    )
    times = acceptance_times(Referral.objects.filter(accepted_at__gte=start, accepted_at__lt=end))
    overall = times[-1] if times else None
    return Q4(
        outreach_staff=staff,
        contacts=contacts,
        referrals=referrals,
        median_hours=overall.median_hours if overall else None,
        p90_hours=overall.p90_hours if overall else None,
        routine=routine,
    )


def _q5(period: Period) -> Q5:
    sessions = [
        TrainingRow(t.held_on, t.title, t.audience, t.organiser, t.participants)
        for t in Training.objects.filter(
            held_on__gte=period.start, held_on__lte=period.end
        ).order_by("held_on", "pk")
    ]
    return Q5(
        trainings=len(sessions),
        participants=sum(row.participants for row in sessions),
        sessions=sessions,
    )


def _q7(period: Period) -> Q7:
    worked = Case.objects.filter(_worked_in(period))
    counts = worked.aggregate(
        cases=Count("pk"),
        individuals=Count("individual", distinct=True),
        **{key: Count("pk", filter=condition) for key, condition in _category_filters().items()},
    )
    return Q7(
        cases=counts["cases"],
        individuals=counts["individuals"],
        by_category={key: counts[key] for key in ("adult", "minor", "relative", "age_unknown")},
    )


def _ytd(as_of: date) -> int:
    return ReflectionPeriodApplication.objects.filter(
        applicant=Applicant.SOCIAL_SERVICES,
        submitted_on__gte=date(as_of.year, 1, 1),
        submitted_on__lte=as_of,
    ).count()


def _narrative(year: int) -> Narrative:
    record = ReportNarrative.objects.filter(year=year).select_related("updated_by").first()
    if record is None:
        return Narrative()
    return Narrative(
        introduction=record.introduction,
        outreach_routine=record.outreach_routine,
        organisational_changes=record.organisational_changes,
        updated_by=str(record.updated_by),
        updated_at=record.updated_at,
    )


def annual_statistics(*, year: int, as_of: date | None = None) -> AnnualStatistics:
    """All figures of the annual report for `year` as of `as_of` (default today); cached until
    the data changes (reporting.cache)."""
    as_of = as_of or timezone.localdate()
    return cached_statistics(year, as_of, lambda: _annual_statistics(year=year, as_of=as_of))


def _annual_statistics(*, year: int, as_of: date) -> AnnualStatistics:
    period = report_period(year=year, as_of=as_of)
    narrative = _narrative(year)
    q1, q3 = _q1(period)
    return AnnualStatistics(
        period=period,
        q1=q1,
        q2=_q2(period),
        q3=q3,
        q4=_q4(period, narrative.outreach_routine),
        q5=_q5(period),
        q7=_q7(period),
        ytd_year=period.as_of.year,
        ytd_applications=_ytd(period.as_of),
        narrative=narrative,
    )


# --- The last five years ---------------------------------------------------------------------------

COMPARISON_YEARS = 5
OUTCOMES = ["granted", "rejected", "pending", "withdrawn"]
CATEGORIES = ["adult", "minor", "relative", "age_unknown"]
REFERRALS = ["made", "accepted", "declined"]


@dataclass
class YearFigures:
    """One year of the comparison: the figures of questions 1, 4 and 7 with the same
    definitions, the year from 1 January to 31 December (or the as-of date)."""

    period: Period
    applications: int
    outcomes: dict[str, int]
    cases: int
    by_category: dict[str, int]
    contacts: int
    referrals: dict[str, int]

    @property
    def year(self) -> int:
        return self.period.year


@dataclass
class YearlyComparison:
    as_of: date
    years: list[YearFigures]

    def as_json(self) -> dict[str, Any]:
        return {
            str(figures.year): {
                "period": {
                    "start": figures.period.start.isoformat(),
                    "end": figures.period.end.isoformat(),
                },
                "applications": figures.applications,
                "outcomes": figures.outcomes,
                "cases": figures.cases,
                "by_category": figures.by_category,
                "contacts": figures.contacts,
                "referrals": figures.referrals,
            }
            for figures in self.years
        }


def yearly_comparison(*, year: int, as_of: date | None = None) -> YearlyComparison:
    """Applications by outcome, cases by category, contacts and referrals for the five years up
    to `year`, as of `as_of`; cached with the statistics."""
    as_of = as_of or timezone.localdate()
    return cached_statistics(
        f"years:{year}", as_of, lambda: _yearly_comparison(year=year, as_of=as_of)
    )


def _yearly_comparison(*, year: int, as_of: date) -> YearlyComparison:
    """Four queries whatever the number of rows: one per kind, a count per year and figure."""
    periods = [
        report_period(year=y, as_of=as_of) for y in range(year - COMPARISON_YEARS + 1, year + 1)
    ]
    social = ReflectionPeriodApplication.objects.filter(applicant=Applicant.SOCIAL_SERVICES)
    applications = social.aggregate(
        **{
            f"{p.year}_{key}": Count("pk", filter=_submitted_in(p) & condition)
            for p in periods
            for key, condition in [("all", Q()), *_outcome_filters(p).items()]
        }
    )
    cases = Case.objects.aggregate(
        **{
            f"{p.year}_{key}": Count("pk", filter=_worked_in(p) & condition)
            for p in periods
            for key, condition in [("all", Q()), *_category_filters().items()]
        }
    )
    contacts = OutreachContact.objects.aggregate(
        **{
            f"{p.year}": Count(
                "pk", filter=Q(contacted_at__gte=p.start_moment(), contacted_at__lt=p.end_moment())
            )
            for p in periods
        }
    )
    referrals = Referral.objects.aggregate(
        **{
            f"{p.year}_{key}": Count("pk", filter=condition)
            for p in periods
            for key, condition in _referral_filters(p).items()
        }
    )
    years = []
    for p in periods:
        y = p.year
        decided = sum(applications[f"{y}_{key}"] for key in ("granted", "rejected", "withdrawn"))
        years.append(
            YearFigures(
                period=p,
                applications=applications[f"{y}_all"],
                outcomes={
                    "granted": applications[f"{y}_granted"],
                    "rejected": applications[f"{y}_rejected"],
                    "pending": applications[f"{y}_all"] - decided,
                    "withdrawn": applications[f"{y}_withdrawn"],
                },
                cases=cases[f"{y}_all"],
                by_category={key: cases[f"{y}_{key}"] for key in CATEGORIES},
                contacts=contacts[f"{y}"],
                referrals={key: referrals[f"{y}_{key}"] for key in REFERRALS},
            )
        )
    return YearlyComparison(as_of=as_of, years=years)


# --- The year so far on the manager's start page ---------------------------------------------------


def year_overview(*, year: int, as_of: date | None = None) -> YearFigures:
    """What the manager's start page shows of `year` as of `as_of` (default today): applications
    by outcome, cases worked by category, contacts and referrals, with the annual report's
    definitions. Three small queries, one per card, each cached under a generation of its own
    that only its own models retire (reporting.cache): a contact logged recomputes the outreach
    card, a new case the cases card, and a write none of them reads (a journal entry) nothing.
    The whole year's statistics were recomputed after any write: 0.3 s at national scale."""
    as_of = as_of or timezone.localdate()
    period = report_period(year=year, as_of=as_of)
    applications = cached_overview(
        "applications", year, as_of, lambda: _overview_applications(period)
    )
    cases = cached_overview("cases", year, as_of, lambda: _overview_cases(period))
    outreach = cached_overview("outreach", year, as_of, lambda: _overview_outreach(period))
    decided = sum(applications[key] for key in ("granted", "rejected", "withdrawn"))
    return YearFigures(
        period=period,
        applications=applications["all"],
        outcomes={
            "granted": applications["granted"],
            "rejected": applications["rejected"],
            "pending": applications["all"] - decided,
            "withdrawn": applications["withdrawn"],
        },
        cases=cases["all"],
        by_category={key: cases[key] for key in CATEGORIES},
        contacts=outreach["contacts"],
        referrals={key: outreach[key] for key in REFERRALS},
    )


def _overview_applications(period: Period) -> dict[str, int]:
    return ReflectionPeriodApplication.objects.filter(
        _submitted_in(period), applicant=Applicant.SOCIAL_SERVICES
    ).aggregate(
        all=Count("pk"),
        **{
            key: Count("pk", filter=condition)
            for key, condition in _outcome_filters(period).items()
        },
    )


def _overview_cases(period: Period) -> dict[str, int]:
    return Case.objects.filter(_worked_in(period)).aggregate(
        all=Count("pk"),
        **{key: Count("pk", filter=condition) for key, condition in _category_filters().items()},
    )


def _overview_outreach(period: Period) -> dict[str, int]:
    start, end = period.start_moment(), period.end_moment()
    filters = _referral_filters(period)
    in_period = filters["made"] | filters["accepted"] | filters["declined"]
    counts: dict[str, int] = Referral.objects.filter(in_period).aggregate(
        **{key: Count("pk", filter=condition) for key, condition in filters.items()}
    )
    counts["contacts"] = OutreachContact.objects.filter(
        contacted_at__gte=start, contacted_at__lt=end
    ).count()
    return counts
