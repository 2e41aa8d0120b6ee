"""The managers' retention pages ("Gallring"): the runs, a run's dry-run list, confirm, cancel.

Manager only. The dry-run list names individuals by reference and cases by number, never by
name; opening it is still written to the access log, as every list of individuals is.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import access_log_record_many
from accounts.models import AccessAction
from accounts.roles import Role, role_required, staff_user
from retention import selectors, services
from retention.forms import ConfirmForm
from retention.models import RetentionItem, RetentionRun


@require_GET
@role_required(Role.MANAGER)
def run_list(request: HttpRequest) -> HttpResponse:
    context = {
        "runs": selectors.runs()[:100],
        "years": settings.LOTSA_RETENTION_YEARS,
        "keep_birth_days": settings.LOTSA_RETENTION_KEEP_BIRTH_DAYS,
    }
    return render(request, "retention/run_list.html", context)


@require_POST
@role_required(Role.MANAGER)
def run_propose(request: HttpRequest) -> HttpResponse:
    try:
        run = services.run_propose(by=staff_user(request), notify_managers=False)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("retention:run_list")
    messages.success(request, _("A new proposal was made. Check the list before confirming."))
    return redirect("retention:run_detail", pk=run.pk)


def _detail(
    request: HttpRequest, run: RetentionRun, form: ConfirmForm, status: int = 200
) -> HttpResponse:
    items = list(selectors.run_items(run))
    access_log_record_many(
        request=request,
        action=AccessAction.VIEW,
        object_type="casework.individual",
        items=[(str(item.individual_id), item.individual_id) for item in items],
        detail=f"retention run {run.pk}",
    )
    context: dict[str, Any] = {
        "run": run,
        "form": form,
        "to_cull": [i for i in items if i.decision == RetentionItem.Decision.CULL],
        "culled": [i for i in items if i.decision == RetentionItem.Decision.CULLED],
        "skipped": [i for i in items if i.decision == RetentionItem.Decision.SKIPPED],
        "kept": [i for i in items if i.decision == RetentionItem.Decision.KEEP],
    }
    return render(request, "retention/run_detail.html", context, status=status)


@require_GET
@role_required(Role.MANAGER)
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs(), pk=pk)
    return _detail(request, run, ConfirmForm())


@require_POST
@role_required(Role.MANAGER)
def run_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(selectors.runs(), pk=pk)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        return _detail(request, run, form, status=400)
    try:
        run = services.run_confirm(run=run, by=staff_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("retention:run_detail", pk=run.pk)
    messages.success(
        request,
        _("The personal data of %(count)s individuals was culled.")
        % {"count": run.culled_individuals},
    )
    return redirect("retention:run_detail", pk=run.pk)


@require_POST
@role_required(Role.MANAGER)
def run_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(RetentionRun, pk=pk)
    try:
        services.run_cancel(run=run, by=staff_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The proposal was cancelled. Nothing was culled."))
    return redirect("retention:run_detail", pk=run.pk)
