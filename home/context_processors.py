"""Template context shared by every page: the user's roles (navigation), unread notifications and
the referrals waiting for a coordinator."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from accounts.notifications import unread_count
from accounts.roles import Role, RoleSet, user_roles
from outreach.selectors import pending_referrals_in


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    context: dict[str, object] = {"roles": RoleSet(user_roles(user))}
    if isinstance(user, User):
        # Lazy: pages that do not show the navigation (partials) cost no query.
        context["unread_notifications"] = SimpleLazyObject(lambda: unread_count(user))
        if Role.COORDINATOR in user_roles(user):
            # Outreach referrals waiting for this coordinator: one query, only when rendered.
            context["pending_referrals"] = SimpleLazyObject(
                lambda: pending_referrals_in(request, user)
            )
    return context
