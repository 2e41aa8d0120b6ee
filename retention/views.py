"""The managers' retention pages ("Gallring"): the runs, a run's dry-run list, confirm, cancel.

Manager only. The dry-run list names individuals by reference and cases by number, never by
name; opening it is still written to the access log, as every list of individuals is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import access_log_record_many, access_source
from accounts.models import AccessAction
from accounts.roles import Role, role_required, staff_user
from core.background import start_file
from core.paging import CountedPaginator
from retention import background, selectors, services
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
    """Seconds of work at national scale: a worker makes the proposal (retention.background);
    its page shows it waiting and then leads to the list."""
    source = access_source(request)
    url = start_file(
        kind=background.KIND,
        by=staff_user(request),
        params={},
        view_name=source.view_name,
        ip_address=source.ip_address,
    )
    messages.info(request, _("A new proposal is being made. Check the list before confirming."))
    return redirect(url)


# A run lists every individual due: tens of thousands at national scale (4.46 MB of HTML in one
# page). The page shows one list at a time, this many rows a page, as every other list.
ITEMS_PER_PAGE = 25


@dataclass(frozen=True)
class _Section:
    """One of a run's lists on its page: the decision its individuals have, and how many."""

    decision: str
    caption: str
    count: int


def _sections(run: RetentionRun) -> list[tuple[str, str]]:
    """The run's lists, in the order the page offers them: (decision, caption)."""
    Decision = RetentionItem.Decision
    kept = (Decision.KEEP.value, _("Kept for research"))
    if run.is_proposed:
        return [(Decision.CULL.value, _("To cull")), kept]
    return [
        (Decision.CULLED.value, _("Culled")),
        (Decision.SKIPPED.value, _("No longer due at confirmation")),
        (Decision.CULL.value, _("Listed, not culled")),
        kept,
    ]


def _detail(
    request: HttpRequest, run: RetentionRun, form: ConfirmForm, status: int = 200
) -> HttpResponse:
    counts: dict[str, int] = dict(
        run.items.order_by()
        .values_list("decision")
        .annotate(n=Count("*"))
        .values_list("decision", "n")
    )
    sections = [
        _Section(decision, caption, counts.get(decision, 0)) for decision, caption in _sections(run)
    ]
    # The lists a finished run has nothing in are not offered (as before paging).
    offered = [s for s in sections if s.count or (run.is_proposed and s is sections[0])]
    chosen = request.GET.get("list", "")
    current = next(
        (s for s in offered if s.decision == chosen),
        next((s for s in offered if s.count), offered[0] if offered else sections[0]),
    )
    page = CountedPaginator(
        selectors.run_items(run).filter(decision=current.decision),
        ITEMS_PER_PAGE,
        count=lambda: current.count,  # counted above, with the other lists
    ).get_page(request.GET.get("page"))
    items = list(page.object_list)
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
        "sections": offered,
        "current": current,
        "page": page,
        "items": items,
        "to_cull": counts.get(RetentionItem.Decision.CULL, 0),
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
