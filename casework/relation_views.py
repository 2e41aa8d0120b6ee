"""Related persons: linking two registered people, and opening a case for a child or relative
who came with the person of a case ("Lägg till medföljande barn")."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import access_log_record, access_log_record_many
from accounts.models import AccessAction
from accounts.roles import staff_user
from casework import services
from casework.forms import (
    AccompanyingChildForm,
    CaseCreateForm,
    IndividualForm,
    RelationForm,
)
from casework.models import Category, IndividualRelation
from casework.selectors import (
    RelatedPerson,
    can_edit_cases,
    case_get_for_edit,
    case_identity,
    identity_access,
    individual_get_for_edit,
)
from core.forms import run_service


def log_related_reads(request: HttpRequest, people: list[RelatedPerson]) -> None:
    """The related persons a page shows are reads of their data too: one row each."""
    access_log_record_many(
        request=request,
        action=AccessAction.VIEW,
        object_type="casework.individual",
        items=[(str(person.individual_id), person.individual_id) for person in people],
        detail="related person",
    )


@require_http_methods(["GET", "POST"])
@login_required
def relation_create(request: HttpRequest, pk: int) -> HttpResponse:
    individual = individual_get_for_edit(request, pk)
    user = staff_user(request)
    form = RelationForm(request.POST or None, individual=individual)
    if form.is_valid():
        created = run_service(
            form,
            services.relation_create,
            individual=individual,
            related=form.cleaned_data["related"],
            kind=form.cleaned_data["kind"],
            by=user,
        )
        if created is not None:
            messages.success(request, _("The persons were linked."))
            return redirect("casework:individual_detail", pk=individual.pk)
    return render(
        request,
        "casework/relation_form.html",
        {
            "form": form,
            "individual": individual,
            "identity": identity_access(user).identity(individual),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@login_required
def relation_remove(request: HttpRequest, pk: int, relation_pk: int) -> HttpResponse:
    individual = individual_get_for_edit(request, pk)
    # A link of this person's, from either side; a guessed id of another pair is a 404.
    relation = IndividualRelation.objects.filter(
        Q(individual=individual) | Q(related=individual), pk=relation_pk
    ).first()
    if relation is None:
        raise Http404
    services.relation_remove(relation=relation, by=staff_user(request))
    messages.success(request, _("The link was removed."))
    return redirect("casework:individual_detail", pk=individual.pk)


@require_http_methods(["GET", "POST"])
@login_required
def accompanying_child(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a child or relative who came with the case's person, open their case (a minor
    or relative case) and link the two, in one step."""
    adult_case = case_get_for_edit(request, pk)
    user = staff_user(request)
    data = request.POST or None
    relation_form = AccompanyingChildForm(data, prefix="relation")
    person_form = IndividualForm(data, prefix="person", viewer=user)
    case_form = CaseCreateForm(
        data,
        prefix="case",
        initial={
            "coordinator": adult_case.coordinator_id,
            "offence": adult_case.offence,
            "category": Category.MINOR,
        },
    )
    if data is not None and all(f.is_valid() for f in (relation_form, person_form, case_form)):
        person = person_form.cleaned_data
        case_data = case_form.cleaned_data
        case = run_service(
            case_form,
            services.case_open_accompanying_child,
            adult_case=adult_case,
            by=user,
            kind=relation_form.cleaned_data["kind"],
            individual_fields={
                k: v for k, v in person.items() if k != "languages" and v is not None
            },
            languages=person.get("languages") or [],
            coordinator=case_data["coordinator"],
            category=case_data["category"] or None,
            opened_on=case_data["opened_on"],
            origin=case_data["origin"],
            offence=case_data["offence"],
            purposes=case_data["purposes"],
        )
        if case is not None:
            messages.success(request, _("Case %(number)s was opened.") % {"number": case.number})
            return redirect("casework:case_detail", pk=case.pk)
    # The page shows the case and its person (the header): a read, logged as every form page's.
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=adult_case,
        individual_id=adult_case.individual_id,
    )
    return render(
        request,
        "casework/accompanying_child.html",
        {
            "case": adult_case,
            "identity": case_identity(user, adult_case),
            "relation_form": relation_form,
            "person_form": person_form,
            "case_form": case_form,
            "can_edit": can_edit_cases(user),
        },
        status=400 if data is not None else 200,
    )
