"""Signing in and out, and the notifications page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
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


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link cannot sign anyone out."""


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
