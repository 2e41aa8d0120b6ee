"""Template context shared by every page: the user's roles, for the navigation."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.roles import RoleSet, user_roles


def navigation(request: HttpRequest) -> dict[str, object]:
    return {"roles": RoleSet(user_roles(getattr(request, "user", None)))}
