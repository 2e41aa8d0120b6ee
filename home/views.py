"""The start page each role lands on: what a coordinator, an outreach worker, a manager and a
system administrator see first. They compose every app's panels; nothing imports this app."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.audit import access_log_record_many
from accounts.models import AccessAction
from accounts.roles import Role, role_required, staff_user, user_roles
from casework.selectors import identity_access, my_open_cases
from outreach.selectors import coordinator_inbox, outreach_start
from reflection_period.selectors import (
    DeadlineRow,
    start_coordinator_context,
    start_manager_context,
)
from reporting.selectors import year_overview

START_PAGES: dict[str, str] = {
    Role.COORDINATOR: "home:start_coordinator",
    Role.OUTREACH: "home:start_outreach",
    Role.MANAGER: "home:start_manager",
    Role.ADMIN: "home:start_admin",
}


@require_GET
@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the start page of their first role; explain when they have none."""
    roles = user_roles(request.user)
    for role in Role:
        if role.value in roles:
            return redirect(START_PAGES[role])
    return render(request, "home/no_role.html", status=403)


@require_GET
@role_required(Role.COORDINATOR)
def start_coordinator(request: HttpRequest) -> HttpResponse:
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
        "home/start_coordinator.html",
        {
            "my_cases": cases,
            "new_referrals": coordinator_inbox(request),
            "reflection_period": reflection_period,
        },
    )


@require_GET
@role_required(Role.OUTREACH)
def start_outreach(request: HttpRequest) -> HttpResponse:

    return render(request, "home/start_outreach.html", {"outreach_start": outreach_start(request)})


@require_GET
@role_required(Role.MANAGER)
def start_manager(request: HttpRequest) -> HttpResponse:

    today = timezone.localdate()
    return render(
        request,
        "home/start_manager.html",
        {
            "reflection_period": start_manager_context(staff_user(request)),
            "year": year_overview(year=today.year, as_of=today),
        },
    )


@require_GET
@role_required(Role.ADMIN)
def start_admin(request: HttpRequest) -> HttpResponse:
    return render(request, "home/start_admin.html")
