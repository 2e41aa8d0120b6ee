"""factory_boy factories for the tests. Personas (fixtures) in conftest.py build on these."""

from __future__ import annotations

from typing import Any

import factory

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_roles

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
