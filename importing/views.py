"""The managers' import page: download the template, upload a file, see what each row would
become (a dry run), confirm. Only managers: everyone else gets 403."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import MemoryFileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import access_source
from accounts.roles import Role, role_required, staff_user
from core.forms import is_htmx
from importing.forms import ConfirmForm, UploadForm
from importing.models import ImportJob, ImportJobStatus, ImportJobStep
from importing.preview import preview_forget, preview_keep, preview_rows
from importing.reading import ImportFileError, read_rows
from importing.services import (
    ImportReport,
    import_job_confirm,
    import_job_expired,
    import_job_rows_done,
    import_job_start,
    import_records,
    report_from_json,
)
from importing.template import template_workbook

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class InMemoryUpload(MemoryFileUploadHandler):
    """Keeps the upload in memory whatever its size (never in a temporary file on disk: the
    file is not kept), and stops reading it past LOTSA_IMPORT_MAX_BYTES."""

    too_large = False

    def handle_raw_input(self, *args: Any, **kwargs: Any) -> None:
        self.activated = True

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > settings.LOTSA_IMPORT_MAX_BYTES:
            self.too_large = True
            raise SkipFile
        return super().receive_data_chunk(raw_data, start)


def _page(
    request: HttpRequest,
    *,
    form: UploadForm | None = None,
    file_errors: list[str] | None = None,
    report: ImportReport | None = None,
    file_sha256: str = "",
    file_name: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "importing/import.html",
        {
            "form": form or UploadForm(),
            "file_errors": file_errors or [],
            "report": report,
            "file_sha256": file_sha256,
            "file_name": file_name,
            "max_rows": settings.LOTSA_IMPORT_MAX_ROWS,
            "max_megabytes": settings.LOTSA_IMPORT_MAX_BYTES // 1_000_000,
            "preview_minutes": settings.LOTSA_IMPORT_PREVIEW_SECONDS // 60,
        },
        status=status,
    )


@csrf_exempt  # checked by csrf_protect below, once the upload handler is in place
@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def import_start(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: a dry run of the uploaded file, shown row by row."""
    handler = InMemoryUpload(request)
    request.upload_handlers = [handler]  # before anything reads the body
    return _import_start(request, handler)


@csrf_protect
def _import_start(request: HttpRequest, handler: InMemoryUpload) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    user = staff_user(request)
    form = UploadForm(request.POST, request.FILES)
    if handler.too_large:
        return _page(
            request,
            file_errors=[
                _("The file is larger than %(limit)d MB: split it and import the parts.")
                % {"limit": settings.LOTSA_IMPORT_MAX_BYTES // 1_000_000}
            ],
            status=400,
        )
    if not form.is_valid():
        return _page(request, form=form, status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    name = upload.name or ""
    try:
        rows = read_rows(name, data)
    except ImportFileError as error:
        return _page(request, file_errors=error.messages, file_name=name, status=400)
    digest = hashlib.sha256(data).hexdigest()
    if len(rows) > settings.LOTSA_IMPORT_BACKGROUND_ROWS:
        # Minutes of work for a large file: a worker checks it, the job's page shows how far.
        job = import_job_start(by=user, file_name=name, file_sha256=digest, rows=rows)
        return redirect("importing:job", pk=job.pk)
    report = import_records(rows=rows, by=user, commit=False, file_sha256=digest)
    if not report.has_errors:
        preview_keep(user=user, file_sha256=digest, rows=rows)
    return _page(
        request,
        report=report,
        file_sha256=digest,
        file_name=name,
        status=400 if report.has_errors else 200,
    )


@require_POST
@role_required(Role.MANAGER)
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the previewed file: every row validated again, all committed or none."""
    user = staff_user(request)
    form = ConfirmForm(request.POST)
    rows = None
    if form.is_valid():
        digest = form.cleaned_data["file_sha256"]
        rows = preview_rows(user=user, file_sha256=digest)
    if rows is None:
        return _page(
            request,
            file_errors=[
                _(
                    "The preview of this file is no longer kept (it is kept for %(minutes)d "
                    "minutes, and only until it is imported). Upload the file again."
                )
                % {"minutes": settings.LOTSA_IMPORT_PREVIEW_SECONDS // 60}
            ],
            status=400,
        )
    report = import_records(
        rows=rows, by=user, commit=True, file_sha256=digest, source=access_source(request)
    )
    if not report.committed:
        # Something changed since the preview (a case opened, a coordinator removed).
        return _page(request, report=report, file_sha256=digest, status=409)
    preview_forget(user=user, file_sha256=digest)
    return _page(request, report=report, file_sha256=digest)


def _job_for(request: HttpRequest, pk: int) -> ImportJob:
    """The manager's own job: another manager's upload is not theirs to see or confirm (404)."""
    return get_object_or_404(ImportJob.objects.defer("rows"), pk=pk, requested_by=request.user)


def _job_page(request: HttpRequest, job: ImportJob, *, status: int = 200) -> HttpResponse:
    done = job.status == ImportJobStatus.DONE and job.report is not None
    template = "importing/_job_status.html" if is_htmx(request) else "importing/job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "Status": ImportJobStatus,
            "Step": ImportJobStep,
            "rows_done": import_job_rows_done(job),
            "report": report_from_json(job.report) if done and job.report else None,
            "expired": job.step == ImportJobStep.CHECK and import_job_expired(job),
            "preview_minutes": settings.LOTSA_IMPORT_PREVIEW_SECONDS // 60,
        },
        status=status,
    )


@require_GET
@role_required(Role.MANAGER)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """A large file's check or import: its progress, refreshed (htmx) until done; its report."""
    return _job_page(request, _job_for(request, pk))


@require_POST
@role_required(Role.MANAGER)
def import_job_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the import of a checked large file: every row checked again, all or none kept."""
    job = _job_for(request, pk)
    if not import_job_confirm(job=job, by=staff_user(request), source=access_source(request)):
        return _page(
            request,
            file_errors=[
                _(
                    "This file cannot be imported from its check any more (it was imported, "
                    "had errors, or was kept longer than %(minutes)d minutes). Upload it again."
                )
                % {"minutes": settings.LOTSA_IMPORT_PREVIEW_SECONDS // 60}
            ],
            status=400,
        )
    return redirect("importing:job", pk=job.pk)


@require_GET
@role_required(Role.MANAGER)
def template_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(template_workbook(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="lotsa-importmall.xlsx"'
    return response
