"""The role helper: the one place that decides "does this user have role X"."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group

from accounts.roles import Role, RoleSet, has_role, user_roles
from accounts.services import user_set_roles
from tests.factories import UserFactory


def test_the_four_roles_exist_as_groups(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "coordinator",
        "outreach",
        "manager",
        "admin",
    }


def test_has_role(db):
    user = UserFactory.create(roles=[Role.COORDINATOR, Role.MANAGER])
    assert has_role(user, Role.COORDINATOR)
    assert has_role(user, Role.OUTREACH, Role.MANAGER)
    assert not has_role(user, Role.OUTREACH)
    assert not has_role(user, Role.ADMIN)


def test_anonymous_and_inactive_users_have_no_roles(db):
    assert user_roles(AnonymousUser()) == frozenset()
    user = UserFactory.create(roles=[Role.COORDINATOR], is_active=False)
    assert not has_role(user, Role.COORDINATOR)


def test_a_superuser_is_an_administrator_but_sees_no_case_content(db):
    user = UserFactory.create(is_superuser=True)
    assert has_role(user, Role.ADMIN)
    assert not has_role(user, Role.COORDINATOR, Role.MANAGER, Role.OUTREACH)


def test_roles_are_read_once_per_user_object(db, django_assert_num_queries):
    user = UserFactory.create(roles=[Role.OUTREACH])
    user = type(user).objects.get(pk=user.pk)
    with django_assert_num_queries(1):
        for _ in range(5):
            has_role(user, Role.OUTREACH)


def test_changing_roles_takes_effect_at_once(db):
    user = UserFactory.create(roles=[Role.OUTREACH])
    assert has_role(user, Role.OUTREACH)
    user_set_roles(user=user, roles=[Role.COORDINATOR])
    assert has_role(user, Role.COORDINATOR)
    assert not has_role(user, Role.OUTREACH)


def test_other_groups_are_not_roles(db):
    user = UserFactory.create()
    user.groups.add(Group.objects.create(name="book club"))
    assert user_roles(user) == frozenset()


def test_roleset_for_templates(db):
    roles = RoleSet(frozenset({"manager"}))
    assert roles.manager
    assert not roles.coordinator
    assert bool(roles)
    assert not RoleSet(frozenset())
