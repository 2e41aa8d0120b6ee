"""Signing in and out, and the start page each role lands on."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import notifications
from accounts.audit import access_log_record_many
from accounts.forms import LoginForm
from accounts.models import AccessAction, Notification
from accounts.notifications import notification_text, notifications_for
from accounts.roles import Role, role_required, staff_user, user_roles
from config.forms import is_htmx

START_PAGES: dict[str, str] = {
    Role.COORDINATOR: "accounts:start_coordinator",
    Role.OUTREACH: "accounts:start_outreach",
    Role.MANAGER: "accounts:start_manager",
    Role.ADMIN: "accounts:start_admin",
}


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        # With single sign-on on, the page offers it first; the password form stays, for
        # everyone or (LOTSA_LOCAL_SIGN_IN_USERS) as the named superusers' break glass.
        context["sso_enabled"] = settings.LOTSA_OIDC_ENABLED
        context["password_break_glass_only"] = bool(settings.LOTSA_LOCAL_SIGN_IN_USERS)
        return context


# After a sign-in with the city's account (the sso app): the provider's end-session address,
# where signing out continues so that the session there ends too (RP-initiated logout).
SESSION_PROVIDER_LOGOUT_URL = "lotsa_provider_logout_url"


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign anyone out.

    A session signed in with the city's account goes on to `signed_out`, which sends the browser
    to the provider to end the session there as well. Not straight from here: a redirect that
    follows a form's POST must stay on Lotsa (the Content-Security-Policy's form-action 'self').
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        provider_logout = request.session.get(SESSION_PROVIDER_LOGOUT_URL)
        response = super().post(request, *args, **kwargs)
        if isinstance(provider_logout, str) and provider_logout:
            # The session is new and empty now: it carries only this address to the next page.
            request.session[SESSION_PROVIDER_LOGOUT_URL] = provider_logout
            return redirect("accounts:signed_out")
        return response


@never_cache
@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    """Signed out of Lotsa; on to the city's sign-in service to sign out there too."""
    provider_logout = request.session.pop(SESSION_PROVIDER_LOGOUT_URL, None)
    if request.user.is_authenticated or not isinstance(provider_logout, str):
        return redirect("accounts:login")
    return render(request, "accounts/signed_out.html", {"provider_logout_url": provider_logout})


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the start page of their first role; explain when they have none."""
    roles = user_roles(request.user)
    for role in Role:
        if role.value in roles:
            return redirect(START_PAGES[role])
    return render(request, "accounts/no_role.html", status=403)


@require_GET
@role_required(Role.COORDINATOR)
def start_coordinator(request: HttpRequest) -> HttpResponse:
    from casework.selectors import identity_access, my_open_cases
    from outreach.selectors import coordinator_inbox
    from reflection_period.selectors import DeadlineRow, start_coordinator_context

    user = staff_user(request)
    access = identity_access(user)
    cases = [(case, access.case_identity(case)) for case in my_open_cases(user)]
    reflection_period = start_coordinator_context(user)
    deadlines = cast("list[DeadlineRow]", reflection_period["deadlines"])
    # My cases and my deadlines name cases and their people: reads, logged (one row per case).
    shown = {case.pk: case.individual_id for case, _identity in cases}
    shown.update((row.case.pk, row.case.individual_id) for row in deadlines)
    access_log_record_many(
        request=request,
        action=AccessAction.VIEW,
        object_type="casework.case",
        items=[(str(pk), individual_id) for pk, individual_id in shown.items()],
        detail="start page",
    )
    return render(
        request,
        "accounts/start_coordinator.html",
        {
            "my_cases": cases,
            "new_referrals": coordinator_inbox(request),
            "reflection_period": reflection_period,
        },
    )


@require_GET
@role_required(Role.OUTREACH)
def start_outreach(request: HttpRequest) -> HttpResponse:
    from outreach.selectors import outreach_start

    return render(
        request, "accounts/start_outreach.html", {"outreach_start": outreach_start(request)}
    )


@require_GET
@role_required(Role.MANAGER)
def start_manager(request: HttpRequest) -> HttpResponse:
    from reflection_period.selectors import start_manager_context
    from reporting.selectors import annual_statistics

    today = timezone.localdate()
    return render(
        request,
        "accounts/start_manager.html",
        {
            "reflection_period": start_manager_context(staff_user(request)),
            "year": annual_statistics(year=today.year, as_of=today),
        },
    )


@require_GET
@role_required(Role.ADMIN)
def start_admin(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/start_admin.html")


@require_GET
@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    items = [
        (notification, notification_text(notification))
        for notification in notifications_for(user)[:200]
    ]
    return render(request, "accounts/notifications.html", {"items": items})


@require_POST
@login_required
def notification_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    notification = get_object_or_404(Notification, pk=pk, recipient=user)
    notifications.notification_acknowledge(notification=notification, by=user)
    if is_htmx(request):
        return render(
            request,
            "accounts/_notification.html",
            {"notification": notification, "text": notification_text(notification)},
        )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notifications")


@require_POST
@login_required
def notification_acknowledge_all(request: HttpRequest) -> HttpResponse:
    count = notifications.notifications_acknowledge_all(by=staff_user(request))
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications")
