"""Reflection-period pages: applying from a case, recording what Migrationsverket decides and
what follows, the deadline board, acknowledging reminders and the application PDF.

Every view loads its case or application through an access helper (casework's rules: 404 for
roles that may not know cases exist, 403 for read-only roles), validates a form, calls a
service and redirects. htmx requests get a partial from the same view.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import access_log_record, access_log_record_many
from accounts.models import AccessAction
from accounts.roles import staff_user
from casework.models import Offence
from casework.selectors import can_edit_cases, can_read_cases, case_get_for_edit, case_identity
from core.filter_bars import filter_bar
from core.forms import is_htmx, run_service
from documents.selectors import decision_documents
from reflection_period import pdf, selectors, services
from reflection_period.deadlines import Thresholds, deadline_state
from reflection_period.forms import (
    ApplicationCreateForm,
    ApplicationEditForm,
    BoardFilterForm,
    DecisionForm,
    NextStepForm,
    PermitForm,
    SubmitForm,
    WithdrawForm,
)
from reflection_period.history import application_history
from reflection_period.models import (
    APPLICATION_OFFENCES,
    DECIDED,
    OPEN,
    ReflectionPeriodApplication,
    Status,
)

# 25 rows a page, as every list in Lotsa; overdue and soonest first, so the first page holds
# what cannot wait.
BOARD_PAGE_SIZE = 25
# The board's filters rendered from the cache (core.filter_bars).
BOARD_FILTER_BAR = ("scope", "kind", "overdue")


def _detail(application: ReflectionPeriodApplication) -> HttpResponse:
    return redirect("reflection_period:application_detail", pk=application.pk)


def _form_page(
    request: HttpRequest,
    application: ReflectionPeriodApplication | None,
    form: Any,
    title: str,
    *,
    submit: str,
    case: Any = None,
    danger: bool = False,
) -> HttpResponse:
    case = case if case is not None else application.case if application else None
    # A form page shows the case, the person and the application: a read, logged.
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=application or case,
        object_type=selectors.LOG_OBJECT_TYPE if application else "",
        individual_id=case.individual_id,
    )
    context = {
        "case": case,
        "identity": case_identity(staff_user(request), case),
        "application": application,
        "form": form,
        "title": title,
        "submit": submit,
        "danger": danger,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "reflection_period/form.html", context, status=status)


# --- Starting an application ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def application_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    """ "Apply for reflection period": a form prefilled from the case."""
    case = case_get_for_edit(request, case_pk)
    purposes = list(case.purposes.values_list("purpose", flat=True))
    initial = {
        "offence": case.offence if case.offence in APPLICATION_OFFENCES else "",
        "purposes": purposes,
    }
    form = ApplicationCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        application = run_service(
            form,
            services.application_create,
            case=case,
            by=staff_user(request),
            **form.cleaned_data,
        )
        if application is not None:
            if application.status == Status.DRAFT:
                messages.success(request, _("The draft application was saved."))
            else:
                messages.success(request, _("The application was recorded."))
            return _detail(application)
    elif request.method == "GET" and case.offence == Offence.UNCLEAR:
        messages.info(
            request,
            _(
                "The case's suspected offence is unclear: choose trafficking or exploitation "
                "for the application."
            ),
        )
    return _form_page(
        request,
        None,
        form,
        _("Apply for reflection period"),
        submit=_("Save"),
        case=case,
    )


# --- One application ------------------------------------------------------------------------------


@require_GET
@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    application = selectors.application_get_for_user(request, pk)
    thresholds = Thresholds.current()
    identity = case_identity(user, application.case)
    context = {
        "application": application,
        "case": application.case,
        "identity": identity,
        "deadline": deadline_state(application, timezone.localdate(), thresholds),
        "events": application.events.select_related("by").order_by("-at", "-pk"),
        "reminders": application.reminders.select_related("recipient").order_by("-created_at"),
        "can_edit": can_edit_cases(user),
        "is_open": application.status in OPEN,
        "is_decided": application.status in DECIDED,
        "is_granted": application.status == Status.GRANTED,
        "can_print": pdf.can_print(user, application),
        "thresholds": thresholds,
        "history": application_history(application, user, identity_masked=identity.masked),
        # Migrationsverket's decision letters in the case ("Attach the decision"); a protected
        # person's documents only for those who may see the identity.
        "decision_documents": ([] if identity.masked else decision_documents(application.case)),
    }
    return render(request, "reflection_period/application_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_edit(request, pk)
    form = ApplicationEditForm(
        request.POST or None, initial=ApplicationEditForm.initial_from(application)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.application_update,
            application=application,
            by=staff_user(request),
            expected_version=data.pop("version"),
            purposes=data.pop("purposes"),
            data=data,
        )
        if saved is not None:
            messages.success(request, _("The application was saved."))
            return _detail(application)
    return _form_page(request, application, form, _("Edit application"), submit=_("Save"))


@require_http_methods(["GET", "POST"])
@login_required
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_edit(request, pk)
    form = SubmitForm(
        request.POST or None,
        initial={
            "version": application.version,
            "migration_agency_number": application.migration_agency_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.application_submit,
            application=application,
            by=staff_user(request),
            submitted_on=data["submitted_on"],
            migration_agency_number=data["migration_agency_number"],
            expected_version=data["version"],
        )
        if saved is not None:
            messages.success(request, _("The submission was recorded."))
            return _detail(application)
    return _form_page(
        request,
        application,
        form,
        _("Record submission to Migrationsverket"),
        submit=_("Record submission"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def application_decide(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_edit(request, pk)
    form = DecisionForm(
        request.POST or None,
        initial={
            "version": application.version,
            "migration_agency_number": application.migration_agency_number,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.application_record_decision,
            application=application,
            by=staff_user(request),
            decision=data["decision"],
            decided_on=data["decided_on"],
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            cost_responsibility_on=data["cost_responsibility_on"],
            migration_agency_number=data["migration_agency_number"],
            expected_version=data["version"],
        )
        if saved is not None:
            messages.success(request, _("The decision was recorded."))
            return _detail(application)
    return _form_page(request, application, form, _("Record decision"), submit=_("Record decision"))


@require_http_methods(["GET", "POST"])
@login_required
def application_permit(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_edit(request, pk)
    form = PermitForm(
        request.POST or None,
        initial={
            "version": application.version,
            "valid_from": application.valid_from,
            "valid_to": application.valid_to,
            "cost_responsibility_on": application.cost_responsibility_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.application_record_permit,
            application=application,
            by=staff_user(request),
            valid_from=data["valid_from"],
            valid_to=data["valid_to"],
            cost_responsibility_on=data["cost_responsibility_on"],
            expected_version=data["version"],
        )
        if saved is not None:
            messages.success(request, _("The permit dates were saved."))
            return _detail(application)
    return _form_page(request, application, form, _("Record permit dates"), submit=_("Save"))


@require_http_methods(["GET", "POST"])
@login_required
def application_next_step(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_edit(request, pk)
    form = NextStepForm(
        request.POST or None,
        initial={
            "version": application.version,
            "next_step": application.next_step or None,
            "note": application.next_step_note,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.application_record_next_step,
            application=application,
            by=staff_user(request),
            next_step=data["next_step"],
            next_step_on=data["next_step_on"],
            note=data["note"],
            expected_version=data["version"],
        )
        if saved is not None:
            messages.success(request, _("The next step was recorded."))
            return _detail(application)
    return _form_page(request, application, form, _("Record next step"), submit=_("Save"))


@require_http_methods(["GET", "POST"])
@login_required
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get_for_edit(request, pk)
    form = WithdrawForm(request.POST or None, initial={"version": application.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.application_withdraw,
            application=application,
            by=staff_user(request),
            withdrawn_on=data["withdrawn_on"],
            reason=data["reason"],
            expected_version=data["version"],
        )
        if saved is not None:
            messages.success(request, _("The application was withdrawn."))
            return _detail(application)
    return _form_page(
        request,
        application,
        form,
        _("Withdraw application"),
        submit=_("Withdraw the application"),
        danger=True,
    )


@require_GET
@login_required
def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The application's content as Migrationsverket's form asks for it, unmasked (it goes to
    the authority); only for users who may see the identity, and every download is logged."""
    user = staff_user(request)
    application = selectors.application_get_for_user(request, pk, log=False)
    if not application.is_social_services:
        raise Http404
    if not pdf.can_print(user, application):
        raise PermissionDenied
    content = pdf.application_pdf(application)
    access_log_record(
        request=request,
        action=AccessAction.PRINT,
        obj=application,
        object_type=selectors.LOG_OBJECT_TYPE,
        individual_id=application.case.individual_id,
        detail="Ansökan om betänketid (blankett 195011)",
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="ansokan-betanketid-{application.case.number}.pdf"'
    )
    return response


# --- Deadline board -------------------------------------------------------------------------------


@require_GET
@login_required
def deadline_board(request: HttpRequest) -> HttpResponse:
    """Every open deadline, coloured and soonest first. Coordinators start with their own cases
    and can switch to the whole unit (they cover for each other); managers see the unit."""
    user = staff_user(request)
    if not can_read_cases(user):
        raise Http404
    default_scope = "mine" if can_edit_cases(user) else "unit"
    form = BoardFilterForm(request.GET or None, initial={"scope": default_scope})
    scope, kind, overdue_only = default_scope, "", False
    if form.is_valid():
        scope = form.cleaned_data["scope"] or default_scope
        kind = form.cleaned_data["kind"]
        overdue_only = form.cleaned_data["overdue"]
    applications = selectors.board_queryset(user, scope=scope, kind=kind, overdue_only=overdue_only)
    # Both the count and the page walk an index of the open deadlines (rp_board_idx, and
    # rp_board_mine_idx for "mine"), however many cases and applications the unit has.
    page = Paginator(applications, BOARD_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = selectors.deadline_rows(user, page.object_list)
    access_log_record_many(
        request=request,
        action=AccessAction.VIEW,
        object_type=selectors.LOG_OBJECT_TYPE,
        items=[(str(row.application.pk), row.case.individual_id) for row in rows],
        detail=f"deadline board: {scope}",
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "filter_bar": filter_bar(form, BOARD_FILTER_BAR),
        "scope": scope,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "thresholds": Thresholds.current(),
    }
    template = (
        "reflection_period/_board.html" if is_htmx(request) else "reflection_period/board.html"
    )
    return render(request, template, context)


# --- Reminders ------------------------------------------------------------------------------------


@require_POST
@login_required
def reminder_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    reminder = selectors.reminder_get_for_recipient(user, pk)
    try:
        reminder = services.reminder_acknowledge(reminder=reminder, by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    if is_htmx(request):
        return render(request, "reflection_period/_reminder_item.html", {"reminder": reminder})
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return _detail(reminder.application)
