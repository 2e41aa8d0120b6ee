"""Roles: which kind of work a staff member does, and so what they may see.

A role is a Django group with a fixed name (created by a data migration). One person can hold
several roles. Views, templates and admin all ask `has_role()`; nothing else inspects groups.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase
    from django_stubs_ext import StrOrPromise


class Role(models.TextChoices):
    """The four roles of the unit, in the order a start page is chosen."""

    COORDINATOR = "coordinator", _("Regional coordinator")
    OUTREACH = "outreach", _("Outreach worker")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("System administrator")


_CACHE_ATTR = "_lotsa_roles"


def user_roles(user: object) -> frozenset[str]:
    """The role names a user holds (empty for anonymous or inactive users).

    Cached on the user object, so a request asks the database once however often it checks.
    A superuser is a system administrator; other roles must be granted explicitly, since they
    open personal data.
    """
    if not isinstance(user, User) or not user.is_active:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        names = set(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if user.is_superuser:
            names.add(Role.ADMIN)
        cached = frozenset(names)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def has_role(user: object, *roles: Role | str) -> bool:
    """True if the user holds at least one of `roles`."""
    return not user_roles(user).isdisjoint(str(role) for role in roles)


def require_role(
    user: object, role: Role, message: StrOrPromise, *, field: str | None = None
) -> None:
    """A service's rule that `user` holds `role`: otherwise a ValidationError saying `message`
    (the view shows it on the form). With `field`, the user is a value chosen in that field
    (e.g. a case's coordinator) and the message goes next to it."""
    if has_role(user, role):
        return
    if field is not None:
        raise ValidationError({field: message})
    raise ValidationError(message, code="role")


def staff_user(request: HttpRequest) -> User:
    """The signed-in staff member of a request; 403 for anyone else."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


def forget_roles(user: object) -> None:
    """Drop the cached roles after the user's groups changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# Any response: a file download is a FileResponse (streamed), not an HttpResponse.
ViewFunc = TypeVar("ViewFunc", bound=Callable[..., "HttpResponseBase"])


def role_required(*roles: Role) -> Callable[[ViewFunc], ViewFunc]:
    """View decorator: sign-in required, then 403 unless the user holds one of `roles`."""

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapped)  # type: ignore[return-value]

    return decorator


class RoleSet:
    """Attribute access to a user's roles for templates: `{% if roles.coordinator %}`."""

    def __init__(self, names: frozenset[str]) -> None:
        self._names = names

    def __getattr__(self, name: str) -> bool:
        if name.startswith("_"):
            raise AttributeError(name)
        return name in self._names

    def __bool__(self) -> bool:
        return bool(self._names)

    def __iter__(self) -> Any:
        return (role for role in Role if role.value in self._names)
