"""The data-subject export page (managers): choose PDF or JSON, state the request, download.

Managers only (403 for every other role, refused before any lookup). The page shows the person,
so opening it is logged as a read; every file made is logged as an export with the stated
reference of the request.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.audit import access_log_record
from accounts.models import AccessAction
from accounts.roles import Role, role_required, staff_user
from casework.models import Individual
from casework.selectors import individual_get_for_user, may_see_identity
from documents.encryption import DocumentDecryptionError
from dsar import exports
from dsar.forms import SubjectExportForm

LOG_DETAIL = "Registerutdrag (GDPR art. 15)"

logger = logging.getLogger(__name__)


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
        fmt = form.cleaned_data["format"]
        reference = form.cleaned_data["request_reference"]
        filename, content = exports.render_export(
            individual, fmt=fmt, by=user, request_reference=reference
        )
        if form.cleaned_data["include_documents"]:
            try:
                filename, archive, included = exports.documents_archive(
                    individual, filename, content
                )
            except (DocumentDecryptionError, OSError):
                logger.exception("registerutdrag for individual %s: a document is unreadable", pk)
                form.add_error(
                    "include_documents",
                    _(
                        "A document file could not be read, so the export was not made. Make "
                        "it without the files, and tell the system administrator."
                    ),
                )
                individual, identity = individual_get_for_user(request, pk)
                return render(
                    request,
                    "dsar/subject_export.html",
                    {"individual": individual, "identity": identity, "form": form},
                    status=503,
                )
            for document in included:
                access_log_record(
                    request=request,
                    action=AccessAction.EXPORT,
                    obj=document,
                    individual_id=individual.pk,
                    detail=f"{LOG_DETAIL}: {reference}"[:200],
                )
            access_log_record(
                request=request,
                action=AccessAction.EXPORT,
                obj=individual,
                individual_id=individual.pk,
                detail=f"{LOG_DETAIL} {fmt.upper()} + documents: {reference}"[:200],
            )
            return FileResponse(
                archive, as_attachment=True, filename=filename, content_type="application/zip"
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
