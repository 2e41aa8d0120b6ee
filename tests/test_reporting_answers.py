"""Every generated sentence of the annual report reads right in Swedish for 0, 1, 2 and many:
the number word agrees with its noun ("en ansökan", "ett ärende", "ingen ansökan"), and the
noun with the number ("en individ", "två individer").

The figures are built in memory (consistent with each other, as the report's ledger demands),
so each template is tested on exactly the value that matters.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from casework.models import Purpose, SupportType
from reporting.report import build_report
from reporting.selectors import (
    Q1,
    Q2,
    Q3,
    Q4,
    Q5,
    Q7,
    AnnualStatistics,
    Period,
    TrainingRow,
    YearFigures,
    YearlyComparison,
)

A = date(2025, 3, 31)
PURPOSES = list(Purpose.values)
LAW = "enligt 5 kap. 15 § 2 st. utlänningslagen"


def statistics(
    *,
    applications=14,
    men=0,
    minors=0,
    individuals=None,
    adult_individuals=None,
    outcomes=None,
    sexual=None,
    women=None,
    labour=0,
    ytd=1,
    granted_individuals=12,
    support=None,
    staff=2,
    contacts=10,
    referrals=(5, 4, 1),
    trainings=2,
    participants=40,
    categories=(125, 17, 1, 0),
    case_individuals=None,
):
    """Figures for 2024 as of 31 March 2025 that add up: `applications` sent by the city, `men`
    of them for men and `minors` for minors (the rest for adult women), one per individual
    unless said otherwise."""
    women_applications = applications - men
    by_gender_age = {
        "female": {"adult": women_applications - minors, "minor": minors, "unknown": 0},
        "male": {"adult": men, "minor": 0, "unknown": 0},
        "other": {"adult": 0, "minor": 0, "unknown": 0},
        "unknown": {"adult": 0, "minor": 0, "unknown": 0},
    }
    sexual = women_applications if sexual is None else sexual
    women = sexual if women is None else women
    purpose_by_gender = {p: {"female": 0, "male": 0, "other": 0, "unknown": 0} for p in PURPOSES}
    purpose_by_gender["sexual"].update(female=women, male=sexual - women)
    purpose_by_gender["labour"]["male"] = labour
    outcomes = outcomes or {"granted": applications, "rejected": 0, "pending": 0, "withdrawn": 0}
    individuals = applications if individuals is None else individuals
    adult_individuals = individuals - minors if adult_individuals is None else adult_individuals
    per_month = [applications] + [0] * 11
    support = support or {"rights_information": 3}
    support_measures = dict.fromkeys(SupportType.values, 0)
    support_measures.update(support)
    by_category = dict(zip(["adult", "minor", "relative", "age_unknown"], categories, strict=True))
    cases = sum(categories)
    period = Period(year=2024, as_of=A)
    made, accepted, declined = referrals
    stats = AnnualStatistics(
        period=period,
        q1=Q1(
            applications=applications,
            individuals=individuals,
            outcomes=outcomes,
            purposes={p: sum(purpose_by_gender[p].values()) for p in PURPOSES},
            sexual_by_gender=dict(purpose_by_gender["sexual"]),
            purpose_by_gender=purpose_by_gender,
            by_gender_age=by_gender_age,
            adults=applications - minors,
            minors=minors,
            adult_individuals=adult_individuals,
            by_applicant={"social_services": applications, "police": 0, "prosecutor": 0},
            police_applications=0,
            per_month=per_month,
        ),
        q2=Q2(individuals_granted=granted_individuals, support_measures=support_measures),
        q3=Q3(
            applications=applications,
            by_legal_basis={"ch5_s15_p2": applications, "ch5_s15_p1": 0, "extension": 0},
        ),
        q4=Q4(
            outreach_staff=staff,
            contacts=contacts,
            referrals={"made": made, "accepted": accepted, "declined": declined},
            median_hours=None,
            p90_hours=None,
            routine="",
        ),
        q5=Q5(
            trainings=trainings,
            participants=participants,
            sessions=[
                TrainingRow(date(2024, 3, 1), "T", "A", "O", participants // trainings)
                for _ in range(trainings)
            ]
            if trainings
            else [],
        ),
        q7=Q7(
            cases=cases,
            individuals=cases if case_individuals is None else case_individuals,
            by_category=by_category,
        ),
        ytd_year=2025,
        ytd_applications=ytd,
    )
    if trainings:
        # Participants split over the sessions as the statistics count them.
        stats.q5.sessions[-1].participants += participants - sum(
            row.participants for row in stats.q5.sessions
        )
    years = [
        YearFigures(
            period=Period(year=y, as_of=A),
            applications=0,
            outcomes=dict.fromkeys(["granted", "rejected", "pending", "withdrawn"], 0),
            cases=0,
            by_category=dict.fromkeys(["adult", "minor", "relative", "age_unknown"], 0),
            contacts=0,
            referrals=dict.fromkeys(["made", "accepted", "declined"], 0),
        )
        for y in range(2020, 2024)
    ]
    years.append(
        YearFigures(
            period=period,
            applications=applications,
            outcomes=dict(outcomes),
            cases=cases,
            by_category=by_category,
            contacts=contacts,
            referrals={"made": made, "accepted": accepted, "declined": declined},
        )
    )
    return stats, YearlyComparison(as_of=A, years=years)


def answers(number, **figures):
    stats, comparison = statistics(**figures)
    with translation.override("sv"):
        report = build_report(stats, comparison, publication=False)
    return report.questions[number - 1].answer


def first_sentence(**figures):
    return answers(1, **figures)[0].split(" utlänningslagen ", 1)[1]


# --- Question 1 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("individuals", "expected"),
    [
        (1, "för en vuxen individ."),
        (2, "för två vuxna individer."),
        (14, "för 14 vuxna individer."),
    ],
)
def test_q1_adult_individuals(individuals, expected):
    assert first_sentence(applications=individuals) == expected


def test_q1_no_individual():
    assert answers(1, applications=0, individuals=0, ytd=0) == [
        f"Under 2024 har regionkoordinatorerna, inom ramen för anställning inom Stockholms stad, "
        f"inte ansökt om tidsbegränsat uppehållstillstånd {LAW} för någon individ.",
        "Hittills under 2025, till och med 2025-03-31, har ingen ansökan om betänketid skickats "
        "in.",
    ]


@pytest.mark.parametrize(
    ("adults", "expected"),
    [
        (0, "för 14 individer, ingen av dem vuxen."),
        (1, "för 14 individer, varav en vuxen."),
        (2, "för 14 individer, varav två vuxna."),
        (14, "för 14 individer, varav 14 vuxna."),
    ],
)
def test_q1_of_whom_adults_counts_people(adults, expected):
    # 28 applications, 14 of them sent for minors: 14 individuals, some adults at one of theirs.
    sentence = first_sentence(
        applications=28, minors=14, individuals=14, adult_individuals=adults, sexual=14
    )
    assert sentence == expected


@pytest.mark.parametrize(
    ("individuals", "adults", "expected"),
    [
        (1, 0, "för en individ, som inte var vuxen."),
        (1, 1, "för en individ, som var vuxen."),
        (2, 1, "för två individer, varav en vuxen."),
    ],
)
def test_q1_few_individuals_with_minors(individuals, adults, expected):
    sentence = first_sentence(
        applications=2, minors=1, individuals=individuals, adult_individuals=adults
    )
    assert sentence == expected


@pytest.mark.parametrize(
    ("applications", "individuals", "expected"),
    [
        (0, 0, None),
        (1, 1, None),
        (2, 1, "Sammanlagt skickades två ansökningar."),
        (14, 13, "Sammanlagt skickades 14 ansökningar."),
    ],
)
def test_q1_applications_in_all(applications, individuals, expected):
    said = [
        s
        for s in answers(1, applications=applications, individuals=individuals)
        if s.startswith("Sammanlagt")
    ]
    assert said == ([expected] if expected else [])


def outcome_sentence(**outcomes):
    counts = {"granted": 0, "rejected": 0, "pending": 0, "withdrawn": 0, **outcomes}
    counts["granted"] += 20 - sum(counts.values())
    return answers(1, applications=20, outcomes=counts)[1]


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "Ingen av ansökningarna har beviljats, "),
        (1, "En av ansökningarna har beviljats, "),
        (2, "Två av ansökningarna har beviljats, "),
        (14, "14 av ansökningarna har beviljats, "),
    ],
)
def test_q1_granted(count, expected):
    assert outcome_sentence(granted=count, rejected=20 - count).startswith(expected)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "20 av ansökningarna har beviljats, ingen ansökan har avslagits och ingen ansökan"),
        (1, ", en ansökan har avslagits och"),
        (2, ", två ansökningar har avslagits och"),
        (14, ", 14 ansökningar har avslagits och"),
    ],
)
def test_q1_rejected(count, expected):
    assert expected in outcome_sentence(rejected=count)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "och ingen ansökan väntar på beslut (per 2025-03-31)."),
        (1, "och i en ansökan väntas beslut (per 2025-03-31)."),
        (2, "och i två ansökningar väntas beslut (per 2025-03-31)."),
        (14, "och i 14 ansökningar väntas beslut (per 2025-03-31)."),
    ],
)
def test_q1_pending(count, expected):
    assert outcome_sentence(pending=count).endswith(expected)


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, ", en ansökan har återkallats och"),
        (2, ", två ansökningar har återkallats och"),
        (14, ", 14 ansökningar har återkallats och"),
    ],
)
def test_q1_withdrawn(count, expected):
    assert expected in outcome_sentence(withdrawn=count)
    assert "återkallats" not in outcome_sentence(withdrawn=0)


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("granted", "Ansökan har beviljats (per 2025-03-31)."),
        ("rejected", "Ansökan har avslagits (per 2025-03-31)."),
        ("pending", "I ansökan väntas beslut (per 2025-03-31)."),
        ("withdrawn", "Ansökan har återkallats (per 2025-03-31)."),
    ],
)
def test_q1_one_application(outcome, expected):
    counts = dict.fromkeys(["granted", "rejected", "pending", "withdrawn"], 0) | {outcome: 1}
    assert answers(1, applications=1, outcomes=counts)[1] == expected


SEXUAL = "avser misstanke om människohandel för sexuella ändamål"
LABOUR = "avser misstanke om människohandel eller människoexploatering utifrån arbetskraft"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, f"Ingen av ansökningarna {SEXUAL}."),
        (1, f"En ansökan {SEXUAL} (en kvinna)."),
        (2, f"Två av ansökningarna {SEXUAL} (samtliga kvinnor)."),
        (14, f"14 av ansökningarna {SEXUAL} (samtliga kvinnor)."),
    ],
)
def test_q1_sexual_purposes(count, expected):
    assert answers(1, applications=14, sexual=count)[2] == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "(ingen kvinna)."),
        (1, "(varav en kvinna)."),
        (2, "(varav två kvinnor)."),
        (14, "(samtliga kvinnor)."),
    ],
)
def test_q1_women(count, expected):
    sentence = answers(1, applications=28, men=14, sexual=14, women=count)[2]
    assert sentence == f"14 av ansökningarna {SEXUAL} {expected}"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "(samtliga kvinnor)."),
        (1, f"(samtliga kvinnor) och en ansökan {LABOUR}."),
        (2, f"(samtliga kvinnor) och två ansökningar {LABOUR}."),
        (14, f"(samtliga kvinnor) och 14 ansökningar {LABOUR}."),
    ],
)
def test_q1_labour(count, expected):
    sentence = answers(1, applications=28, men=14, sexual=14, labour=count)[2]
    assert sentence == f"14 av ansökningarna {SEXUAL} {expected}"


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "ingen ansökan"), (1, "en ansökan"), (2, "två ansökningar"), (14, "14 ansökningar")],
)
def test_q1_so_far_this_year(count, expected):
    assert answers(1, ytd=count)[-1] == (
        f"Hittills under 2025, till och med 2025-03-31, har {expected} om betänketid skickats in."
    )


# --- Questions 2 to 5 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "ingen individ tillstånd genom ett beslut daterat"),
        (1, "en individ tillstånd genom ett beslut daterat"),
        (2, "två individer tillstånd genom beslut daterade"),
        (14, "14 individer tillstånd genom beslut daterade"),
    ],
)
def test_q2_individuals_granted(count, expected):
    assert answers(2, granted_individuals=count)[1] == (
        f"Under 2024 beviljades {expected} under perioden, oavsett vem som ansökte, och fick "
        "därmed dessa rättigheter."
    )


@pytest.mark.parametrize(
    ("support", "expected"),
    [
        ({"rights_information": 0}, "Inga insatser påbörjades under perioden."),
        (
            {"rights_information": 1},
            "De vanligaste insatserna som påbörjades under perioden: information om rättigheter "
            "(1).",
        ),
        (
            {"rights_information": 2, "counselling": 14, "interpreter": 2, "other": 1},
            "De vanligaste insatserna som påbörjades under perioden: samtalsstöd (14), tolk (2) "
            "och information om rättigheter (2).",
        ),
    ],
)
def test_q2_support(support, expected):
    assert answers(2, support=support)[2] == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, "Under 2024 har de inte ansökt i något ärende."),
        (1, "Under 2024 har de ansökt i ett ärende."),
        (2, "Under 2024 har de ansökt i två ärenden."),
        (14, "Under 2024 har de ansökt i 14 ärenden."),
    ],
)
def test_q3_cases_applied_in(count, expected):
    assert answers(3, applications=count)[1] == expected


POM = "Uppsökare riktade mot prostitution och människohandel, PoM-teamet,"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, f"{POM} hade inga medarbetare under 2024."),
        (1, f"{POM} bestod under 2024 av en medarbetare."),
        (2, f"{POM} bestod under 2024 av två medarbetare."),
        (14, f"{POM} bestod under 2024 av 14 medarbetare."),
    ],
)
def test_q4_staff(count, expected):
    assert answers(4, staff=count)[0] == expected


@pytest.mark.parametrize(
    ("count", "contacts", "made"),
    [
        (0, "ingen kontakt", "ingen länkning"),
        (1, "en kontakt", "en länkning"),
        (2, "två kontakter", "två länkningar"),
        (14, "14 kontakter", "14 länkningar"),
    ],
)
def test_q4_contacts_and_referrals_made(count, contacts, made):
    assert answers(4, contacts=count)[1] == (
        f"Teamet registrerade {contacts} och gjorde fem länkningar till regionkoordinatorerna."
    )
    assert answers(4, referrals=(count, 0, 0))[1] == (
        f"Teamet registrerade 10 kontakter och gjorde {made} till regionkoordinatorerna."
    )


@pytest.mark.parametrize(
    ("count", "accepted", "declined"),
    [
        (0, "ingen länkning", "ingen"),
        (1, "en länkning", "en"),
        (2, "två länkningar", "två"),
        (14, "14 länkningar", "14"),
    ],
)
def test_q4_referrals_accepted_and_declined(count, accepted, declined):
    assert answers(4, referrals=(5, count, 0))[2] == (
        f"Under perioden togs {accepted} emot och ingen avböjdes."
    )
    assert answers(4, referrals=(5, 0, count))[2] == (
        f"Under perioden togs ingen länkning emot och {declined} avböjdes."
    )


@pytest.mark.parametrize(
    ("count", "participants", "expected"),
    [
        (0, 0, "Enheten genomförde ingen utbildningsinsats under 2024."),
        (1, 1, "Enheten genomförde en utbildningsinsats under 2024 med sammanlagt en deltagare."),
        (
            2,
            2,
            "Enheten genomförde två utbildningsinsatser under 2024 med sammanlagt två deltagare.",
        ),
        (
            14,
            41,
            "Enheten genomförde 14 utbildningsinsatser under 2024 med sammanlagt 41 deltagare.",
        ),
    ],
)
def test_q5_trainings(count, participants, expected):
    assert answers(5, trainings=count, participants=participants) == [expected]


# --- Question 7 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ((0, 0, 0, 0), ["Under 2024 har regionkoordinatorerna inte arbetat i något ärende."]),
        ((1, 0, 0, 0), ["Under 2024 har regionkoordinatorerna arbetat i ett ärende (en individ)."]),
        (
            (2, 0, 0, 0),
            ["Under 2024 har regionkoordinatorerna arbetat i två ärenden (två individer)."],
        ),
        (
            (14, 0, 0, 0),
            ["Under 2024 har regionkoordinatorerna arbetat i 14 ärenden (14 individer)."],
        ),
    ],
)
def test_q7_cases(categories, expected):
    assert answers(7, categories=categories)[:1] == expected


@pytest.mark.parametrize(
    ("individuals", "expected"),
    [(1, "(en individ)."), (2, "(två individer)."), (14, "(14 individer).")],
)
def test_q7_individuals(individuals, expected):
    assert answers(7, categories=(14, 0, 0, 0), case_individuals=individuals)[0].endswith(
        f"arbetat i 14 ärenden {expected}"
    )


ADULTS = "tre vuxna över 18 år"
MINORS = "tre minderåriga"


@pytest.mark.parametrize(
    ("categories", "expected"),
    [
        ((0, 3, 0, 0), f"Av dessa gällde {MINORS}."),
        ((1, 3, 0, 0), f"Av dessa gällde en vuxen över 18 år och {MINORS}."),
        ((2, 3, 0, 0), f"Av dessa gällde två vuxna över 18 år och {MINORS}."),
        ((14, 3, 0, 0), f"Av dessa gällde 14 vuxna över 18 år och {MINORS}."),
        ((3, 0, 0, 0), f"Av dessa gällde {ADULTS}."),
        ((3, 1, 0, 0), f"Av dessa gällde {ADULTS} och en minderårig."),
        ((3, 2, 0, 0), f"Av dessa gällde {ADULTS} och två minderåriga."),
        ((3, 14, 0, 0), f"Av dessa gällde {ADULTS} och 14 minderåriga."),
        ((3, 3, 0, 1), f"Av dessa gällde {ADULTS}, {MINORS} och ett brottsoffer med okänd ålder."),
        ((3, 3, 0, 2), f"Av dessa gällde {ADULTS}, {MINORS} och två brottsoffer med okänd ålder."),
        ((3, 3, 0, 14), f"Av dessa gällde {ADULTS}, {MINORS} och 14 brottsoffer med okänd ålder."),
        (
            (3, 0, 1, 0),
            f"Av dessa gällde {ADULTS} samt ett ärende en anhörig till en person utsatt för "
            "människohandel.",
        ),
        (
            (3, 0, 2, 0),
            f"Av dessa gällde {ADULTS} samt två ärenden anhöriga till personer utsatta för "
            "människohandel.",
        ),
        (
            (3, 0, 14, 0),
            f"Av dessa gällde {ADULTS} samt 14 ärenden anhöriga till personer utsatta för "
            "människohandel.",
        ),
        (
            (0, 0, 1, 0),
            "Av dessa gällde ett ärende en anhörig till en person utsatt för människohandel.",
        ),
    ],
)
def test_q7_categories(categories, expected):
    assert answers(7, categories=categories)[1] == expected


def test_the_seed_documents_sentences_read_as_before():
    """2024 as the city's answer gives it (the demo data's figures)."""
    figures = {
        "outcomes": {"granted": 12, "rejected": 1, "pending": 1, "withdrawn": 0},
        "sexual": 9,
        "men": 0,
        "labour": 0,
    }
    q1 = answers(1, **figures)
    assert q1[0].endswith(f"{LAW} för 14 vuxna individer.")
    assert q1[1] == (
        "12 av ansökningarna har beviljats, en ansökan har avslagits och i en ansökan väntas "
        "beslut (per 2025-03-31)."
    )
    assert answers(7) == [
        "Under 2024 har regionkoordinatorerna arbetat i 143 ärenden (143 individer).",
        "Av dessa gällde 125 vuxna över 18 år och 17 minderåriga samt ett ärende en anhörig till "
        "en person utsatt för människohandel.",
    ]


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (3, "antal från 1 till 2 visas som ”<3”"),
        (5, "antal från 1 till 4 visas som ”<5”"),
        (2, "antalet 1 visas som ”..”"),
    ],
)
def test_the_publication_note_names_the_range(k, expected):
    stats, comparison = statistics()
    with translation.override("sv"):
        report = build_report(stats, comparison, publication=True, k=k)
        assert report.small_counts == expected
        assert report.publication_rule.startswith(expected[0].upper() + expected[1:] + ". ")
