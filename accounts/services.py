"""Writes to staff accounts."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import uuid4

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.audit import AccessSource, access_log_change
from accounts.models import AccessAction, User
from accounts.notifications import ROLES_CHANGED, notify_managers
from accounts.roles import Role, forget_roles


@transaction.atomic
def user_create(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    roles: Iterable[Role] = (),
    password: str | None = None,
) -> User:
    """Create a staff member with the given roles; without a password they cannot sign in yet."""
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.full_clean()
    user.save()
    user_set_roles(user=user, roles=roles)
    return user


@transaction.atomic
def user_set_roles(
    *,
    user: User,
    roles: Iterable[Role],
    by: User | None = None,
    source: AccessSource | None = None,
) -> None:
    """Replace the user's roles with `roles` (other groups the user is in are kept).

    `by` is the staff member making the change; None only for set-up outside Lotsa (the demo
    data, the test factories), where nobody signed in acts. Nobody may change their own roles:
    a system administrator could otherwise give themselves case access. A change made by
    someone is written to the access log and told to the managers (by role, never in the
    e-mail).
    """
    if by is not None and by.pk == user.pk:
        raise ValidationError(
            _("Nobody can change their own roles. Ask another system administrator."),
            code="own_roles",
        )
    wanted = {str(role) for role in roles}
    before = _role_names(user)
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*[group for group in role_groups if group.name not in wanted])
    user.groups.add(*[group for group in role_groups if group.name in wanted])
    forget_roles(user)
    after = _role_names(user)
    if by is None or before == after:
        return
    access_log_change(
        by=by,
        action=AccessAction.ROLES,
        obj=user,
        detail=f"{', '.join(before)} -> {', '.join(after)}",
        source=source,
        service="accounts.services.user_set_roles",
    )
    with translation.override(settings.LANGUAGE_CODE):
        labels = {name: str(Role(name).label) for name in Role.values}
        none = _("no role")
    notify_managers(
        key=f"roles-changed:{user.pk}:{uuid4().hex}",
        kind=ROLES_CHANGED,
        params={
            "by": str(by),
            "user": str(user),
            "before": ", ".join(labels[name] for name in before) or none,
            "after": ", ".join(labels[name] for name in after) or none,
        },
        besides=by,
    )


def _role_names(user: User) -> list[str]:
    """The roles a user holds through groups, in Role's order (a superuser's admin role is not
    a group, and cannot be given or taken here)."""
    names = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
    return [name for name in Role.values if name in names]
