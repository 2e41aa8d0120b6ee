"""Casework pages for coordinators (and, read-only, managers).

Every view loads its case or individual through an access helper in selectors.py, validates a
form, calls a service and redirects (POST/redirect/GET). htmx requests get a partial template.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import access_log_record, access_log_record_many, access_source
from accounts.models import AccessAction, User
from accounts.roles import Role, has_role, staff_user
from casework import exports, services
from casework.codes import MeansOfControl, Recruitment, code_labels
from casework.counts import cached_count
from casework.filters import CaseFilter
from casework.forms import (
    MANAGER_NEEDED,
    MATCH_NEEDS_MANAGER,
    CaseCloseForm,
    CaseCreateForm,
    CaseEditForm,
    CaseReassignForm,
    CaseReopenForm,
    ConsentForm,
    ConsentWithdrawForm,
    IdentityAuthorisationForm,
    IdentityAuthorisationRevokeForm,
    IndividualEditForm,
    IndividualForm,
    JournalEntryForm,
    OrganisationLinkForm,
    SupportEndForm,
    SupportMeasureForm,
)
from casework.history import case_history as case_history_entries
from casework.history import case_history_panel, individual_history
from casework.models import (
    Case,
    Consent,
    IdentityAuthorisation,
    Individual,
    JournalEntry,
    SupportMeasure,
)
from casework.relation_views import log_related_reads
from casework.selectors import (
    PossibleDuplicate,
    RelatedPerson,
    can_edit_cases,
    can_read_cases,
    case_get_for_edit,
    case_get_for_user,
    case_identity,
    case_list_rows,
    case_rows_queryset,
    case_search_rows,
    identity_access,
    identity_authorisations_of,
    individual_get_for_edit,
    individual_get_for_user,
    journal_entry_get_for_edit,
    may_see_identity,
    possible_duplicate_rows,
    possible_duplicates,
    purposes_by_case,
    related_persons,
)
from casework.timeline import TIMELINE_LENGTH, case_panels, case_timeline
from core.background import start_file
from core.filter_bars import filter_bar
from core.forms import is_htmx, run_action, run_service
from core.paging import CountedPaginator, page_by_ids
from core.ratelimit import search_rate_limit
from core.search import (
    hidden_fields,
    list_parameters,
    push_shareable_url,
    search_in_address_redirect,
    search_text,
    search_too_long,
)
from core.spreadsheet import csv_download

PAGE_SIZE = 25
# The case list's filters rendered from the cache (core.filter_bars); the search text never is.
FILTER_BAR = ("status", "category", "purpose", "year", "coordinator", "sort", "mine")


def _require_readers(request: HttpRequest) -> User:
    """Coordinators and managers; everyone else must not learn that cases exist (404)."""
    user = staff_user(request)
    if not can_read_cases(user):
        raise Http404
    return user


def _require_editors(request: HttpRequest) -> User:
    user = _require_readers(request)
    if not can_edit_cases(user):
        raise PermissionDenied
    return user


# --- List and export ------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    """The filters come in the address (GET), or with the search text in a POST body: a name
    must never travel in an address (see core.search)."""
    user = _require_readers(request)
    if moved := search_in_address_redirect(request):
        return moved
    params = list_parameters(request)
    if refused := search_too_long(request, search_text(params)):
        return refused
    if search_text(params) and (limited := search_rate_limit(request)):
        return limited
    if not params:
        params = QueryDict("status=open")
    if search_text(params):
        # A search's matches are found once, in the search table (casework.selectors
        # .case_search_rows), and its page's rows read by id (core.paging).
        case_filter = CaseFilter(params, queryset=case_search_rows(user), user=user)
        page = page_by_ids(case_filter.qs, case_rows_queryset(user), params.get("page"), PAGE_SIZE)
    else:
        case_filter = CaseFilter(params, queryset=case_rows_queryset(user), user=user)
        rows_queryset = case_filter.qs
        paginator = CountedPaginator(
            rows_queryset, PAGE_SIZE, count=lambda: cached_count(rows_queryset)
        )
        page = paginator.get_page(params.get("page"))
    cases: list[Case] = list(page.object_list)
    rows = case_list_rows(user, cases)
    access_log_record_many(
        request=request,
        action=AccessAction.SEARCH if search_text(params) else AccessAction.VIEW,
        object_type="casework.case",
        items=[(str(case.pk), case.individual_id) for case in cases],
        detail=exports.list_detail(params),
    )
    context = {
        "filter": case_filter,
        "filter_bar": filter_bar(case_filter.form, FILTER_BAR),
        "page": page,
        "rows": rows,
        "export_fields": hidden_fields(params),
        "can_edit": can_edit_cases(user),
    }
    template = "casework/_case_table.html" if is_htmx(request) else "casework/case_list.html"
    response = render(request, template, context)
    if is_htmx(request) and request.method == "POST":
        push_shareable_url(request, response, params)
    return response


@require_http_methods(["GET", "POST"])
@login_required
def case_export(request: HttpRequest) -> HttpResponse:
    """The filtered case list as CSV (semicolons, UTF-8 with BOM: opens right in Swedish Excel).

    The list's export button posts the list's filters and search text (never in the address).
    More than LOTSA_EXPORT_BACKGROUND_ROWS cases are made by a worker: the answer is then the
    file's progress page (core.background), which offers the download when it is ready.
    """
    user = _require_readers(request)
    if moved := search_in_address_redirect(request):
        return moved
    params = list_parameters(request)
    if refused := search_too_long(request, search_text(params), back=reverse("casework:case_list")):
        return refused
    if search_text(params) and (limited := search_rate_limit(request)):
        return limited
    cases = exports.filtered_cases(user, params)
    if cases.count() > settings.LOTSA_EXPORT_BACKGROUND_ROWS:
        source = access_source(request)
        return redirect(
            start_file(
                kind=exports.KIND,
                by=user,
                params=exports.export_params(params),
                view_name=source.view_name,
                ip_address=source.ip_address,
            )
        )
    rows, logged = exports.case_export_rows(user, cases)
    response = csv_download(exports.FILENAME, rows)
    access_log_record_many(
        request=request,
        action=AccessAction.EXPORT,
        object_type="casework.case",
        items=logged,
        detail=exports.list_detail(params),
    )
    return response


# --- Creating -------------------------------------------------------------------------------------


def _case_fields(form: CaseCreateForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "coordinator": data["coordinator"],
        "category": data["category"] or None,
        "opened_on": data["opened_on"],
        "origin": data["origin"],
        "offence": data["offence"],
        "purposes": data["purposes"],
    }


@require_http_methods(["GET", "POST"])
@login_required
def case_create(request: HttpRequest) -> HttpResponse:
    """Register a person and open their case in one flow, with a duplicate check first.

    The check names the people it found whose identity the user may see. A possible match
    whose protected identity the user may not see is never named: the user is told that a
    manager must help (and cannot register the person anyway, which would copy a protected
    identity into an unprotected record), the check is logged and the managers are told."""
    user = _require_editors(request)
    individual_form = IndividualForm(request.POST or None, prefix="ind", viewer=user)
    case_form = CaseCreateForm(
        request.POST or None, prefix="case", initial={"coordinator": user.pk}
    )
    duplicates: list[PossibleDuplicate] = []
    needs_manager = False
    individual_valid = individual_form.is_valid() if request.method == "POST" else False
    if individual_form.hidden_match is not None:
        duplicate_check_record(request, [individual_form.hidden_match], hidden=True)
    if request.method == "POST" and individual_valid and case_form.is_valid():
        case, duplicates, needs_manager = _open_after_duplicate_check(
            request, user, individual_form.cleaned_data, case_form
        )
        if case is not None:
            messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
            return redirect("casework:case_detail", pk=case.pk)
    shows_choice = bool(duplicates or needs_manager) and not case_form.errors
    status = 400 if request.method == "POST" and not shows_choice else 200
    has_open_case = any(row.open_cases for row in duplicates)
    return render(
        request,
        "casework/case_create.html",
        {
            "individual_form": individual_form,
            "case_form": case_form,
            "duplicates": duplicates,
            "has_open_case": has_open_case,
            "needs_manager": needs_manager,
        },
        status=status,
    )


def _possible_duplicates_of(person: dict[str, Any]) -> list[Individual]:
    """The people already registered who may be the one the form describes."""
    born = person.get("date_of_birth")
    return possible_duplicates(
        personal_number=person.get("personal_number"),
        given_name=person.get("given_name", ""),
        family_name=person.get("family_name", ""),
        alias=person.get("alias", ""),
        birth_year=born.year if born else person.get("birth_year"),
    )


def _open_after_duplicate_check(
    request: HttpRequest, user: User, person: dict[str, Any], case_form: CaseCreateForm
) -> tuple[Case | None, list[PossibleDuplicate], bool]:
    """Open the case, for the person the user chose among the possible duplicates or for a new
    person when none stands in the way. Otherwise (None, the duplicates to choose from, whether
    a manager must help: a possible match whose protected identity the user may not see).
    When the chosen person's case cannot be opened (they already have an open case in that
    category), the duplicates stay on the page with that case's link."""
    found = _possible_duplicates_of(person)
    access = identity_access(user)
    hidden = [individual for individual in found if not access.visible(individual)]
    needs_manager = bool(hidden)
    existing_pk = request.POST.get("use_individual", "")
    if existing_pk:
        # Only a person the duplicate check found for these details: any other id (a guess, a
        # tampered form) must not attach a case, and so its identity, to someone. A person
        # whose identity the user may not see is refused by the service.
        existing = next((i for i in found if str(i.pk) == existing_pk), None)
        if existing is None:
            case_form.add_error(
                None, _("Choose one of the people Lotsa found, or register a new person.")
            )
            return None, _duplicate_rows(request, user, found, hidden), needs_manager
        case = run_service(
            case_form,
            services.case_open,
            individual=existing,
            by=user,
            source=access_source(request),
            **_case_fields(case_form),
        )
        if case is None:
            # The warning stays, with the way to the person's open case. Matches not shown were
            # logged, and the managers told, when the check first ran.
            return None, _duplicate_rows(request, user, found, hidden, again=True), needs_manager
        return case, [], needs_manager
    if hidden:
        duplicates = _duplicate_rows(request, user, found, hidden)
        if request.POST.get("confirm_new"):
            case_form.add_error(None, MATCH_NEEDS_MANAGER)
        return None, duplicates, needs_manager
    if found and not request.POST.get("confirm_new"):
        return None, _duplicate_rows(request, user, found, hidden), needs_manager
    individual_fields = {k: v for k, v in person.items() if k != "languages" and v is not None}
    case = run_service(
        case_form,
        services.case_open_with_new_individual,
        by=user,
        individual_fields=individual_fields,
        languages=person.get("languages") or [],
        **_case_fields(case_form),
    )
    return case, [], needs_manager


def _duplicate_rows(
    request: HttpRequest,
    user: User,
    found: list[Individual],
    hidden: list[Individual],
    *,
    again: bool = False,
) -> list[PossibleDuplicate]:
    """The people the duplicate check found that the user may be shown; the check is logged
    for every person found, also those not shown (and the managers told about those), except
    the ones not shown when the same check is shown `again` after a refused choice."""
    duplicate_check_record(request, [i for i in found if i not in hidden])
    if not again:
        duplicate_check_record(request, hidden, hidden=True)
    return possible_duplicate_rows([i for i in found if i not in hidden], identity_access(user))


def duplicate_check_record(
    request: HttpRequest, found: list[Individual], *, hidden: bool = False
) -> None:
    """Log a duplicate check's matches as a search of each person. `hidden`: matches whose
    protected identity the user may not see, and was not shown; the managers are told that
    the user needs their help (services.identity_match_report)."""
    if not found:
        return
    access_log_record_many(
        request=request,
        action=AccessAction.SEARCH,
        object_type="casework.individual",
        items=[(str(person.pk), person.pk) for person in found],
        detail="duplicate check, not shown" if hidden else "duplicate check",
    )
    if hidden:
        services.identity_match_report(by=staff_user(request), individuals=found)


@require_http_methods(["GET", "POST"])
@login_required
def case_open_for_individual(request: HttpRequest, pk: int) -> HttpResponse:
    """Open another case for a person already registered (for a person with a protected
    identity: a manager, or someone authorised to see it)."""
    user = _require_editors(request)
    individual, identity = individual_get_for_user(request, pk)
    form = CaseCreateForm(request.POST or None, initial={"coordinator": user.pk})
    if form.is_valid():
        case = run_service(
            form,
            services.case_open,
            individual=individual,
            by=user,
            source=access_source(request),
            **_case_fields(form),
        )
        if case is not None:
            messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
            return redirect("casework:case_detail", pk=case.pk)
    return render(
        request,
        "casework/case_open_for_individual.html",
        {
            "form": form,
            "individual": individual,
            "identity": identity,
            "manager_needed": MANAGER_NEEDED if identity.masked else "",
        },
        status=400 if request.method == "POST" else 200,
    )


# --- The case page --------------------------------------------------------------------------------


@require_GET
@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _require_readers(request)
    case = case_get_for_user(request, pk)
    # The other apps' panels (reflection period, ...), then the case's own change history.
    panels = case_panels(case, user)
    history_panel = case_history_panel(case, user)
    if history_panel is not None:
        panels.append(history_panel)
    context = {
        "case": case,
        "identity": case_identity(user, case),
        "purposes": purposes_by_case([case.pk]).get(case.pk, []),
        # The newest events; "?timeline=all" shows every one.
        "timeline": case_timeline(
            case, user, limit=None if request.GET.get("timeline") == "all" else TIMELINE_LENGTH
        ),
        "timeline_length": TIMELINE_LENGTH,
        "panels": panels,
        "can_edit": can_edit_cases(user),
        "means_of_control": code_labels(MeansOfControl, case.means_of_control),
        "recruitment": code_labels(Recruitment, case.recruitment),
        "related": _related(request, user, case.individual),
        "languages": list(case.individual.languages.all()),
    }
    return render(request, "casework/case_detail.html", context)


def _related(request: HttpRequest, user: User, individual: Individual) -> list[RelatedPerson]:
    related = related_persons(individual, identity_access(user))
    log_related_reads(request, related)
    return related


@require_GET
@login_required
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    """The change history of a case and its journal: the case page loads it (htmx) when the
    reader opens it; without JavaScript it is a page of its own. The read is logged."""
    user = _require_readers(request)
    case = case_get_for_user(request, pk, log=False)
    history = case_history_entries(case, user)
    if history is None:
        raise Http404
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=case,
        individual_id=case.individual_id,
        detail="change history",
    )
    if is_htmx(request):
        return render(request, "casework/_history_list.html", {"history": history})
    context = {"case": case, "identity": case_identity(user, case), "history": history}
    return render(request, "casework/case_history.html", context)


def _case_form_page(
    request: HttpRequest,
    case: Case,
    form: Any,
    title: str,
    *,
    submit: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    # A form page shows the case and the person (header, current values): a read, logged.
    access_log_record(
        request=request, action=AccessAction.VIEW, obj=case, individual_id=case.individual_id
    )
    context = {
        "case": case,
        "identity": case_identity(staff_user(request), case),
        "form": form,
        "title": title,
        "submit": submit,
        **(extra or {}),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "casework/case_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    form = CaseEditForm(request.POST or None, instance=case, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        updated = run_service(
            form,
            services.case_update,
            case=case,
            by=staff_user(request),
            expected_version=data["version"],
            data={name: data[name] for name in services.CASE_EDIT_FIELDS},
            purposes=data["purposes"],
        )
        if updated is not None:
            messages.success(request, _("The case was saved."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(request, case, form, _("Edit case"), submit=_("Save"))


@require_http_methods(["GET", "POST"])
@login_required
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    form = CaseCloseForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        closed = run_service(
            form,
            services.case_close,
            case=case,
            by=staff_user(request),
            closed_on=data["closed_on"],
            reason=data["reason"],
            note=data["note"],
            expected_version=data["version"],
        )
        if closed is not None:
            messages.success(request, _("The case was closed."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(request, case, form, _("Close case"), submit=_("Close the case"))


@require_http_methods(["GET", "POST"])
@login_required
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    form = CaseReopenForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        reopened = run_service(
            form,
            services.case_reopen,
            case=case,
            by=staff_user(request),
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
        if reopened is not None:
            messages.success(request, _("The case was reopened."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(request, case, form, _("Reopen case"), submit=_("Reopen the case"))


@require_http_methods(["GET", "POST"])
@login_required
def case_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """Coordinators and managers may give a case to another coordinator; for a person with a
    protected identity only managers and those authorised to see it. It authorises nobody: the
    page says when the new coordinator will not see the identity."""
    user = _require_readers(request)
    case = case_get_for_user(request, pk, log=False)
    form = CaseReassignForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        reassigned = run_service(
            form,
            services.case_reassign,
            case=case,
            coordinator=form.cleaned_data["coordinator"],
            by=user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
            source=access_source(request),
        )
        if reassigned is not None:
            messages.success(
                request,
                _("The case now belongs to %(name)s.") % {"name": reassigned.coordinator},
            )
            if not may_see_identity(reassigned.coordinator, reassigned.individual):
                messages.warning(
                    request,
                    _(
                        "%(name)s has no authorisation to see the person's protected "
                        "identity. A manager gives it on the person's page."
                    )
                    % {"name": reassigned.coordinator},
                )
            return redirect("casework:case_detail", pk=case.pk)
    identity = case_identity(user, case)
    return _case_form_page(
        request,
        case,
        form,
        _("Change responsible coordinator"),
        submit=_("Change"),
        extra={"manager_needed": MANAGER_NEEDED if identity.masked else ""},
    )


# --- Journal --------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def journal_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    form = JournalEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = run_service(
            form,
            services.journal_entry_create,
            case=case,
            author=staff_user(request),
            **form.cleaned_data,
        )
        if entry is not None:
            if request.POST.get("sign"):
                services.journal_entry_sign(entry=entry, by=staff_user(request))
                messages.success(request, _("The journal entry was saved and signed."))
            else:
                messages.success(request, _("The journal entry was saved as a draft."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(
        request,
        case,
        form,
        _("New journal entry"),
        submit=_("Save draft"),
        extra={"sign_button": True},
    )


def _entry_for(request: HttpRequest, pk: int, entry_pk: int) -> tuple[Case, JournalEntry]:
    case = case_get_for_edit(request, pk)
    return case, journal_entry_get_for_edit(request, case, entry_pk)


@require_http_methods(["GET", "POST"])
@login_required
def journal_edit(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    case, entry = _entry_for(request, pk, entry_pk)
    if entry.is_signed or entry.author_id != staff_user(request).pk:
        raise PermissionDenied
    form = JournalEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            services.journal_entry_update,
            entry=entry,
            by=staff_user(request),
            **form.cleaned_data,
        )
        if saved is not None:
            if request.POST.get("sign"):
                services.journal_entry_sign(entry=saved, by=staff_user(request))
                messages.success(request, _("The journal entry was saved and signed."))
            else:
                messages.success(request, _("The draft was saved."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(
        request,
        case,
        form,
        _("Edit draft journal entry"),
        submit=_("Save draft"),
        extra={"sign_button": True},
    )


@require_POST
@login_required
def journal_sign(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    case, entry = _entry_for(request, pk, entry_pk)
    _signed, errors = run_action(services.journal_entry_sign, entry=entry, by=staff_user(request))
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("The journal entry was signed."))
    return redirect("casework:case_detail", pk=case.pk)


@require_POST
@login_required
def journal_delete(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    case, entry = _entry_for(request, pk, entry_pk)
    _deleted, errors = run_action(
        services.journal_entry_delete, entry=entry, by=staff_user(request)
    )
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("The draft was deleted."))
    return redirect("casework:case_detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
@login_required
def journal_correct(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    case, entry = _entry_for(request, pk, entry_pk)
    if not entry.is_signed:
        raise PermissionDenied
    form = JournalEntryForm(request.POST or None, initial={"kind": entry.kind, "text": entry.text})
    if request.method == "POST" and form.is_valid():
        correction = run_service(
            form,
            services.journal_entry_create,
            case=case,
            author=staff_user(request),
            corrects=entry,
            **form.cleaned_data,
        )
        if correction is not None:
            if request.POST.get("sign"):
                services.journal_entry_sign(entry=correction, by=staff_user(request))
            messages.success(request, _("The correction was saved."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(
        request,
        case,
        form,
        _("Correct a signed journal entry"),
        submit=_("Save draft"),
        extra={"sign_button": True, "corrected_entry": entry},
    )


# --- Support, organisations, consent ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def support_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    form = SupportMeasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        measure = run_service(
            form,
            services.support_measure_create,
            case=case,
            by=staff_user(request),
            **form.cleaned_data,
        )
        if measure is not None:
            messages.success(request, _("The support measure was added."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(request, case, form, _("Add support measure"), submit=_("Add"))


@require_http_methods(["GET", "POST"])
@login_required
def support_end(request: HttpRequest, pk: int, measure_pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    measure = get_object_or_404(SupportMeasure, pk=measure_pk, case=case)
    form = SupportEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ended = run_service(
            form,
            services.support_measure_end,
            measure=measure,
            by=staff_user(request),
            **form.cleaned_data,
        )
        if ended is not None:
            messages.success(request, _("The end date was recorded."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(
        request,
        case,
        form,
        _("End support measure: %(measure)s") % {"measure": measure},
        submit=_("Save"),
    )


@require_http_methods(["GET", "POST"])
@login_required
def organisation_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    form = OrganisationLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        link = run_service(
            form,
            services.organisation_link_create,
            case=case,
            by=staff_user(request),
            **form.cleaned_data,
        )
        if link is not None:
            messages.success(request, _("The contact with the organisation was recorded."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(request, case, form, _("Link an organisation"), submit=_("Save"))


@require_http_methods(["GET", "POST"])
@login_required
def consent_create(request: HttpRequest, pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consent = run_service(
            form, services.consent_record, case=case, by=staff_user(request), **form.cleaned_data
        )
        if consent is not None:
            messages.success(request, _("The consent was recorded."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(
        request, case, form, _("Record consent to share information"), submit=_("Save")
    )


@require_http_methods(["GET", "POST"])
@login_required
def consent_withdraw(request: HttpRequest, pk: int, consent_pk: int) -> HttpResponse:
    case = case_get_for_edit(request, pk)
    consent = get_object_or_404(Consent, pk=consent_pk, case=case)
    form = ConsentWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        withdrawn = run_service(
            form,
            services.consent_withdraw,
            consent=consent,
            by=staff_user(request),
            **form.cleaned_data,
        )
        if withdrawn is not None:
            messages.success(request, _("The consent was recorded as withdrawn."))
            return redirect("casework:case_detail", pk=case.pk)
    return _case_form_page(
        request,
        case,
        form,
        _("Withdraw consent: %(organisation)s") % {"organisation": consent.organisation},
        submit=_("Save"),
    )


# --- Individuals ----------------------------------------------------------------------------------


@require_GET
@login_required
def individual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _individual_page(request, pk)


def _individual_page(
    request: HttpRequest,
    pk: int,
    *,
    grant_form: IdentityAuthorisationForm | None = None,
    revoke_errors: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The person's page; managers also see and change who is authorised to see a protected
    identity (the forms post to the views below, which show their errors here)."""
    user = _require_readers(request)
    individual, identity = individual_get_for_user(request, pk)
    cases = list(individual.cases.select_related("coordinator").order_by("-opened_on"))
    is_manager = has_role(user, Role.MANAGER)
    authorisations = identity_authorisations_of(individual)
    in_force = {a.user_id for a in authorisations if a.in_force}
    context = {
        "individual": individual,
        "identity": identity,
        "cases": cases,
        "languages": list(individual.languages.all()),
        "can_edit": can_edit_cases(user) and not identity.masked,
        "can_open_case": can_edit_cases(user) and not identity.masked,
        "history": individual_history(individual, user),
        "related": _related(request, user, individual),
        "authorisations": authorisations if is_manager else [],
        "my_authorisation": next(
            (a for a in authorisations if a.in_force and a.user_id == user.pk), None
        ),
        "can_authorise": is_manager and individual.is_protected,
        "grant_form": grant_form or IdentityAuthorisationForm(),
        "revoke_form": IdentityAuthorisationRevokeForm(),
        "revoke_errors": revoke_errors or [],
        # Responsible coordinators who do not see the identity: a manager may want to authorise.
        "unauthorised_coordinators": sorted(
            {c.coordinator for c in cases if c.is_open and c.coordinator_id not in in_force},
            key=str,
        )
        if is_manager and individual.is_protected
        else [],
    }
    return render(request, "casework/individual_detail.html", context, status=status)


def _require_manager(request: HttpRequest) -> User:
    """Managers; other readers of cases get 403, everyone else 404."""
    user = _require_readers(request)
    if not has_role(user, Role.MANAGER):
        raise PermissionDenied
    return user


@require_POST
@login_required
def identity_authorisation_grant(request: HttpRequest, pk: int) -> HttpResponse:
    """A manager authorises a coordinator to see the person's protected identity."""
    user = _require_manager(request)
    individual = get_object_or_404(Individual, pk=pk)
    form = IdentityAuthorisationForm(request.POST)
    if form.is_valid():
        granted = run_service(
            form,
            services.identity_authorisation_grant,
            individual=individual,
            user=form.cleaned_data["user"],
            by=user,
            reason=form.cleaned_data["reason"],
            source=access_source(request),
        )
        if granted is not None:
            messages.success(
                request,
                _("%(name)s may now see the person's protected identity.") % {"name": granted.user},
            )
            return redirect("casework:individual_detail", pk=individual.pk)
    return _individual_page(request, pk, grant_form=form, status=400)


@require_POST
@login_required
def identity_authorisation_revoke(
    request: HttpRequest, pk: int, authorisation_pk: int
) -> HttpResponse:
    """A manager ends an authorisation (it stays on record, as revoked)."""
    user = _require_manager(request)
    authorisation = get_object_or_404(
        IdentityAuthorisation.objects.select_related("user"), pk=authorisation_pk, individual=pk
    )
    form = IdentityAuthorisationRevokeForm(request.POST)
    if form.is_valid():
        revoked, errors = run_action(
            services.identity_authorisation_revoke,
            authorisation=authorisation,
            by=user,
            reason=form.cleaned_data["reason"],
            source=access_source(request),
        )
        if revoked is not None:
            messages.success(
                request,
                _("%(name)s may no longer see the person's protected identity.")
                % {"name": authorisation.user},
            )
            return redirect("casework:individual_detail", pk=pk)
    else:
        errors = [str(error) for error in form.errors.get("reason", [])]
    return _individual_page(request, pk, revoke_errors=errors, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def individual_edit(request: HttpRequest, pk: int) -> HttpResponse:
    individual = individual_get_for_edit(request, pk)
    initial = {
        "version": individual.version,
        "personal_number": individual.personal_number_display,
    }
    form = IndividualEditForm(
        request.POST or None, instance=individual, initial=initial, viewer=staff_user(request)
    )
    valid = request.method == "POST" and form.is_valid()
    if form.hidden_match is not None:
        duplicate_check_record(request, [form.hidden_match], hidden=True)
    if valid:
        data = form.cleaned_data
        saved = run_service(
            form,
            services.individual_update,
            individual=individual,
            by=staff_user(request),
            expected_version=data["version"],
            data={name: data.get(name) for name in services.INDIVIDUAL_FIELDS},
            languages=data["languages"],
        )
        if saved is not None:
            messages.success(request, _("The individual was saved."))
            return redirect("casework:individual_detail", pk=individual.pk)
    return render(
        request,
        "casework/individual_form.html",
        {"form": form, "individual": individual},
        status=400 if request.method == "POST" else 200,
    )
