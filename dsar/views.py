"""The data-subject export page (managers): choose PDF or JSON, state the request; a worker
makes the file and the manager downloads it from its progress page (exportjobs).

Managers only (403 for every other role, refused before any lookup). The page shows the person,
so opening it is logged as a read; every file made, and every download of it, is logged as an
export with the stated reference of the request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.audit import access_source
from accounts.roles import Role, role_required, staff_user
from casework.models import Individual
from casework.selectors import individual_get_for_user, may_see_identity
from core.background import start_file
from dsar import background
from dsar.forms import SubjectExportForm


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def subject_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    user = staff_user(request)
    form = SubjectExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        individual = get_object_or_404(Individual, pk=pk)
        # The file is never masked: only for someone who may see the identity (every manager).
        if not may_see_identity(user, individual):
            raise PermissionDenied
        # A person with thousands of log rows takes most of a minute: a worker makes the file
        # (dsar.background), the answer is its progress page, which offers the download.
        source = access_source(request)
        return redirect(
            start_file(
                kind=background.KIND,
                by=user,
                params=background.export_params(
                    individual,
                    fmt=form.cleaned_data["format"],
                    request_reference=form.cleaned_data["request_reference"],
                    include_documents=form.cleaned_data["include_documents"],
                ),
                view_name=source.view_name,
                ip_address=source.ip_address,
            )
        )
    individual, identity = individual_get_for_user(request, pk)
    return render(
        request,
        "dsar/subject_export.html",
        {"individual": individual, "identity": identity, "form": form},
        status=400 if request.method == "POST" else 200,
    )
