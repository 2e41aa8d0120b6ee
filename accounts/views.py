"""Signing in and out, and the notifications page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts import notifications
from accounts.forms import LoginForm
from accounts.models import Notification
from accounts.notifications import notification_text, notifications_for
from accounts.roles import staff_user
from core.forms import is_htmx


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


class PasswordSetView(auth_views.PasswordResetConfirmView):
    """A new account's one-time link (accounts.admin): the person chooses their own password.

    Django's password-reset tokens: the link works until LOTSA_ENROLMENT_LINK_HOURS have passed
    (PASSWORD_RESET_TIMEOUT) and only once, since a token is made from the password it replaces.
    Django moves the token from the address into the session before showing the form, so it
    does not leak through the Referer header. Not signed in afterwards: the person signs in
    with the new password (and the second step) like every day.
    """

    template_name = "accounts/password_set.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is set. Sign in with it now."))
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
