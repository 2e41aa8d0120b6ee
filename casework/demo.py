"""Demo casework: invented individuals and cases spread over 2023–2025.

Deterministic (a fixed random seed), so every demo database is the same and the statistics of
2024 are known in advance. The cases worked during 2024 are exactly those of the city's answer
(the seed document): 143 cases = 125 adult victims, 17 minor victims and 1 relative, each for a
different person. Around them: cases closed during 2023 and cases opened in 2025, which must
not count for 2024. Nobody here is real; most people are known only by an alias.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from casework import services
from casework.codes import (
    Industry,
    MeansOfControl,
    Recruitment,
    RelationKind,
    StatusDecidedBy,
    TraffickerRelationship,
    TraffickingStatus,
)
from casework.models import (
    Case,
    Category,
    ClosingReason,
    IndividualRelation,
    JournalEntry,
    JournalKind,
    Language,
    Offence,
    Organisation,
    OrganisationKind,
    Origin,
    Protection,
    Purpose,
    Sex,
    SupportType,
)
from casework.personal_number import luhn_check_digit

SEED = 20240101

# The 2024 figures of the seed document that this data must give.
CASES_2024 = {Category.ADULT: 125, Category.MINOR: 17, Category.RELATIVE: 1}

ASSOCIATIONS = [
    ("Föreningen Ljusglimten", True, "Stöd till personer i prostitution, uppsökande arbete"),
    ("Stiftelsen Fristaden", True, "Skyddat boende och samtalsstöd"),
    ("Kvinnojouren Söder", False, "Jourboende"),
    (
        "Mika-mottagningen",
        False,
        "Stadens mottagning för personer med erfarenhet av sex mot ersättning",
    ),
    ("Socialtjänsten i Huddinge kommun", False, "Annan kommun"),
    ("Region Stockholm, Akutmottagningen Södersjukhuset", False, "Hälso- och sjukvård"),
]

ALIASES = [
    "Rosa",
    "Lilja",
    "Sun",
    "Mira",
    "Ada",
    "Nora",
    "Stella",
    "Iris",
    "Luna",
    "Vera",
    "Ida",
    "Alba",
    "Noor",
    "Joy",
    "Blessing",
    "Grace",
    "Precious",
    "Mercy",
    "Ioana",
    "Elena",
    "Mihaela",
    "Dana",
    "Petra",
    "Nadia",
    "Kasia",
    "Milena",
    "Ana",
    "Lin",
    "Mai",
    "Hoa",
    "Pim",
    "Dao",
    "Malee",
    "Adam",
    "Ion",
    "Vasile",
    "Bogdan",
    "Marek",
    "Tomas",
    "Kofi",
]
GIVEN_NAMES_FEMALE = ["Maria", "Elena", "Ioana", "Ana", "Joy", "Grace", "Mai", "Nadia", "Petra"]
GIVEN_NAMES_MALE = ["Ion", "Marek", "Adam", "Tomas", "Bogdan"]
FAMILY_NAMES = ["Ardelean", "Okafor", "Dimitrova", "Nowak", "Nguyen", "Horvath", "Sandu", "Osei"]

# Citizenship (ISO 3166) and a language (ISO 639) that goes with it, weighted by how often the
# unit meets them.
ORIGINS = [
    ("RO", "ro", 30),
    ("NG", "en", 18),
    ("BG", "bg", 10),
    ("TH", "th", 8),
    ("HU", "hu", 6),
    ("UA", "uk", 5),
    ("VN", "vi", 5),
    ("SE", "sv", 6),
    ("PL", "pl", 4),
    ("CN", "zh", 3),
    ("AL", "sq", 3),
    ("XU", "en", 2),
]

CASE_ORIGINS = [
    (Origin.OUTREACH_REFERRAL, 30),
    (Origin.POLICE, 20),
    (Origin.CIVIL_SOCIETY, 20),
    (Origin.MIGRATION_AGENCY, 8),
    (Origin.HEALTH_CARE, 10),
    (Origin.SELF, 5),
    (Origin.OTHER_MUNICIPALITY, 5),
    (Origin.OTHER, 2),
]

JOURNAL_TEXTS = [
    "Första samtal med tolk. Informerat om rättigheter och om betänketid.",
    "Samtal om boende och trygghet. Personen vill fundera över polisanmälan.",
    "Telefonkontakt. Personen mår bättre och deltar i samtalsstöd.",
    "Möte tillsammans med föreningen. Planering av fortsatt stöd.",
    "Beslut om bistånd i form av skyddat boende.",
    "Kontakt med Migrationsverket om ärendets handläggning.",
    "Personen har haft kontakt med vården via Mika-mottagningen.",
    "Uppföljande samtal. Inga nya uppgifter.",
]


@dataclass
class CaseProfile:
    """What one demo case will look like."""

    category: Category
    opened_on: date
    closed_on: date | None
    sex: Sex
    age_at_opening: int
    purposes: list[Purpose]
    offence: Offence
    protection: Protection = Protection.NONE
    notes: list[str] = field(default_factory=list)


def _weighted(rng: random.Random, options: Sequence[tuple[object, int]]) -> object:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _day_between(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def _purposes_for(rng: random.Random, sex: Sex) -> tuple[list[Purpose], Offence]:
    roll = rng.random()
    if sex == Sex.FEMALE and roll < 0.72:
        purposes = [Purpose.SEXUAL]
        if rng.random() < 0.1:
            purposes.append(Purpose.CRIMINALITY)
        return purposes, Offence.TRAFFICKING
    if roll < 0.85:
        offence = Offence.EXPLOITATION if rng.random() < 0.5 else Offence.TRAFFICKING
        return [Purpose.LABOUR], offence
    if roll < 0.93:
        return [Purpose.BEGGING], Offence.EXPLOITATION
    return [Purpose.CRIMINALITY], Offence.UNCLEAR


def case_profiles(rng: random.Random) -> list[CaseProfile]:
    """The demo cases: 143 worked in 2024 (by category as in the seed), plus the years around."""
    profiles: list[CaseProfile] = []

    def victim(category: Category, opened: date, closed: date | None) -> CaseProfile:
        minor = category == Category.MINOR
        sex = Sex.FEMALE if rng.random() < (0.8 if not minor else 0.7) else Sex.MALE
        age = rng.randint(14, 17) if minor else rng.randint(19, 52)
        purposes, offence = _purposes_for(rng, sex)
        protection = Protection.NONE
        if rng.random() < 0.05:
            protection = Protection.CONFIDENTIALITY_MARK
        elif rng.random() < 0.02:
            protection = Protection.PROTECTED_REGISTRATION
        return CaseProfile(category, opened, closed, sex, age, purposes, offence, protection)

    # Worked in 2024: opened by the end of 2024 and not closed before it began.
    for category, count in CASES_2024.items():
        for index in range(count):
            if index % 4 == 0:  # a quarter were carried over from 2023
                opened = _day_between(rng, date(2023, 3, 1), date(2023, 12, 20))
            else:
                opened = _day_between(rng, date(2024, 1, 2), date(2024, 12, 18))
            roll = rng.random()
            if roll < 0.5:
                closed = _day_between(rng, max(opened, date(2024, 1, 1)), date(2024, 12, 31))
            elif roll < 0.8:
                closed = _day_between(rng, date(2025, 1, 2), date(2025, 11, 28))
            else:
                closed = None
            if category == Category.RELATIVE:
                profile = CaseProfile(category, opened, None, Sex.FEMALE, 44, [], Offence.UNCLEAR)
            else:
                profile = victim(category, opened, closed)
            profiles.append(profile)
    # Closed during 2023: not worked in 2024.
    for _ in range(22):
        opened = _day_between(rng, date(2023, 1, 9), date(2023, 10, 31))
        closed = _day_between(rng, opened, date(2023, 12, 29))
        category = Category.MINOR if rng.random() < 0.12 else Category.ADULT
        profiles.append(victim(category, opened, closed))
    # Opened in 2025: not worked in 2024.
    for _ in range(38):
        opened = _day_between(rng, date(2025, 1, 8), date(2025, 11, 20))
        closed = _day_between(rng, opened, date(2025, 12, 19)) if rng.random() < 0.4 else None
        category = Category.MINOR if rng.random() < 0.12 else Category.ADULT
        profiles.append(victim(category, opened, closed))
    return sorted(profiles, key=lambda profile: profile.opened_on)


def _birth(rng: random.Random, opened_on: date, age: int) -> tuple[date | None, int | None]:
    """A date of birth (two in three) or an estimated birth year giving `age` at opening."""
    if rng.random() < 0.34:
        return None, opened_on.year - age
    # Born after `opened_on` minus age + 1 years, and on or before `opened_on` minus age years.
    latest = _years_before(opened_on, age)
    earliest = _years_before(opened_on, age + 1) + timedelta(days=1)
    return _day_between(rng, earliest, latest), None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without it
        return day.replace(year=day.year - years, day=28)


def _coordination_number(rng: random.Random, born: date) -> str:
    """A valid Swedish coordination number (day + 60) for `born`."""
    serial = f"{rng.randint(0, 999):03d}"
    ten = f"{born:%y%m}{born.day + 60:02d}{serial}"
    return f"{born.year}{ten[2:]}{luhn_check_digit(ten)}"


def seed_organisations() -> None:
    for name, grant, note in ASSOCIATIONS:
        kind = OrganisationKind.ASSOCIATION
        if "kommun" in name:
            kind = OrganisationKind.MUNICIPALITY
        elif "Region" in name or "Mika" in name:
            kind = OrganisationKind.HEALTH_CARE
        Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "receives_grant": grant, "address": note}
        )


def seed() -> int:
    """Create the demo cases unless some exist. Returns the number of cases created."""
    seed_organisations()
    if Case.objects.exists():
        return 0
    rng = random.Random(SEED)
    coordinators = list(User.objects.filter(groups__name="coordinator").order_by("pk"))
    if not coordinators:
        raise RuntimeError("Demo coordinators are missing: seed the demo staff first.")
    languages = {language.code: language for language in Language.objects.all()}
    organisations = list(Organisation.objects.filter(active=True).order_by("name"))
    associations = [o for o in organisations if o.kind == OrganisationKind.ASSOCIATION]
    used_aliases: dict[str, int] = {}
    for number, profile in enumerate(case_profiles(rng), start=1):
        coordinator = coordinators[number % len(coordinators)]
        citizenship, language_code, _weight = rng.choices(
            ORIGINS, weights=[o[2] for o in ORIGINS], k=1
        )[0]
        born, birth_year = _birth(rng, profile.opened_on, profile.age_at_opening)
        alias = rng.choice(ALIASES)
        used_aliases[alias] = used_aliases.get(alias, 0) + 1
        if used_aliases[alias] > 1:
            alias = f"{alias} {used_aliases[alias]}"
        person: dict[str, object] = {
            "alias": alias,
            "sex": profile.sex,
            "date_of_birth": born,
            "birth_year": birth_year,
            "citizenship": citizenship,
            "protection": profile.protection,
        }
        if rng.random() < 0.3 or profile.protection != Protection.NONE:
            given = GIVEN_NAMES_FEMALE if profile.sex == Sex.FEMALE else GIVEN_NAMES_MALE
            person["given_name"] = rng.choice(given)
            person["family_name"] = rng.choice(FAMILY_NAMES)
            person["phone"] = (
                f"070-{rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
            )
        if born and rng.random() < 0.12:
            person["personal_number"] = _coordination_number(rng, born)
        case = services.case_open_with_new_individual(
            by=coordinator,
            individual_fields=person,
            languages=[languages[language_code]] if language_code in languages else [],
            coordinator=coordinator,
            category=profile.category,
            opened_on=profile.opened_on,
            origin=str(_weighted(rng, CASE_ORIGINS)),
            offence=profile.offence,
            purposes=profile.purposes,
            send_notifications=False,  # the demo's managers start with a quiet bell
        )
        _seed_case_history(rng, case, coordinator, profile, associations)
    seed_national_facts()
    return Case.objects.count()


INDUSTRY_WEIGHTS = [
    (Industry.CONSTRUCTION, 3),
    (Industry.CLEANING, 2),
    (Industry.GREEN, 2),
    (Industry.HOSPITALITY, 2),
    (Industry.CAR_WASH, 1),
    (Industry.MANUFACTURING, 1),
    (Industry.OTHER, 1),
]


def seed_national_facts() -> None:
    """The facts national reporting needs, on the demo's cases: industries, means of control,
    recruitment, status, and a few minors linked as accompanying children of an adult who came
    at the same time. A random generator of its own, so the cases above (and the seed
    document's figures) stay as they are; nothing here changes a figure of the council report."""
    rng = random.Random(SEED + 25)
    cases = list(
        Case.objects.select_related("individual").order_by("pk").prefetch_related("purposes")
    )
    means = list(MeansOfControl)
    for case in cases:
        purposes = {p.purpose for p in case.purposes.all()}
        facts: dict[str, object] = {}
        if Purpose.LABOUR in purposes and rng.random() < 0.85:
            facts["industry"] = _weighted(rng, INDUSTRY_WEIGHTS)
        if rng.random() < 0.7:
            facts["means_of_control"] = sorted(rng.sample(means, rng.randint(1, 3)))
        if rng.random() < 0.5:
            facts["recruitment"] = [rng.choice(list(Recruitment))]
        if rng.random() < 0.4:
            facts["trafficker_relationship"] = rng.choice(list(TraffickerRelationship))
        if rng.random() < 0.5:
            facts["exploitation_country"] = "SE" if rng.random() < 0.8 else "DK"
        roll = rng.random()
        if roll < 0.15:
            facts["trafficking_status"] = TraffickingStatus.ACTUAL
            facts["status_decided_by"] = StatusDecidedBy.POLICE
        elif roll < 0.75:
            facts["trafficking_status"] = TraffickingStatus.POSSIBLE
            facts["status_decided_by"] = StatusDecidedBy.AUTHORITY
        if facts:
            Case.objects.filter(pk=case.pk).update(**facts)
    _link_accompanying_children(cases)


def _link_accompanying_children(cases: list[Case]) -> None:
    """Each minor victim (up to five) who came within two weeks of an adult woman of the same
    citizenship is linked as her accompanying child."""
    adults = [c for c in cases if c.category == Category.ADULT and c.individual.sex == Sex.FEMALE]
    linked = 0
    for child_case in (c for c in cases if c.category == Category.MINOR):
        mother = next(
            (
                adult
                for adult in adults
                if adult.individual.citizenship == child_case.individual.citizenship
                and abs((adult.opened_on - child_case.opened_on).days) <= 14
            ),
            None,
        )
        if mother is None:
            continue
        IndividualRelation.objects.create(
            individual=child_case.individual,
            related=mother.individual,
            kind=RelationKind.ACCOMPANYING_CHILD_OF,
            created_by=child_case.coordinator,
        )
        linked += 1
        if linked == 5:
            return


def _seed_case_history(
    rng: random.Random,
    case: Case,
    coordinator: User,
    profile: CaseProfile,
    associations: list[Organisation],
) -> None:
    last_day = profile.closed_on or min(date(2025, 12, 19), profile.opened_on + timedelta(days=200))
    entry_days = sorted(
        _day_between(rng, profile.opened_on, last_day) for _ in range(rng.randint(1, 4))
    )
    for index, day in enumerate(entry_days):
        entry = services.journal_entry_create(
            case=case,
            author=coordinator,
            entry_date=day,
            kind=JournalKind.MEETING if index == 0 else rng.choice(list(JournalKind)),
            text=JOURNAL_TEXTS[0] if index == 0 else rng.choice(JOURNAL_TEXTS[1:]),
        )
        services.journal_entry_sign(entry=entry, by=coordinator)
        # Demo history: signed on the day written, not on the day the demo was created.
        JournalEntry.objects.filter(pk=entry.pk).update(
            signed_at=timezone.make_aware(datetime.combine(day, time(16, 0)))
        )
    services.support_measure_create(
        case=case,
        by=coordinator,
        type=SupportType.RIGHTS_INFORMATION,
        started_on=profile.opened_on,
        ended_on=profile.opened_on,
    )
    if associations and rng.random() < 0.45:
        organisation = rng.choice(associations)
        services.organisation_link_create(
            case=case,
            by=coordinator,
            organisation=organisation,
            linked_on=entry_days[0],
            purpose="Länkning till civilsamhället för stöd",
        )
        services.consent_record(
            case=case, by=coordinator, organisation=organisation, given_on=entry_days[0]
        )
        services.support_measure_create(
            case=case,
            by=coordinator,
            type=SupportType.CIVIL_SOCIETY_CONTACT,
            started_on=entry_days[0],
            organisation=organisation,
        )
    if profile.closed_on:
        reason = rng.choice(
            [
                ClosingReason.COMPLETED,
                ClosingReason.SAFE_RETURN,
                ClosingReason.LEFT_COUNTRY,
                ClosingReason.NO_CONTACT,
            ]
        )
        services.case_close(
            case=case,
            by=coordinator,
            closed_on=max(profile.closed_on, entry_days[-1]),
            reason=reason,
        )
