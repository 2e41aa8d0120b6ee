"""Demo reflection-period applications on the casework demo's cases.

Made through the services, deterministically (cases are chosen by queries in a fixed order),
so that 2024 gives exactly the seed document's figures, which the statistics issue asserts:

- 14 applications by the social welfare committee submitted in 2024, on 14 adult cases open on
  the day of submission, for 14 different people;
- as of 2025-03-31: 12 granted, 1 rejected, 1 pending (decided in April 2025); the 12 grants and
  the rejection decided in 2024, so 12 people had the rights package activated in 2024;
- 9 of them for sexual purposes, all for women; 5 for labour, none of those sexual;
- exactly one social-services application submitted from 1 January to 31 March 2025.

Around them, data that leaves those figures alone: police and prosecutor applications in 2024
for people already granted (an extension, a permit of at least six months), social-services
applications in 2023 and after March 2025, one withdrawn (June 2025), next steps recorded on
every past permit (so old data sends no reminders), and a handful of applications relative to
today on open cases, so the deadline board and the bell show something real.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from casework.models import Case, Category, Offence, Purpose, Sex
from reflection_period import services
from reflection_period.models import (
    APPLICATION_OFFENCES,
    Applicant,
    ApplicationEvent,
    EventKind,
    LegalBasis,
    NextStep,
    ReflectionPeriodApplication,
    Status,
)
from reflection_period.workdays import add_working_days, subtract_working_days

# The 2024 figures of the seed document that this data must give.
SEXUAL_2024 = 9
LABOUR_2024 = 5

CIRCUMSTANCES_SEXUAL = (
    "Personen kom till enheten via {origin}. Hon berättar att hon rekryterades i hemlandet med "
    "löfte om arbete i Sverige, att resan ordnades och betalades av andra och att hon sedan "
    "tvingats sälja sex och lämna ifrån sig pengarna för att betala av en skuld. Hon har inget "
    "uppehållstillstånd. Hon behöver tid för att återhämta sig och för att ta ställning till om "
    "hon vill medverka i en brottsutredning."
)
CIRCUMSTANCES_BEGGING = (
    "Personen kom till enheten via {origin}. Personen har transporterats till Sverige av andra, "
    "placerats för att tigga på anvisade platser och tvingats lämna ifrån sig det insamlade. "
    "Personen saknar uppehållstillstånd och behöver tid för återhämtning och för att ta "
    "ställning till om hon eller han vill medverka i en brottsutredning."
)
CIRCUMSTANCES_OTHER = (
    "Personen kom till enheten via {origin}. Det finns tecken på att personen har utnyttjats av "
    "andra och står under deras kontroll. Personen saknar uppehållstillstånd och behöver tid "
    "för återhämtning och för att ta ställning till om hon eller han vill medverka i en "
    "brottsutredning."
)
CIRCUMSTANCES_LABOUR = (
    "Personen kom till enheten via {origin}. Personen har arbetat långa dagar utan eller med "
    "mycket låg lön, bott på arbetsplatsen och fått passet omhändertaget av arbetsgivaren. "
    "Personen saknar uppehållstillstånd och behöver tid för återhämtning och för att ta "
    "ställning till om hon eller han vill medverka i en brottsutredning."
)
POLICE_CONTACT = "Polismyndigheten, region Stockholm, förundersökningsledare"
PROSECUTOR_CONTACT = (
    "Åklagarmyndigheten, Riksenheten mot internationell och organiserad brottslighet"
)

# Next steps of the 2024 grants, in the order of their decisions. The first three lead to
# applications by the head of the preliminary investigation (all decided in 2024).
NEXT_STEPS_2024 = [
    NextStep.EXTENSION,
    NextStep.LONG_TERM_PERMIT,
    NextStep.EXTENSION,
    NextStep.POLICE_REPORT,
    NextStep.SAFE_RETURN,
    NextStep.POLICE_REPORT,
    NextStep.LEFT_COUNTRY,
    NextStep.POLICE_REPORT,
    NextStep.SAFE_RETURN,
    NextStep.OTHER,
    NextStep.POLICE_REPORT,
    NextStep.UNKNOWN,
]


class DemoDataError(RuntimeError):
    """The casework demo no longer has the cases this demo needs: fail loudly."""


@dataclass
class Picker:
    """Chooses demo cases with queries, in a fixed order, never the same person twice."""

    used: set[int]

    def adult_cases(self, *, opened: tuple[date, date], open_days: int) -> QuerySet[Case]:
        """Adult cases opened in the range and open for at least `open_days` after opening."""
        return (
            Case.objects.filter(category=Category.ADULT, opened_on__range=opened)
            .filter(
                Q(closed_on__isnull=True)
                | Q(closed_on__gte=F("opened_on") + timedelta(days=open_days))
            )
            .exclude(individual_id__in=self.used)
            .select_related("individual", "coordinator")
            .order_by("opened_on", "pk")
            .distinct()
        )

    def take(self, cases: QuerySet[Case], count: int, what: str) -> list[Case]:
        """`count` cases spread evenly over the candidates (in opening order)."""
        candidates = list(cases)
        if len(candidates) < count:
            raise DemoDataError(
                f"The casework demo has {len(candidates)} cases for {what}, {count} needed. "
                "Did casework/demo.py change?"
            )
        if count == 1:
            chosen = [candidates[0]]
        else:
            step = (len(candidates) - 1) / (count - 1)
            chosen = [candidates[round(i * step)] for i in range(count)]
        self.used.update(case.individual_id for case in chosen)
        return chosen


def _sexual(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(individual__sex=Sex.FEMALE, purposes__purpose=Purpose.SEXUAL)


def _labour(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(purposes__purpose=Purpose.LABOUR).exclude(purposes__purpose=Purpose.SEXUAL)


def _offence(case: Case) -> str:
    """The case's suspected offence; trafficking where the case leaves it unclear."""
    return case.offence if case.offence in APPLICATION_OFFENCES else Offence.TRAFFICKING


def _purposes(case: Case) -> list[str]:
    return sorted(case.purposes.values_list("purpose", flat=True))


def _circumstances(case: Case) -> str:
    origin = str(case.get_origin_display()).lower()
    template = CIRCUMSTANCES_SEXUAL if Purpose.SEXUAL in _purposes(case) else CIRCUMSTANCES_LABOUR
    return template.format(origin=origin)


def _agency_number(day: date, sequence: int) -> str:
    return f"{day:%y}-{431207 + sequence * 37:06d}"


def _backdate(application: ReflectionPeriodApplication, drafted: date) -> None:
    """Demo history: written and recorded on the days it happened, not the day of the demo."""
    ReflectionPeriodApplication.objects.filter(pk=application.pk).update(
        created_at=timezone.make_aware(datetime.combine(drafted, time(9, 30)))
    )
    ApplicationEvent.objects.filter(
        application=application, kind__in=[EventKind.CREATED, EventKind.RECORDED]
    ).update(on=drafted)
    for event in ApplicationEvent.objects.filter(application=application):
        first = event.kind in (EventKind.CREATED, EventKind.RECORDED)
        ApplicationEvent.objects.filter(pk=event.pk).update(
            at=timezone.make_aware(datetime.combine(event.on, time(9, 30) if first else time(15)))
        )


@dataclass
class Counter:
    value: int = 0

    def next(self) -> int:
        self.value += 1
        return self.value


def _apply(
    case: Case,
    *,
    submitted_on: date,
    numbers: Counter,
    applicant: Applicant = Applicant.SOCIAL_SERVICES,
    legal_basis: LegalBasis = LegalBasis.REFLECTION_PERIOD,
    contact: str = "",
) -> ReflectionPeriodApplication:
    coordinator = case.coordinator
    social_services = applicant == Applicant.SOCIAL_SERVICES
    application = services.application_create(
        case=case,
        by=coordinator,
        applicant=applicant,
        legal_basis=legal_basis,
        applicant_contact=contact,
        offence=_offence(case),
        purposes=_purposes(case) or [Purpose.OTHER],
        circumstances=_circumstances(case) if social_services else "",
        submitted_on=submitted_on,
        migration_agency_number=_agency_number(submitted_on, numbers.next()),
    )
    drafted = subtract_working_days(submitted_on, 1) if social_services else submitted_on
    _backdate(application, max(drafted, case.opened_on))
    return application


def _grant(
    application: ReflectionPeriodApplication,
    decided_on: date,
    *,
    days: int = 30,
) -> ReflectionPeriodApplication:
    return services.application_record_decision(
        application=application,
        by=application.case.coordinator,
        decision=Status.GRANTED,
        decided_on=decided_on,
        valid_from=decided_on,
        valid_to=decided_on + timedelta(days=days - 1),
    )


def _reject(application: ReflectionPeriodApplication, decided_on: date) -> None:
    services.application_record_decision(
        application=application,
        by=application.case.coordinator,
        decision=Status.REJECTED,
        decided_on=decided_on,
    )


def _next_step(
    application: ReflectionPeriodApplication, step: NextStep, on: date, note: str = ""
) -> None:
    services.application_record_next_step(
        application=application,
        by=application.case.coordinator,
        next_step=step,
        next_step_on=on,
        note=note,
    )


def seed() -> int:
    """Create the demo applications unless some exist. Returns how many were created."""
    if ReflectionPeriodApplication.objects.exists():
        return 0
    if not Case.objects.exists():
        raise DemoDataError("Seed the casework demo first.")
    picker = Picker(used=set())
    numbers = Counter()
    _seed_2024(picker, numbers)
    _seed_other_years(picker, numbers)
    _seed_today(picker, numbers)
    return ReflectionPeriodApplication.objects.count()


def _seed_2024(picker: Picker, numbers: Counter) -> None:
    in_2024 = (date(2024, 1, 2), date(2024, 11, 15))
    sexual = picker.take(
        _sexual(picker.adult_cases(opened=in_2024, open_days=50)),
        SEXUAL_2024,
        "sexual purposes (women, 2024)",
    )
    labour = picker.take(
        _labour(picker.adult_cases(opened=in_2024, open_days=50)),
        LABOUR_2024 - 1,
        "labour (2024)",
    )
    # The one still pending on 2025-03-31: submitted in December 2024, granted in April 2025.
    (late,) = picker.take(
        _labour(
            picker.adult_cases(opened=(date(2024, 9, 1), date(2024, 12, 6)), open_days=1)
        ).filter(Q(closed_on__isnull=True) | Q(closed_on__gte=date(2025, 5, 15))),
        1,
        "labour, open from December 2024 to May 2025",
    )
    decided: list[ReflectionPeriodApplication] = []
    for case in sexual + labour:
        submitted = add_working_days(case.opened_on, 2)
        application = _apply(case, submitted_on=submitted, numbers=numbers)
        decided_on = add_working_days(submitted, 2)
        if case is labour[-1]:
            _reject(application, decided_on)
            _next_step(
                application,
                NextStep.SAFE_RETURN,
                decided_on + timedelta(days=12),
                "Återvändande via IOM planerat.",
            )
        else:
            decided.append(_grant(application, decided_on))
    decided.sort(key=lambda app: (app.decided_on or date.min, app.pk))
    for application, step in zip(decided, NEXT_STEPS_2024, strict=True):
        _follow_up_2024(application, step, numbers)
    submitted = max(add_working_days(late.opened_on, 2), date(2024, 12, 11))
    pending = _apply(late, submitted_on=submitted, numbers=numbers)
    granted = _grant(pending, date(2025, 4, 8))
    _next_step(granted, NextStep.POLICE_REPORT, date(2025, 4, 30))


def _follow_up_2024(
    application: ReflectionPeriodApplication, step: NextStep, numbers: Counter
) -> None:
    """The next step of a 2024 permit; extensions and longer permits are applied for by the
    head of the preliminary investigation, for the same person, and decided in 2024."""
    assert application.valid_to is not None  # noqa: S101  (granted just above)
    valid_to = application.valid_to
    _next_step(application, step, valid_to - timedelta(days=4))
    if step not in (NextStep.EXTENSION, NextStep.LONG_TERM_PERMIT):
        return
    long_term = step == NextStep.LONG_TERM_PERMIT
    follow_up = _apply(
        application.case,
        submitted_on=valid_to - timedelta(days=4),
        numbers=numbers,
        applicant=Applicant.PROSECUTOR if long_term else Applicant.POLICE,
        legal_basis=LegalBasis.LONG_TERM if long_term else LegalBasis.EXTENSION,
        contact=PROSECUTOR_CONTACT if long_term else POLICE_CONTACT,
    )
    decided_on = valid_to - timedelta(days=1)
    if decided_on.year != 2024:
        raise DemoDataError("A 2024 follow-up permit would be decided outside 2024.")
    granted = services.application_record_decision(
        application=follow_up,
        by=follow_up.case.coordinator,
        decision=Status.GRANTED,
        decided_on=decided_on,
        valid_from=valid_to + timedelta(days=1),
        valid_to=valid_to + timedelta(days=183 if long_term else 30),
    )
    assert granted.valid_to is not None  # noqa: S101  (granted just above)
    _next_step(
        granted,
        NextStep.POLICE_REPORT if long_term else NextStep.OTHER,
        min(granted.valid_to - timedelta(days=5), date(2025, 11, 1)),
        "Huvudförhandling hållen." if long_term else "Förundersökningen nedlagd; stöd avslutat.",
    )


def _seed_other_years(picker: Picker, numbers: Counter) -> None:
    # 2023: two applications, both granted in 2023.
    for case in picker.take(
        picker.adult_cases(opened=(date(2023, 3, 1), date(2023, 10, 31)), open_days=50),
        2,
        "2023",
    ):
        submitted = add_working_days(case.opened_on, 3)
        granted = _grant(
            _apply(case, submitted_on=submitted, numbers=numbers), add_working_days(submitted, 1)
        )
        assert granted.valid_to is not None  # noqa: S101
        _next_step(granted, NextStep.SAFE_RETURN, granted.valid_to - timedelta(days=6))
    # January to March 2025: exactly one.
    (case,) = picker.take(
        picker.adult_cases(opened=(date(2025, 1, 8), date(2025, 2, 28)), open_days=50),
        1,
        "January-February 2025",
    )
    submitted = add_working_days(case.opened_on, 2)
    granted = _grant(
        _apply(case, submitted_on=submitted, numbers=numbers), add_working_days(submitted, 2)
    )
    assert granted.valid_to is not None  # noqa: S101
    _next_step(granted, NextStep.POLICE_REPORT, granted.valid_to - timedelta(days=3))
    # After March 2025: one granted, one rejected, one withdrawn before a decision.
    granted_case, rejected_case, withdrawn_case = picker.take(
        picker.adult_cases(opened=(date(2025, 4, 1), date(2025, 10, 15)), open_days=50),
        3,
        "April-October 2025",
    )
    submitted = add_working_days(granted_case.opened_on, 2)
    granted = _grant(
        _apply(granted_case, submitted_on=submitted, numbers=numbers),
        add_working_days(submitted, 3),
    )
    assert granted.valid_to is not None  # noqa: S101
    _next_step(granted, NextStep.LONG_TERM_PERMIT, granted.valid_to - timedelta(days=2))
    submitted = add_working_days(rejected_case.opened_on, 2)
    rejected = _apply(rejected_case, submitted_on=submitted, numbers=numbers)
    _reject(rejected, add_working_days(submitted, 4))
    _next_step(rejected, NextStep.LEFT_COUNTRY, add_working_days(submitted, 15))
    submitted = add_working_days(withdrawn_case.opened_on, 2)
    withdrawn = _apply(withdrawn_case, submitted_on=submitted, numbers=numbers)
    services.application_withdraw(
        application=withdrawn,
        by=withdrawn.case.coordinator,
        withdrawn_on=add_working_days(submitted, 1),
        reason="Personen lämnade Sverige innan Migrationsverket hann besluta.",
    )


def _seed_today(picker: Picker, numbers: Counter) -> None:
    """A few applications relative to today on open cases, for the board and the bell."""
    today = timezone.localdate()
    first_coordinator = User.objects.filter(groups__name="coordinator").order_by("pk").first()
    open_cases = picker.adult_cases(
        opened=(date(2024, 1, 1), today - timedelta(days=60)), open_days=0
    ).filter(closed_on__isnull=True)
    mine = open_cases.filter(coordinator=first_coordinator)
    waiting, ending, running, draft = picker.take(mine, 4, "open cases of the first coordinator")
    (overdue,) = picker.take(
        open_cases.exclude(coordinator=first_coordinator), 1, "open cases of others"
    )
    # Submitted three working days ago, no decision yet: "no decision yet" is due.
    _apply(waiting, submitted_on=subtract_working_days(today, 3), numbers=numbers)
    # Submitted six working days ago: overdue, escalated to the managers.
    _apply(overdue, submitted_on=subtract_working_days(today, 6), numbers=numbers)
    # Permits ending in 5 and in 20 days, no next step yet.
    for case, days_left in ((ending, 5), (running, 20)):
        valid_to = today + timedelta(days=days_left)
        valid_from = valid_to - timedelta(days=29)
        application = _apply(
            case, submitted_on=subtract_working_days(valid_from, 2), numbers=numbers
        )
        _grant(application, valid_from)
    # A draft written three days ago and not sent.
    application = services.application_create(
        case=draft,
        by=draft.coordinator,
        offence=_offence(draft),
        purposes=_purposes(draft) or [Purpose.OTHER],
        circumstances=_circumstances(draft),
    )
    _backdate(application, today - timedelta(days=3))
    services.application_refresh_deadline(application=application)
