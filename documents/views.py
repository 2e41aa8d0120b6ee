"""Case document pages: the list, upload, one document (with its preview), download, and marking
one as registered by mistake.

Every view loads its case and document through documents.selectors (404 for whoever may not
read the case, or for a document of another case; 403 where the person's identity is hidden
from the user). Files are only ever sent by `document_download` and `document_preview`, each
writing one access-log row.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from accounts.audit import access_log_record
from accounts.models import AccessAction, User
from accounts.roles import staff_user
from casework.selectors import can_edit_cases, case_identity
from core.forms import run_service
from documents import selectors, services
from documents.encryption import DocumentDecryptionError
from documents.forms import DocumentUploadForm, DocumentVoidForm
from documents.models import CaseDocument
from documents.scanning import scanning_on
from documents.uploads import SizeLimitUploadHandler, limit_uploads

logger = logging.getLogger(__name__)


def _require_editor(request: HttpRequest) -> User:
    user = staff_user(request)
    if not can_edit_cases(user):
        raise PermissionDenied
    return user


@require_GET
@login_required
def document_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Every document of the case, those marked as registered by mistake too."""
    user = staff_user(request)
    case = selectors.case_get_for_documents(request, pk)
    documents = list(selectors.case_documents(case, voided=True))
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=case,
        individual_id=case.individual_id,
        detail="documents",
    )
    context = {
        "case": case,
        "identity": case_identity(user, case),
        "documents": documents,
        "can_edit": can_edit_cases(user),
        "scanning_on": scanning_on(),
    }
    return render(request, "documents/document_list.html", context)


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _initial(request: HttpRequest) -> dict[str, object]:
    """What a link may fill in: the application page's "Attach the decision" gives the kind
    and the decision's date."""
    initial: dict[str, object] = {}
    if kind := services.kind_initial(request.GET.get("kind")):
        initial["kind"] = kind
    with contextlib.suppress(ValueError):
        initial["dated_on"] = date.fromisoformat(request.GET.get("on", ""))
    return initial


@csrf_exempt  # checked by _document_upload, after the size limit is in place (see below)
@require_http_methods(["GET", "POST"])
@login_required
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a file to the case. The size limit must be installed before anything reads the
    body, and the CSRF check reads it: so the check runs inside, with csrf_protect (Django's
    documented way to change upload handlers in a view)."""
    limit = limit_uploads(request, services.max_upload_bytes())
    return _document_upload(request, pk, too_large=limit)


@csrf_protect
def _document_upload(
    request: HttpRequest, pk: int, *, too_large: SizeLimitUploadHandler
) -> HttpResponse:
    case = selectors.case_get_for_documents(request, pk)  # 404 first for who may not read it
    user = _require_editor(request)
    next_url = _safe_next(request)
    if request.method == "POST":
        form = DocumentUploadForm(
            request.POST,
            request.FILES,
            too_large=services.too_large_message() if too_large.too_large else "",
        )
    else:
        form = DocumentUploadForm(initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > services.max_upload_bytes():  # the handler's limit, checked again
            form.add_error("file", services.too_large_message())
        else:
            document = run_service(
                form,
                services.document_upload,
                case=case,
                by=user,
                content=upload.read(),
                file_name=upload.name or "",
                kind=form.cleaned_data["kind"],
                direction=form.cleaned_data["direction"],
                dated_on=form.cleaned_data["dated_on"],
                title=form.cleaned_data["title"],
            )
            if document is not None:
                messages.success(request, _("The document was added to the case."))
                if next_url:
                    return redirect(next_url)
                return redirect("casework:case_detail", pk=case.pk)
    access_log_record(
        request=request, action=AccessAction.VIEW, obj=case, individual_id=case.individual_id
    )
    context = {
        "case": case,
        "identity": case_identity(user, case),
        "form": form,
        "next": next_url,
        "scanning_on": scanning_on(),
        "max_mb": services.max_upload_bytes() // (1024 * 1024),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/document_upload.html", context, status=status)


@require_GET
@login_required
def document_detail(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    user = staff_user(request)
    document = selectors.document_get_for_user(request, pk, document_pk)
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=document,
        individual_id=document.case.individual_id,
        detail="document details",
    )
    context = {
        "case": document.case,
        "identity": case_identity(user, document.case),
        "document": document,
        "can_edit": can_edit_cases(user),
        "void_form": DocumentVoidForm(),
    }
    return render(request, "documents/document_detail.html", context)


def _file_response(request: HttpRequest, document: CaseDocument, *, inline: bool) -> HttpResponse:
    try:
        content = services.document_read(document=document)
    except (DocumentDecryptionError, OSError):
        logger.exception("document %s could not be read", document.pk)
        return render(
            request,
            "documents/unreadable.html",
            {"case": document.case, "document": document},
            status=503,
        )
    access_log_record(
        request=request,
        action=AccessAction.VIEW if inline else AccessAction.EXPORT,
        obj=document,
        individual_id=document.case.individual_id,
        detail="document preview" if inline else "document download",
    )
    response = HttpResponse(content, content_type=document.mime)
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=not inline, filename=document.download_name) or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    add_never_cache_headers(response)  # no-store: the file stays out of every cache
    return response


@require_GET
@login_required
def document_download(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    document = selectors.document_get_for_user(request, pk, document_pk)
    return _file_response(request, document, inline=False)


@require_GET
@login_required
def document_preview(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """PDFs and images shown in the browser (under the site's Content-Security-Policy, as every
    response); other types are only downloaded."""
    document = selectors.document_get_for_user(request, pk, document_pk)
    if not document.previewable:
        return redirect("documents:document_download", pk=pk, document_pk=document.pk)
    return _file_response(request, document, inline=True)


@require_http_methods(["GET", "POST"])
@login_required
def document_void(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """Mark a document as registered by mistake, with the reason."""
    document = selectors.document_get_for_user(request, pk, document_pk)
    user = _require_editor(request)
    form = DocumentVoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        voided = run_service(
            form,
            services.document_void,
            document=document,
            by=user,
            reason=form.cleaned_data["reason"],
        )
        if voided is not None:
            messages.success(request, _("The document was marked as registered by mistake."))
            return redirect("casework:case_detail", pk=document.case_id)
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=document,
        individual_id=document.case.individual_id,
        detail="document details",
    )
    context = {
        "case": document.case,
        "identity": case_identity(user, document.case),
        "document": document,
        "can_edit": True,
        "void_form": form,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/document_detail.html", context, status=status)
