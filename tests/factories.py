"""factory_boy factories for the tests. Personas (fixtures) in conftest.py build on these."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import factory
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_roles
from casework.models import Case, Category, Individual, Origin, Sex
from outreach.models import AgeGroup, District, Environment, OutreachContact, ReferralConsent

TEST_PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@lotsa.invalid")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(self: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            user_set_roles(user=self, roles=[Role(role) for role in extracted])


class IndividualFactory(factory.django.DjangoModelFactory[Individual]):
    class Meta:
        model = Individual

    reference = factory.Sequence(lambda n: f"IND-9{n:05d}")
    alias = factory.Sequence(lambda n: f"Alias {n}")
    sex = Sex.FEMALE
    birth_year = 1995
    created_by = factory.SubFactory(UserFactory, roles=[Role.COORDINATOR])


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
    coordinator = factory.SubFactory(UserFactory, roles=[Role.COORDINATOR])
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
    created_by = factory.SubFactory(UserFactory, roles=[Role.OUTREACH])

    @factory.post_generation
    def staff(self: OutreachContact, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.staff.set(extracted or [self.created_by])
