"""Outreach pages: the phone form for a new contact, the contact and referral lists, and the
coordinators' referral inbox with accept (link or create) and decline.

Every view loads its contact or referral through an access helper in selectors.py (404 for what
a role may not know exists, 403 for what it may see but not do; reads are logged), validates a
form, calls a service and redirects. htmx requests get a partial template.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import access_log_record_many, access_source
from accounts.models import AccessAction, User
from accounts.roles import staff_user
from casework.forms import MANAGER_NEEDED, IndividualForm
from casework.models import Individual
from casework.selectors import (
    Identity,
    case_get_for_user,
    case_identity,
    case_list_queryset,
    case_search_filter,
    identity_access,
    individual_get_for_user,
)
from casework.views import duplicate_check_record
from core.filter_bars import filter_bar
from core.forms import is_htmx, run_service
from core.paging import CountedPaginator
from core.ratelimit import search_rate_limit
from core.search import (
    list_parameters,
    push_shareable_url,
    search_in_address_redirect,
    search_text,
    search_too_long,
)
from outreach import services
from outreach.counts import cached_count
from outreach.filters import ContactFilter, ReferralFilter
from outreach.forms import (
    ContactEditForm,
    ContactForm,
    DeclineForm,
    LinkSearchForm,
    ReferralCaseForm,
    ReferralForm,
    category_for,
)
from outreach.history import contact_history, referral_history
from outreach.models import OutreachContact, Referral, ReferralStatus, estimated_birth_year
from outreach.selectors import (
    acceptance_times,
    can_handle_referrals,
    can_log_contacts,
    can_use_outreach,
    contact_count_queryset,
    contact_get_for_edit,
    contact_get_for_user,
    contact_list_rows,
    contact_rows_queryset,
    contact_shown_in,
    last_district_for,
    log_contact_reads,
    log_referral_page_read,
    log_referral_reads,
    pending_referrals_in,
    reads_everything,
    referral_get_for_handling,
    referral_get_for_user,
    referral_get_for_withdrawal,
    referral_list_rows,
    referral_rows_queryset,
    shows_cases,
)

PAGE_SIZE = 25
# The contact list's filters rendered from the cache (core.filter_bars); the search text never is.
CONTACT_FILTER_BAR = ("year", "environment", "district", "age_group", "staff")
SEARCH_RESULTS = 20


def _outreach_user(request: HttpRequest) -> User:
    """The signed-in user, if their roles let them near outreach at all (else 404)."""
    user = staff_user(request)
    if not can_use_outreach(user):
        raise Http404
    return user


def _post_or_none(request: HttpRequest) -> QueryDict | None:
    """Bind a form on POST, even an empty one (so its required fields report errors)."""
    return request.POST if request.method == "POST" else None


def _action_form() -> forms.Form:
    """A bound, empty form to collect a service's errors for an action without fields."""
    form = forms.Form(data={})
    form.is_valid()
    return form


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- Contacts -------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def contact_create(request: HttpRequest) -> HttpResponse:
    """The phone form: now, me and my last district are filled in."""
    user = _outreach_user(request)
    if not can_log_contacts(user):
        raise PermissionDenied
    if request.method == "POST":
        form = ContactForm(request.POST)
    else:
        district = last_district_for(user)
        form = ContactForm(
            initial={"staff": [user.pk], "district": district.pk if district else None}
        )
    if request.method == "POST" and form.is_valid():
        contact = run_service(form, services.contact_create, by=user, **form.service_arguments())
        if contact is not None:
            messages.success(request, _("The contact was saved."))
            return redirect("outreach:contact_detail", pk=contact.pk)
    return render(
        request,
        "outreach/contact_form.html",
        {"form": form, "title": _("New contact"), "submit": _("Save contact")},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_edit(request, pk)
    user = _outreach_user(request)
    if contact.referrals.filter(
        status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
    ).exists():
        messages.error(
            request,
            _(
                "The contact is with the coordinators now and cannot be changed. Withdraw a "
                "waiting referral first if something must be corrected."
            ),
        )
        return redirect("outreach:contact_detail", pk=contact.pk)
    form = ContactEditForm(_post_or_none(request), initial=ContactEditForm.initial_for(contact))
    if request.method == "POST" and form.is_valid():
        arguments = form.service_arguments()
        saved = run_service(
            form,
            services.contact_update,
            contact=contact,
            by=user,
            expected_version=arguments.pop("version"),
            staff=arguments.pop("staff"),
            indicators=arguments.pop("indicators"),
            offers=arguments.pop("offers"),
            data=arguments,
        )
        if saved is not None:
            messages.success(request, _("The contact was saved."))
            return redirect("outreach:contact_detail", pk=contact.pk)
    return render(
        request,
        "outreach/contact_form.html",
        {"form": form, "contact": contact, "title": _("Correct contact"), "submit": _("Save")},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@login_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _outreach_user(request)
    contact = contact_get_for_user(request, pk)
    referrals = list(
        contact.referrals.select_related(
            "to_coordinator", "referred_by", "accepted_by", "declined_by", "withdrawn_by", "case"
        ).order_by("-referred_at")
    )
    own = can_log_contacts(user) and services.is_own_contact(contact, user)
    open_referral = next(
        (r for r in referrals if r.status in (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)),
        None,
    )
    context = {
        "contact": contact,
        "referrals": referrals,
        "own": own,
        "open_referral": open_referral,
        "consent_allows": services.consent_allows_referral(contact),
        "can_refer": own and open_referral is None,
        "can_edit": own and open_referral is None,
        "show_cases": shows_cases(user),
        "history": contact_history(contact, user),
    }
    return render(request, "outreach/contact_detail.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def contact_list(request: HttpRequest) -> HttpResponse:
    """Outreach: my contacts. Managers: every contact (read-only).

    The search text (alias, description) comes in a POST body, never in the address; the other
    filters may come in the address (see core.search)."""
    user = _outreach_user(request)
    if not (can_log_contacts(user) or reads_everything(user)):
        raise PermissionDenied  # coordinators see contacts through their referrals
    if moved := search_in_address_redirect(request):
        return moved
    params = list_parameters(request)
    if refused := search_too_long(request, search_text(params)):
        return refused
    if search_text(params) and (limited := search_rate_limit(request)):
        return limited
    contact_filter = ContactFilter(
        params or None, queryset=contact_rows_queryset(user).order_by("-contacted_at"), user=user
    )
    # The count from the cache (outreach/counts.py); the page's rows walk the index of contact
    # times and stop after a page (selectors.contact_rows_queryset).
    counted = contact_filter.filtered(
        contact_count_queryset(user, searched=bool(search_text(params)))
    )
    page = CountedPaginator(
        contact_filter.qs, PAGE_SIZE, count=lambda: cached_count(counted)
    ).get_page(params.get("page"))
    contacts = list(page.object_list)
    log_contact_reads(
        request,
        contacts,
        action=AccessAction.SEARCH if search_text(params) else AccessAction.VIEW,
        detail="contact list",
    )
    context = {
        "filter": contact_filter,
        "filter_bar": filter_bar(contact_filter.form, CONTACT_FILTER_BAR),
        "page": page,
        "rows": contact_list_rows(contacts),
        "everyone": reads_everything(user),
    }
    template = "outreach/_contact_table.html" if is_htmx(request) else "outreach/contact_list.html"
    response = render(request, template, context)
    if is_htmx(request) and request.method == "POST":
        push_shareable_url(request, response, params)
    return response


# --- Referring and withdrawing (outreach) ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def referral_create(request: HttpRequest, pk: int) -> HttpResponse:
    contact = contact_get_for_edit(request, pk)
    user = _outreach_user(request)
    form = ReferralForm(_post_or_none(request))
    if request.method == "POST" and form.is_valid():
        referral = run_service(
            form, services.referral_create, contact=contact, by=user, **form.cleaned_data
        )
        if referral is not None:
            if referral.to_coordinator is not None:
                text = _("The contact was referred to %(name)s.") % {
                    "name": referral.to_coordinator
                }
            else:
                text = _("The contact was referred to the coordinators.")
            messages.success(request, text)
            return redirect("outreach:contact_detail", pk=contact.pk)
    return render(
        request,
        "outreach/referral_form.html",
        {
            "form": form,
            "contact": contact,
            "consent_allows": services.consent_allows_referral(contact),
            "already_referred": contact.referrals.filter(
                status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED]
            ).exists(),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def referral_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_get_for_withdrawal(request, pk)
    form = _action_form()
    withdrawn = run_service(
        form, services.referral_withdraw, referral=referral, by=_outreach_user(request)
    )
    if withdrawn is None:
        for error in form.non_field_errors():
            messages.error(request, str(error))
    else:
        messages.success(request, _("The referral was withdrawn."))
    return redirect("outreach:contact_detail", pk=referral.contact_id)


# --- The inbox and handling a referral (coordinators) -----------------------------------------------


@require_GET
@login_required
def referral_list(request: HttpRequest) -> HttpResponse:
    """Coordinators: the inbox (waiting referrals to them or everyone by default). Managers:
    every referral, read-only, with the time to acceptance. Outreach: their own referrals."""
    user = _outreach_user(request)
    params: QueryDict = request.GET
    if not params and can_handle_referrals(user):
        params = QueryDict(mutable=True)
        params.update({"status": ReferralStatus.PENDING, "addressed": "mine"})
    referral_filter = ReferralFilter(
        params or None,
        queryset=referral_rows_queryset(user).order_by("-referred_at", "-pk"),
        user=user,
    )
    queryset = referral_filter.qs
    if params.get("status") == ReferralStatus.PENDING:
        queryset = queryset.order_by("referred_at", "pk")  # the oldest waiting first
    if _is_the_inbox(referral_filter, user):
        # The very referrals the navigation counts: one count for both.
        paginator: Paginator[Referral] = CountedPaginator(
            queryset, PAGE_SIZE, count=lambda: pending_referrals_in(request, user)
        )
    else:
        paginator = Paginator(queryset, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    referrals: list[Referral] = list(page.object_list)
    rows = referral_list_rows(user, referrals)
    log_referral_reads(request, referrals, detail="referral list")
    context = {
        "filter": referral_filter,
        "page": page,
        "rows": rows,
        "query": params.urlencode() if params is not request.GET else _query_without_page(request),
        "show_cases": shows_cases(user),
        "can_handle": can_handle_referrals(user),
        "times": acceptance_times() if reads_everything(user) and not is_htmx(request) else None,
    }
    template = (
        "outreach/_referral_table.html" if is_htmx(request) else "outreach/referral_list.html"
    )
    return render(request, template, context)


def _is_the_inbox(referral_filter: ReferralFilter, user: User) -> bool:
    """Whether the list shows exactly `inbox_filter(user)`: waiting, to the user or to everyone,
    of every year, for someone who sees every referral (a coordinator)."""
    if not can_handle_referrals(user) or not referral_filter.form.is_valid():
        return False
    chosen = {name: value for name, value in referral_filter.form.cleaned_data.items() if value}
    return chosen == {"status": ReferralStatus.PENDING, "addressed": "mine"}


def _link_candidates(request: HttpRequest, user: User, text: str) -> list[tuple[Any, Identity]]:
    """Cases matching a search (number, reference, alias; names only where visible)."""
    if not text.strip():
        return []
    cases = list(
        case_list_queryset(user)
        .filter(case_search_filter(user, text))
        .order_by("-opened_on", "-pk")[:SEARCH_RESULTS]
    )
    cases.sort(key=lambda case: not case.is_open)  # open cases first, newest first within
    access_log_record_many(
        request=request,
        action=AccessAction.SEARCH,
        object_type="casework.case",
        items=[(str(case.pk), case.individual_id) for case in cases],
        detail="referral: find case",
    )
    access = identity_access(user)
    return [(case, access.case_identity(case)) for case in cases]


def _referral_page(
    request: HttpRequest,
    referral: Referral,
    *,
    errors: list[str] | None = None,
    status: int = 200,
    logged: bool = False,
) -> HttpResponse:
    """The referral's page, or for a coordinator's search while it waits (htmx) the search's
    results only. The page shows the contact and, once accepted, the case's person: that read
    is logged here, whatever the request's headers (`logged`: the caller has logged it)."""
    user = _outreach_user(request)
    # The search text may be a name: it comes in a POST body, never in the address.
    search = LinkSearchForm(request.POST if request.method == "POST" else None)
    text = search.cleaned_data["q"].strip() if search.is_valid() else ""
    handle = can_handle_referrals(user) and referral.is_pending
    if handle and (refused := search_too_long(request, search.data.get("q", ""))):
        return refused
    if handle and text and (limited := search_rate_limit(request)):
        return limited
    candidates = _link_candidates(request, user, text) if handle else []
    if is_htmx(request) and handle:
        return render(
            request,
            "outreach/_link_results.html",
            {"referral": referral, "candidates": candidates, "searched": bool(text)},
        )
    if not logged:
        log_referral_page_read(request, referral)
    contact = referral.contact
    context = {
        "referral": referral,
        "contact": contact,
        "contact_shown": contact_shown_in(referral, user),
        "show_cases": shows_cases(user),
        "case_identity": (
            case_identity(user, referral.case)
            if referral.case is not None and shows_cases(user)
            else None
        ),
        "handle": handle,
        "search": search,
        "candidates": candidates,
        "searched": bool(text),
        "errors": errors or [],
        "suggested_alias": contact.alias,
        "history": referral_history(referral, user),
    }
    return render(request, "outreach/referral_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The referral; a coordinator finds the person's case here (POST: the search text)."""
    user = _outreach_user(request)
    if moved := search_in_address_redirect(request):
        return moved
    # The page logs what it shows (_referral_page); the redirect below shows nothing.
    referral = referral_get_for_user(request, pk, log=False)
    if not shows_cases(user):
        # Outreach staff follow their referrals on the contact's page (no case content).
        return redirect("outreach:contact_detail", pk=referral.contact_id)
    return _referral_page(request, referral)


def _conflict_status(form: forms.BaseForm) -> int:
    """409 when someone else handled the referral first, 400 for other errors."""
    return 409 if form.has_error(NON_FIELD_ERRORS, code="handled") else 400


@require_POST
@login_required
def referral_accept_case(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept by linking to an open case (chosen from the search on the referral's page)."""
    referral = referral_get_for_handling(request, pk)
    user = _outreach_user(request)
    try:
        case_pk = int(request.POST.get("case", ""))
    except ValueError:
        return _referral_page(
            request, referral, errors=[_("Choose a case.")], status=400, logged=True
        )
    case = case_get_for_user(request, case_pk, log=False)
    form = _action_form()
    accepted = run_service(
        form,
        services.referral_accept_into_case,
        referral=referral,
        by=user,
        case=case,
        source=access_source(request),
    )
    if accepted is None:
        referral.refresh_from_db()
        return _referral_page(
            request,
            referral,
            errors=[str(error) for error in form.non_field_errors()],
            status=_conflict_status(form),
            logged=True,  # by referral_get_for_handling
        )
    messages.success(
        request,
        _("The referral was accepted into case %(number)s.") % {"number": case.number},
    )
    return redirect("casework:case_detail", pk=case.pk)


@require_http_methods(["GET", "POST"])
@login_required
def referral_accept_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept by opening a case: for a registered person (?individual=), or for a new person
    prefilled from the contact. Accepting and creating happen in one transaction."""
    referral = referral_get_for_handling(request, pk)
    user = _outreach_user(request)
    if not referral.is_pending and request.method == "GET":
        return redirect("outreach:referral_detail", pk=referral.pk)
    contact = referral.contact
    individual_pk = request.GET.get("individual") or request.POST.get("individual")
    individual, identity = None, None
    if individual_pk:
        try:
            individual, identity = individual_get_for_user(request, int(individual_pk))
        except ValueError:
            raise Http404 from None
    data = _post_or_none(request)
    case_form = ReferralCaseForm(
        data,
        prefix="case",
        initial={"coordinator": user.pk, "category": category_for(contact.age_group)},
    )
    individual_form = _new_person_form(data, user, contact) if individual is None else None
    individual_valid = individual_form is not None and individual_form.is_valid()
    if individual_form is not None and individual_form.hidden_match is not None:
        duplicate_check_record(request, [individual_form.hidden_match], hidden=True)
    if request.method == "POST" and case_form.is_valid():
        accepted = _accept_into_new_case(
            request,
            referral,
            case_form,
            individual=individual,
            new_person=individual_form.cleaned_data
            if individual_form is not None and individual_valid
            else None,
        )
        if accepted is not None and accepted.case is not None:
            messages.success(
                request,
                _("The referral was accepted and case %(number)s was opened.")
                % {"number": accepted.case.number},
            )
            return redirect("casework:case_detail", pk=accepted.case.pk)
    status = 200
    if request.method == "POST":
        status = _conflict_status(case_form)
    return render(
        request,
        "outreach/referral_accept_new.html",
        {
            "referral": referral,
            "contact": contact,
            "case_form": case_form,
            "individual_form": individual_form,
            "individual": individual,
            "identity": identity,
            "manager_needed": MANAGER_NEEDED if identity is not None and identity.masked else "",
        },
        status=status,
    )


def _new_person_form(
    data: QueryDict | None, user: User, contact: OutreachContact
) -> IndividualForm:
    """The form for registering the referred person, prefilled from the contact."""
    return IndividualForm(
        data,
        prefix="ind",
        viewer=user,
        initial={
            "alias": contact.alias,
            "sex": contact.sex,
            "birth_year": estimated_birth_year(
                contact.age_group, timezone.localdate(contact.contacted_at).year
            ),
            "citizenship": contact.presumed_nationality.code or "",
            "languages": [contact.language_id] if contact.language_id else [],
        },
    )


def _accept_into_new_case(
    request: HttpRequest,
    referral: Referral,
    case_form: ReferralCaseForm,
    *,
    individual: Individual | None,
    new_person: dict[str, Any] | None,
) -> Referral | None:
    """Accept the referral into a new case, for the registered `individual` or else for the
    `new_person` (the individual form's data once valid); None with the messages on the form."""
    user = _outreach_user(request)
    case_fields = {
        "coordinator": case_form.cleaned_data["coordinator"],
        "category": case_form.cleaned_data["category"] or None,
        "opened_on": case_form.cleaned_data["opened_on"],
        "offence": case_form.cleaned_data["offence"],
        "purposes": case_form.cleaned_data["purposes"],
    }
    if individual is not None:
        return run_service(
            case_form,
            services.referral_accept_with_new_case,
            referral=referral,
            by=user,
            individual=individual,
            source=access_source(request),
            **case_fields,
        )
    if new_person is not None:
        return run_service(
            case_form,
            services.referral_accept_with_new_individual,
            referral=referral,
            by=user,
            individual_fields={
                k: v for k, v in new_person.items() if k != "languages" and v is not None
            },
            languages=new_person.get("languages") or [],
            **case_fields,
        )
    return None


@require_http_methods(["GET", "POST"])
@login_required
def referral_decline(request: HttpRequest, pk: int) -> HttpResponse:
    referral = referral_get_for_handling(request, pk)
    if not referral.is_pending and request.method == "GET":
        return redirect("outreach:referral_detail", pk=referral.pk)
    form = DeclineForm(_post_or_none(request))
    if request.method == "POST" and form.is_valid():
        declined = run_service(
            form,
            services.referral_decline,
            referral=referral,
            by=_outreach_user(request),
            reason=form.cleaned_data["reason"],
        )
        if declined is not None:
            messages.success(request, _("The referral was declined."))
            return redirect("outreach:referral_list")
    return render(
        request,
        "outreach/referral_decline.html",
        {"form": form, "referral": referral, "contact": referral.contact},
        status=_conflict_status(form) if request.method == "POST" else 200,
    )
