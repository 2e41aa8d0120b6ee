"""The admin site, opened to the `admin` role (system administrators) only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role
from core.search import SEARCH_MAX_LENGTH


class LotsaAdminSite(admin.AdminSite):
    site_header = _("Lotsa administration")
    site_title = _("Lotsa administration")
    index_title = _("Users, roles and reference data")

    def has_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.ADMIN)

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        # One sign-in page for everyone, so lockout (and two-factor) cannot be bypassed. A signed-in
        # user without the admin role gets 403, not a redirect loop between login and admin.
        target = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index")
        if request.user.is_authenticated:
            if self.has_permission(request):
                # Back from the sign-in page (and the second step): on to the page asked for.
                return redirect(target)
            raise PermissionDenied
        # The admin page asked for, not this login URL: after signing in, a system administrator
        # would otherwise come back here.
        return redirect_to_login(target)


class RoleModelAdmin(admin.ModelAdmin):
    """Base for every ModelAdmin in Lotsa: the admin role decides, not Django's model permissions."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, Role.ADMIN)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, Role.ADMIN)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        # The admin's search box is a free-text search like Lotsa's own (core.search): a
        # text over the limit finds nothing and says why (SQLite's LIKE fails on a huge one).
        if len(search_term.strip()) > SEARCH_MAX_LENGTH:
            messages.warning(
                request,
                _("The search text is too long: search with at most %(limit)s characters.")
                % {"limit": SEARCH_MAX_LENGTH},
            )
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
