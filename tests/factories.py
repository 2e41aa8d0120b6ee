"""factory_boy factories for the tests. Personas (fixtures) in conftest.py build on these.

They write rows directly (fast), as the services would leave them, for tests about what is read
back (lists, statistics, exports, access); a test about a service's own work (history, access
log, notifications, deadlines) goes through the service. Each has sensible defaults: say only
what the test is about, e.g. `CaseFactory.create(individual__birth_year=2010)`,
`ApplicationFactory.create(granted=True)`, `ReferralFactory.create(accepted=True)`,
`ManagerFactory.create()`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_roles
from casework.models import Case, Category, Individual, Origin, Sex
from outreach.models import (
    AgeGroup,
    District,
    Environment,
    OutreachContact,
    Referral,
    ReferralConsent,
    ReferralStatus,
)
from reflection_period.models import (
    Applicant,
    ApplicationPurpose,
    ReflectionPeriodApplication,
    Status,
)

TEST_PASSWORD = "a-long-test-password-1"


def _roles(*default: Role) -> Any:
    """The staff member's roles: `roles=[...]` when given, else `default` (none for a user)."""

    def assign(user: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        roles = default if extracted is None else extracted
        if create and roles:
            user_set_roles(user=user, roles=[Role(role) for role in roles])

    return factory.PostGeneration(assign)


class UserFactory(factory.django.DjangoModelFactory[User]):
    """A signed-in user without a role (`roles=[...]` gives some); the role factories below
    give staff of one role."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@lotsa.invalid")
    password = factory.django.Password(TEST_PASSWORD)
    roles = _roles()


class CoordinatorFactory(UserFactory):
    roles = _roles(Role.COORDINATOR)


class OutreachWorkerFactory(UserFactory):
    roles = _roles(Role.OUTREACH)


class ManagerFactory(UserFactory):
    roles = _roles(Role.MANAGER)


class AdminFactory(UserFactory):
    roles = _roles(Role.ADMIN)


class IndividualFactory(factory.django.DjangoModelFactory[Individual]):
    class Meta:
        model = Individual

    reference = factory.Sequence(lambda n: f"IND-9{n:05d}")
    alias = factory.Sequence(lambda n: f"Alias {n}")
    sex = Sex.FEMALE
    birth_year = 1995
    created_by = factory.SubFactory(CoordinatorFactory)


class CaseFactory(factory.django.DjangoModelFactory[Case]):
    """A case built directly (fast); numbers from 9000 up never meet the service's numbers."""

    class Meta:
        model = Case

    individual = factory.SubFactory(IndividualFactory)
    year = 2024
    sequence = factory.Sequence(lambda n: 9000 + n)
    number = factory.LazyAttribute(lambda c: f"{c.year}-{c.sequence:04d}")
    category = Category.ADULT
    opened_on = factory.LazyAttribute(lambda c: date(c.year, 3, 1))
    coordinator = factory.SubFactory(CoordinatorFactory)
    origin = Origin.POLICE
    created_by = factory.LazyAttribute(lambda c: c.coordinator)


# --- Outreach -------------------------------------------------------------------------------------


class OutreachContactFactory(factory.django.DjangoModelFactory[OutreachContact]):
    """A contact built directly (fast): made an hour ago on the street in Norrmalm, with consent.

    The staff present default to the worker who logged it.
    """

    class Meta:
        model = OutreachContact
        skip_postgeneration_save = True

    contacted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    environment = Environment.STREET
    district = factory.LazyFunction(lambda: District.objects.get(code="norrmalm"))
    alias = factory.Sequence(lambda n: f"Kontakt {n}")
    sex = Sex.FEMALE
    age_group = AgeGroup.FROM_26_TO_35
    consent = ReferralConsent.YES
    created_by = factory.SubFactory(OutreachWorkerFactory)

    @factory.post_generation
    def staff(self: OutreachContact, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.staff.set(extracted or [self.created_by])


class ReferralFactory(factory.django.DjangoModelFactory[Referral]):
    """A referral waiting in the coordinators' inbox, made by the contact's worker 20 minutes
    after the contact (with its consent). `accepted=True`: into a new case (`case=` to choose),
    20 minutes later, by the case's coordinator; `declined=True`: with a reason."""

    class Meta:
        model = Referral

    class Params:
        accepted = factory.Trait(
            status=ReferralStatus.ACCEPTED,
            case=factory.SubFactory(CaseFactory),
            accepted_at=factory.LazyAttribute(lambda r: r.referred_at + timedelta(minutes=20)),
            accepted_by=factory.LazyAttribute(lambda r: r.case.coordinator),
        )
        declined = factory.Trait(
            status=ReferralStatus.DECLINED,
            declined_at=factory.LazyAttribute(lambda r: r.referred_at + timedelta(minutes=20)),
            declined_by=factory.SubFactory(CoordinatorFactory),
            decline_reason="Ingen kontakt",
        )

    contact = factory.SubFactory(OutreachContactFactory)
    status = ReferralStatus.PENDING
    consent_given = factory.LazyAttribute(lambda r: r.contact.consent == ReferralConsent.YES)
    presumed_minor = factory.LazyAttribute(lambda r: r.contact.age_group == AgeGroup.UNDER_18)
    referred_at = factory.LazyAttribute(lambda r: r.contact.contacted_at + timedelta(minutes=20))
    referred_by = factory.LazyAttribute(lambda r: r.contact.created_by)


# --- Reflection period ----------------------------------------------------------------------------


class ApplicationFactory(factory.django.DjangoModelFactory[ReflectionPeriodApplication]):
    """A coordinator's draft application (trafficking for sexual purposes) for a new case.

    `submitted=True`: sent on 1 April 2024 for a 30-year-old woman (the snapshot the statistics
    read); `granted=True`: also granted two days later, valid for a month; `rejected=True`: also
    rejected. `purposes=[...]` names the purposes.
    """

    class Meta:
        model = ReflectionPeriodApplication
        skip_postgeneration_save = True

    class Params:
        submitted = factory.Trait(
            status=Status.SUBMITTED,
            submitted_on=date(2024, 4, 1),
            person_age=30,
            person_sex=Sex.FEMALE,
        )
        granted = factory.Trait(
            submitted=True,
            status=Status.GRANTED,
            decided_on=factory.LazyAttribute(lambda a: a.submitted_on + timedelta(days=2)),
            valid_from=factory.LazyAttribute(lambda a: a.decided_on),
            valid_to=factory.LazyAttribute(lambda a: a.decided_on + timedelta(days=30)),
        )
        rejected = factory.Trait(
            submitted=True,
            status=Status.REJECTED,
            decided_on=factory.LazyAttribute(lambda a: a.submitted_on + timedelta(days=2)),
        )

    case = factory.SubFactory(CaseFactory)
    applicant = Applicant.SOCIAL_SERVICES
    offence = "trafficking"
    status = Status.DRAFT
    applied_by = factory.LazyAttribute(
        lambda a: a.case.coordinator if a.applicant == Applicant.SOCIAL_SERVICES else None
    )
    created_by = factory.LazyAttribute(lambda a: a.case.coordinator)

    @factory.post_generation
    def purposes(
        self: ReflectionPeriodApplication, create: bool, extracted: Any, **kwargs: Any
    ) -> None:
        if create:
            for purpose in ("sexual",) if extracted is None else extracted:
                ApplicationPurpose.objects.create(application=self, purpose=purpose)
