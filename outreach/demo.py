"""Demo outreach: invented contacts in the field over 2023–2025, and their referrals.

Deterministic (a fixed random seed). Every demo case that came in as a referral from outreach
gets the contact and the accepted referral behind it (accepted on the day the case opened, a
few hours to a few days after the referral). Around them: contacts without referral, referrals
declined with a reason and referrals withdrawn by outreach. Relative to today, a few referrals
wait in the inbox and two were accepted into new cases this year, so no case of 2023–2025
changes. Everything goes through the services; history is recorded with their `at` argument.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from casework.demo import ORIGINS
from casework.models import Case, Category, Individual, Language, Origin, Sex
from outreach import services
from outreach.models import (
    AgeGroup,
    District,
    Environment,
    Indicator,
    Offer,
    OutreachContact,
    ReferralConsent,
)

SEED = 20230301
CONTACTS_PER_YEAR = {2023: 104, 2024: 118, 2025: 112}
DECLINED = 15
WITHDRAWN = 7

ENVIRONMENTS = [
    (Environment.STREET, 30),
    (Environment.HOTEL, 20),
    (Environment.ONLINE, 25),
    (Environment.INDOOR, 14),
    (Environment.MASSAGE_PARLOUR, 8),
    (Environment.OTHER, 3),
]
# When each environment is worked (first and last hour; the street runs past midnight).
HOURS = {
    Environment.STREET: (19, 26),
    Environment.HOTEL: (10, 22),
    Environment.ONLINE: (9, 16),
    Environment.INDOOR: (11, 20),
    Environment.MASSAGE_PARLOUR: (11, 19),
    Environment.OTHER: (10, 18),
}
DISTRICTS = [
    ("norrmalm", 26),
    ("sodermalm", 14),
    ("kungsholmen", 10),
    ("ostermalm", 8),
    ("rinkeby-kista", 6),
    ("enskede-arsta-vantor", 6),
    ("hagersten-alvsjo", 5),
    ("skarholmen", 5),
    ("spanga-tensta", 4),
    ("farsta", 4),
    ("hasselby-vallingby", 3),
    ("bromma", 3),
    ("skarpnack", 3),
    ("outside-stockholm", 3),
]
AGE_GROUPS = [
    (AgeGroup.UNDER_18, 4),
    (AgeGroup.FROM_18_TO_25, 28),
    (AgeGroup.FROM_26_TO_35, 34),
    (AgeGroup.FROM_36_TO_50, 20),
    (AgeGroup.OVER_50, 4),
    (AgeGroup.UNKNOWN, 10),
]
SEXES = [(Sex.FEMALE, 86), (Sex.MALE, 9), (Sex.OTHER, 3), (Sex.UNKNOWN, 2)]
CONSENTS = [
    (ReferralConsent.YES, 30),
    (ReferralConsent.NO, 25),
    (ReferralConsent.NOT_ASKED, 45),
]
ALIASES = [
    "Bella",
    "Tina",
    "Sara",
    "Lucky",
    "Angel",
    "Kim",
    "Mona",
    "Diana",
    "Eva",
    "Nicole",
    "Roxana",
    "Florentina",
    "Andreea",
    "Jenny",
    "Lola",
    "Bianca",
    "Suki",
    "Ning",
    "Fah",
    "May",
    "Amira",
    "Zara",
    "Tom",
    "Alex",
]
DESCRIPTIONS = [
    "Kvinna i 30-årsåldern, röd jacka",
    "Ung kvinna, ville inte säga sitt namn",
    "Kvinna som talar lite engelska",
    "Man i 20-årsåldern, ville inte prata länge",
    "Kvinna med rullväska",
    "Kvinna som svarade på annons, hotellrum",
    "Den yngre av två kvinnor i samma lägenhet",
    "Kvinna som verkade rädd, tittade hela tiden på telefonen",
    "Kvinna med blått hår",
    "Kvinna i 40-årsåldern, stammis i området",
]
NOTES = [
    "Fick informationsmaterial på sitt språk.",
    "Polisen närvarande. Personen ville inte ha kontakt just nu.",
    "Erbjöd tid på Mika-mottagningen.",
    "Lämnade visitkort med telefonnummer till enheten.",
    "Personen berättade att någon annan har hennes pass.",
    "Kort samtal, personen blev hämtad av en man i bil.",
    "Kontakt via telefon efter annons, träffades på café.",
]
DECLINE_REASONS = [
    "Personen är folkbokförd i Huddinge – kontakt förmedlad till socialtjänsten där.",
    "Ingen kontakt kunde etableras trots tre försök på det nummer vi fick.",
    "Personen har redan stöd via en annan kommun och ville inte byta.",
    "Personen tackade nej till fortsatt kontakt när koordinatorn ringde.",
    "Ingen misstanke om människohandel; hänvisad till Mika-mottagningen för vård.",
]
REFERRAL_NOTES = [
    "Nås bäst på förmiddagar via telefonnumret i anteckningen.",
    "Vill träffas tillsammans med uppsökaren första gången.",
    "Behöver tolk.",
    "",
    "",
]


@dataclass
class ContactPlan:
    """One demo contact, and what happens to its referral."""

    at: datetime
    environment: Environment
    district: str | None
    age_group: AgeGroup
    fate: str = "none"  # none, declined, withdrawn


@dataclass
class Person:
    """What outreach noted about the person in one demo contact."""

    alias: str
    description: str
    sex: str
    presumed_nationality: str
    language_code: str
    indicators: list[str] = field(default_factory=list)
    offers: list[str] = field(default_factory=list)
    notes: str = ""


def _weighted(rng: random.Random, options: Sequence[tuple[object, int]]) -> object:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


def _moment(day: date, hour: int, rng: random.Random) -> datetime:
    """An aware Stockholm time on `day` (hours past 23 run into the next day)."""
    start = datetime.combine(day, time(0, 0)) + timedelta(hours=hour, minutes=rng.randint(0, 59))
    return timezone.make_aware(start)


def _office_hours_after(moment: datetime, rng: random.Random, hours: tuple[int, int]) -> datetime:
    """`moment` plus some hours, moved into office hours (08–17) when it falls outside them."""
    later = timezone.localtime(moment + timedelta(hours=rng.randint(*hours)))
    if later.hour < 8:
        later = later.replace(hour=8, minute=rng.randint(0, 59))
    elif later.hour >= 17:
        later = (later + timedelta(days=1)).replace(hour=8, minute=rng.randint(0, 59))
    return later


def _contact_plans(rng: random.Random) -> list[ContactPlan]:
    plans: list[ContactPlan] = []
    for year, count in CONTACTS_PER_YEAR.items():
        for _ in range(count):
            day = date(year, 1, 2) + timedelta(days=rng.randint(0, 360))
            environment = Environment(str(_weighted(rng, ENVIRONMENTS)))
            first, last = HOURS[environment]
            district: str | None = str(_weighted(rng, DISTRICTS))
            if environment == Environment.ONLINE and rng.random() < 0.4:
                district = None  # the advertisement gave no place
            plans.append(
                ContactPlan(
                    at=_moment(day, rng.randint(first, last - 1), rng),
                    environment=environment,
                    district=district,
                    age_group=AgeGroup(str(_weighted(rng, AGE_GROUPS))),
                )
            )
    plans.sort(key=lambda plan: plan.at)
    for number, index in enumerate(rng.sample(range(len(plans)), DECLINED + WITHDRAWN)):
        plans[index].fate = "declined" if number < DECLINED else "withdrawn"
    return plans


def _staff_pair(rng: random.Random, workers: list[User]) -> list[User]:
    if len(workers) < 2:
        return workers
    roll = rng.random()
    if roll < 0.55:
        return workers[:2]
    return [workers[0]] if roll < 0.8 else [workers[1]]


def _person(rng: random.Random, age_group: AgeGroup) -> Person:
    citizenship, language, _weight = rng.choices(ORIGINS, weights=[o[2] for o in ORIGINS], k=1)[0]
    roll = rng.random()
    indicators = [
        str(value)
        for value in rng.sample(
            [i for i in Indicator if i != Indicator.MINOR], rng.choice([0, 0, 1, 1, 2, 3])
        )
    ]
    if age_group == AgeGroup.UNDER_18:
        indicators.append(Indicator.MINOR)
    offers = {Offer.RIGHTS_INFORMATION} if rng.random() < 0.8 else set()
    offers |= set(rng.sample(list(Offer), rng.randint(0, 2)))
    return Person(
        alias=rng.choice(ALIASES) if roll < 0.55 else "",
        description=rng.choice(DESCRIPTIONS) if 0.45 < roll < 0.9 else "",
        sex=str(_weighted(rng, SEXES)),
        presumed_nationality=citizenship if rng.random() < 0.8 else "",
        language_code=language if rng.random() < 0.85 else "",
        indicators=indicators,
        offers=sorted(str(o) for o in offers),
        notes=rng.choice(NOTES) if rng.random() < 0.35 else "",
    )


class _Seeder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.workers = list(
            User.objects.filter(groups__name=Role.OUTREACH, is_active=True).order_by("pk")
        )
        self.coordinators = list(
            User.objects.filter(groups__name=Role.COORDINATOR, is_active=True).order_by("pk")
        )
        if not self.workers or not self.coordinators:
            raise RuntimeError("Demo staff are missing: seed the demo staff first.")
        self.districts = {d.code: d for d in District.objects.all()}
        self.languages = {language.code: language for language in Language.objects.all()}

    def contact(
        self,
        *,
        at: datetime,
        environment: Environment,
        district: str | None,
        age_group: AgeGroup,
        person: Person,
        consent: ReferralConsent | None = None,
        staff: list[User] | None = None,
    ) -> OutreachContact:
        present = staff or _staff_pair(self.rng, self.workers)
        if consent is None:
            consent = ReferralConsent(str(_weighted(self.rng, CONSENTS)))
        return services.contact_create(
            by=present[0],
            contacted_at=at,
            environment=environment,
            district=self.districts.get(district) if district else None,
            staff=present,
            alias=person.alias,
            description=person.description,
            sex=person.sex,
            age_group=age_group,
            language=self.languages.get(person.language_code),
            presumed_nationality=person.presumed_nationality,
            indicators=person.indicators,
            offers=person.offers,
            consent=consent,
            notes=person.notes,
        )


def _days_to_acceptance(rng: random.Random) -> int:
    """Mostly the same day, sometimes the next, now and then a few days (weekends, holidays)."""
    roll = rng.random()
    if roll < 0.55:
        return 0
    return 1 if roll < 0.9 else rng.randint(2, 3)


def _age_group_for(individual: Individual, day: date) -> AgeGroup:
    age = individual.age_on(day)
    if age is None:
        return AgeGroup.UNKNOWN
    for limit, group in (
        (18, AgeGroup.UNDER_18),
        (26, AgeGroup.FROM_18_TO_25),
        (36, AgeGroup.FROM_26_TO_35),
        (51, AgeGroup.FROM_36_TO_50),
    ):
        if age < limit:
            return group
    return AgeGroup.OVER_50


def seed() -> int:
    """Create the demo contacts and referrals unless some exist. Returns the contacts created."""
    if OutreachContact.objects.exists():
        return 0
    rng = random.Random(SEED)
    seeder = _Seeder(rng)
    _seed_field_work(seeder)
    _seed_accepted_into_demo_cases(seeder)
    _seed_this_year(seeder)
    return OutreachContact.objects.count()


def _seed_field_work(seeder: _Seeder) -> None:
    """Contacts over 2023–2025; some referred, then declined or withdrawn."""
    rng = seeder.rng
    for plan in _contact_plans(rng):
        referred = plan.fate != "none"
        contact = seeder.contact(
            at=plan.at,
            environment=plan.environment,
            district=plan.district,
            age_group=plan.age_group,
            person=_person(rng, plan.age_group),
            consent=ReferralConsent.YES if referred else None,
        )
        if not referred:
            continue
        referrer = contact.staff.order_by("pk").first() or seeder.workers[0]
        referred_at = plan.at + timedelta(minutes=rng.randint(10, 120))
        referral = services.referral_create(
            contact=contact,
            by=referrer,
            note=rng.choice(REFERRAL_NOTES),
            at=referred_at,
            send_notifications=False,
        )
        if plan.fate == "declined":
            services.referral_decline(
                referral=referral,
                by=rng.choice(seeder.coordinators),
                reason=rng.choice(DECLINE_REASONS),
                at=_office_hours_after(referred_at, rng, (3, 60)),
                send_notifications=False,
            )
        else:
            services.referral_withdraw(
                referral=referral,
                by=referrer,
                at=_office_hours_after(referred_at, rng, (1, 40)),
            )


def _seed_accepted_into_demo_cases(seeder: _Seeder) -> None:
    """Each demo case that came in from outreach gets its contact and accepted referral: accepted
    on the day the case opened, a few hours to a few days after the referral."""
    rng = seeder.rng
    cases = (
        Case.objects.filter(origin=Origin.OUTREACH_REFERRAL, opened_on__year__lte=2025)
        .select_related("individual", "coordinator")
        .prefetch_related("individual__languages")
        .order_by("opened_on", "pk")
    )
    for case in cases:
        individual = case.individual
        environment = Environment(str(_weighted(rng, ENVIRONMENTS)))
        waited = _days_to_acceptance(rng)
        first, last = HOURS[environment]
        if waited == 0:
            last = min(last, 22)  # a same-day acceptance needs the contact before midnight
        contacted_at = _moment(
            case.opened_on - timedelta(days=waited), rng.randint(first, last - 1), rng
        )
        referred_at = contacted_at + timedelta(minutes=rng.randint(10, 90))
        office = _moment(case.opened_on, rng.randint(8, 15), rng)
        accepted_at = max(office, referred_at + timedelta(minutes=rng.randint(60, 180)))
        if timezone.localdate(accepted_at) != case.opened_on:
            accepted_at = referred_at + timedelta(minutes=20)  # late evening, same day
        age_group = _age_group_for(individual, contacted_at.date())
        languages = list(individual.languages.all())
        person = _person(rng, age_group)
        # The demo numbers repeated aliases ("Rosa 3"); outreach would have heard just "Rosa".
        alias_words = individual.alias.split()
        if len(alias_words) > 1 and alias_words[-1].isdigit():
            alias_words.pop()
        person.alias = " ".join(alias_words)
        person.description = ""
        person.sex = individual.sex
        person.presumed_nationality = individual.citizenship.code or ""
        person.language_code = languages[0].code if languages else ""
        minor = age_group == AgeGroup.UNDER_18
        contact = seeder.contact(
            at=contacted_at,
            environment=environment,
            district=None if environment == Environment.ONLINE else str(_weighted(rng, DISTRICTS)),
            age_group=age_group,
            person=person,
            consent=ReferralConsent.NOT_ASKED
            if minor and rng.random() < 0.5
            else ReferralConsent.YES,
        )
        referrer = contact.staff.order_by("pk").first() or seeder.workers[0]
        referral = services.referral_create(
            contact=contact,
            by=referrer,
            to_coordinator=case.coordinator if rng.random() < 0.2 else None,
            note=rng.choice(REFERRAL_NOTES),
            at=referred_at,
            send_notifications=False,
        )
        services.referral_accept_into_case(
            referral=referral,
            by=case.coordinator,
            case=case,
            at=accepted_at,
            send_notifications=False,
        )


def _seed_this_year(seeder: _Seeder) -> None:
    """Recent work, relative to today: referrals waiting in the inbox (with their notifications)
    and two accepted into new cases this year."""
    rng = seeder.rng
    now = timezone.localtime().replace(second=0, microsecond=0)
    # Never before this year began: the figures of past years must not change.
    new_year = now.replace(month=1, day=1, hour=0, minute=0)

    def recent(moment: datetime, margin: int) -> datetime:
        return max(moment, new_year + timedelta(minutes=margin))

    waiting = [
        (timedelta(hours=3), AgeGroup.FROM_26_TO_35, ReferralConsent.YES, None),
        (timedelta(hours=20), AgeGroup.UNDER_18, ReferralConsent.NOT_ASKED, None),
        (timedelta(days=2, hours=4), AgeGroup.FROM_18_TO_25, ReferralConsent.YES, 0),
        (timedelta(days=4, hours=1), AgeGroup.FROM_36_TO_50, ReferralConsent.YES, None),
    ]
    for ago, age_group, consent, named in waiting:
        referred_at = recent(now - ago, 90)
        environment = Environment(str(_weighted(rng, ENVIRONMENTS)))
        contact = seeder.contact(
            at=recent(referred_at - timedelta(minutes=rng.randint(10, 60)), 0),
            environment=environment,
            district=str(_weighted(rng, DISTRICTS)),
            age_group=age_group,
            person=_person(rng, age_group),
            consent=consent,
        )
        services.referral_create(
            contact=contact,
            by=contact.staff.order_by("pk").first() or seeder.workers[0],
            to_coordinator=seeder.coordinators[named] if named is not None else None,
            note=rng.choice(REFERRAL_NOTES),
            at=referred_at,
        )
    for days_ago, alias in ((40, "Ilinca"), (12, "Precious")):
        day = (now - timedelta(days=days_ago)).date()
        accepted_at = recent(_moment(day, rng.randint(9, 15), rng), 120)
        referred_at = recent(accepted_at - timedelta(hours=rng.randint(3, 20)), 60)
        person = _person(rng, AgeGroup.FROM_26_TO_35)
        person.alias, person.sex = alias, Sex.FEMALE
        contact = seeder.contact(
            at=recent(referred_at - timedelta(minutes=30), 0),
            environment=Environment.HOTEL,
            district="norrmalm",
            age_group=AgeGroup.FROM_26_TO_35,
            person=person,
            consent=ReferralConsent.YES,
        )
        referral = services.referral_create(
            contact=contact,
            by=contact.staff.order_by("pk").first() or seeder.workers[0],
            at=referred_at,
            send_notifications=False,
        )
        coordinator = seeder.coordinators[days_ago % len(seeder.coordinators)]
        language = contact.language
        services.referral_accept_with_new_individual(
            referral=referral,
            by=coordinator,
            individual_fields={
                "alias": alias,
                "sex": Sex.FEMALE,
                "birth_year": timezone.localdate(accepted_at).year - rng.randint(26, 35),
                "citizenship": contact.presumed_nationality.code or "",
            },
            languages=[language] if language else [],
            coordinator=coordinator,
            category=Category.ADULT,
            opened_on=timezone.localdate(accepted_at),
            at=accepted_at,
            send_notifications=False,
        )
