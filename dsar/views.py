"""The data-subject export page (managers): choose PDF or JSON, state the request, download.

Managers only (403 for every other role, refused before any lookup). The page shows the person,
so opening it is logged as a read; every file made is logged as an export with the stated
reference of the request.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from accounts.audit import access_log_record
from accounts.models import AccessAction
from accounts.roles import Role, role_required, staff_user
from casework.models import Individual
from casework.selectors import individual_get_for_user, may_see_identity
from dsar import exports
from dsar.forms import SubjectExportForm

LOG_DETAIL = "Registerutdrag (GDPR art. 15)"


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def subject_export(request: HttpRequest, pk: int) -> HttpResponse:
    user = staff_user(request)
    form = SubjectExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        individual = get_object_or_404(Individual, pk=pk)
        # The file is never masked: only for someone who may see the identity (every manager).
        if not may_see_identity(user, individual):
            raise PermissionDenied
        fmt = form.cleaned_data["format"]
        reference = form.cleaned_data["request_reference"]
        filename, content = exports.render_export(
            individual, fmt=fmt, by=user, request_reference=reference
        )
        access_log_record(
            request=request,
            action=AccessAction.EXPORT,
            obj=individual,
            individual_id=individual.pk,
            detail=f"{LOG_DETAIL} {fmt.upper()}: {reference}",
        )
        response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    individual, identity = individual_get_for_user(request, pk)
    return render(
        request,
        "dsar/subject_export.html",
        {"individual": individual, "identity": identity, "form": form},
        status=400 if request.method == "POST" else 200,
    )
