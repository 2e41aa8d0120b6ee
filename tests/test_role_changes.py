"""Separation of duties: nobody changes their own roles (in the admin, through any form or
service), and every change of someone's roles is written to the access log and told to the
managers. The system administrator used to add the manager role to their own account in the
admin, and then read protected names."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AccessLogEntry, Notification, User
from accounts.roles import Role, forget_roles, user_roles
from accounts.services import user_set_roles
from tests.factories import UserFactory


def _change_form(user: User, groups: list[int], **extra) -> dict:
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "groups": groups,
        "_save": "Spara",
        **extra,
    }


def _group(role: Role) -> int:
    from django.contrib.auth.models import Group

    return Group.objects.get(name=role).pk


def _roles(user: User) -> set[str]:
    user = User.objects.get(pk=user.pk)
    forget_roles(user)
    return set(user_roles(user))


@pytest.fixture
def administrator(db):
    return UserFactory.create(username="ali", first_name="Ali", roles=[Role.ADMIN])


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("superuser", [False, True])
def test_an_administrator_cannot_give_themselves_a_role_in_the_admin(db, superuser, manager):
    administrator = UserFactory.create(
        username="root" if superuser else "ali",
        is_superuser=superuser,
        roles=[] if superuser else [Role.ADMIN],
    )
    client = _signed_in(administrator)
    url = reverse("admin:accounts_user_change", args=[administrator.pk])
    page = client.get(url).content.decode()
    assert "Ingen kan ändra sina egna roller" in page
    assert 'name="groups"' not in page
    response = client.post(
        url,
        _change_form(
            administrator,
            [_group(Role.MANAGER), _group(Role.ADMIN)],
            is_superuser="on",
            is_staff="on",
        ),
    )
    assert response.status_code == 302
    assert _roles(administrator) == {Role.ADMIN}
    assert User.objects.get(pk=administrator.pk).is_superuser is superuser
    # No protected name for them: still no case access at all.
    assert client.get(reverse("casework:case_list")).status_code == 404
    assert not AccessLogEntry.objects.filter(action="roles").exists()


def test_the_service_refuses_a_change_of_ones_own_roles(db, administrator):
    with pytest.raises(ValidationError) as refused:
        user_set_roles(user=administrator, roles=[Role.ADMIN, Role.MANAGER], by=administrator)
    assert "Ingen kan ändra sina egna roller" in str(refused.value)
    assert _roles(administrator) == {Role.ADMIN}


def test_a_role_change_is_logged_and_told_to_the_managers_without_names_in_the_email(
    db, administrator, coordinator, manager, django_capture_on_commit_callbacks
):
    client = _signed_in(administrator)
    url = reverse("admin:accounts_user_change", args=[coordinator.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, _change_form(coordinator, [_group(Role.COORDINATOR), _group(Role.MANAGER)])
        )
    assert response.status_code == 302
    assert _roles(coordinator) == {Role.COORDINATOR, Role.MANAGER}
    row = AccessLogEntry.objects.get(action="roles")
    assert (row.user, row.object_type, row.object_id) == (
        administrator,
        "accounts.user",
        str(coordinator.pk),
    )
    assert row.detail == "coordinator -> coordinator, manager"
    assert row.view_name == "admin:accounts_user_change"
    assert row.flagged is False
    told = Notification.objects.filter(kind="accounts.roles_changed")
    assert set(told.values_list("recipient", flat=True)) == {manager.pk, coordinator.pk}
    bell = _signed_in(manager).get(reverse("notifications")).content.decode()
    assert "Ali" in bell
    assert str(coordinator) in bell
    assert mail.outbox
    for message in mail.outbox:
        assert str(coordinator) not in message.body
        assert coordinator.username not in message.body


def test_saving_without_a_change_of_roles_logs_nothing(db, administrator, coordinator, manager):
    client = _signed_in(administrator)
    url = reverse("admin:accounts_user_change", args=[coordinator.pk])
    response = client.post(
        url, _change_form(coordinator, [_group(Role.COORDINATOR)], email="ny@x.se")
    )
    assert response.status_code == 302
    assert User.objects.get(pk=coordinator.pk).email == "ny@x.se"
    assert not AccessLogEntry.objects.filter(action="roles").exists()
    assert not Notification.objects.filter(kind="accounts.roles_changed").exists()


def test_a_new_account_with_roles_is_logged_and_told(db, administrator, manager):
    client = _signed_in(administrator)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "nyanstalld",
            "first_name": "Ny",
            "last_name": "Chef",
            "email": "ny@lotsa.invalid",
            "groups": [_group(Role.MANAGER)],
            "_save": "Spara",
        },
    )
    # Saved: the page with the new account's one-time link to choose a password.
    assert response.status_code == 200, response.content.decode()[:3000]
    created = User.objects.get(username="nyanstalld")
    assert "/accounts/password/" in response.content.decode()
    assert not created.has_usable_password()
    assert _roles(created) == {Role.MANAGER}
    row = AccessLogEntry.objects.get(action="roles")
    assert (row.user, row.object_id, row.detail) == (administrator, str(created.pk), " -> manager")
    assert Notification.objects.filter(kind="accounts.roles_changed", recipient=manager).exists()


def test_another_administrator_may_change_the_first_ones_roles(db, administrator, manager):
    colleague = UserFactory.create(username="bea", roles=[Role.ADMIN])
    user_set_roles(user=administrator, roles=[Role.ADMIN, Role.COORDINATOR], by=colleague)
    assert _roles(administrator) == {Role.ADMIN, Role.COORDINATOR}
    assert AccessLogEntry.objects.get(action="roles").user == colleague
