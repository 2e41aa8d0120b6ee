"""A background export's page (its progress, refreshed by htmx until the file is ready) and the
file's download. Only the person who asked sees either (403 for anyone else, whatever their
role), and only while they still hold a role that may make that kind of file."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.audit import access_source
from accounts.roles import Role, has_role, role_required, staff_user
from core.background import file_kind
from core.forms import is_htmx
from documents.encryption import DocumentDecryptionError
from exportjobs.models import ExportJob, ExportJobStatus
from exportjobs.services import job_downloaded, job_expired, job_file, jobs_delete, keep_delta

logger = logging.getLogger(__name__)


def _keep_hours() -> int:
    hours: int = settings.LOTSA_EXPORT_KEEP_SECONDS // 3600
    return max(1, hours)


def _job_for(request: HttpRequest, pk: int) -> ExportJob:
    """The user's own job. Anyone else's, and a missing one, are refused alike (403): a guessed
    id tells nothing."""
    user = staff_user(request)
    job = ExportJob.objects.defer("logged").filter(pk=pk, requested_by=user).first()
    if job is None or not has_role(user, *file_kind(job.kind).roles):
        raise PermissionDenied
    return job


def _expired_page(request: HttpRequest, job: ExportJob) -> HttpResponse:
    """The file was kept long enough: deleted now (if the sweep has not yet), 410."""
    label = file_kind(job.kind).label
    jobs_delete(ExportJob.objects.filter(pk=job.pk))
    return render(
        request,
        "exportjobs/expired.html",
        {"label": label, "keep_hours": _keep_hours()},
        status=410,
    )


@require_GET
@role_required(Role.COORDINATOR, Role.MANAGER)
def job_list(request: HttpRequest) -> HttpResponse:
    """The user's own background work of the last LOTSA_EXPORT_KEEP_SECONDS; expired jobs are
    deleted first (as the sweep would)."""
    user = staff_user(request)
    mine = ExportJob.objects.defer("logged", "params").filter(requested_by=user)
    jobs_delete(mine.filter(finished_at__lte=timezone.now() - keep_delta()))
    jobs = [(job, file_kind(job.kind).label) for job in mine.order_by("-requested_at")[:50]]
    return render(
        request,
        "exportjobs/job_list.html",
        {"jobs": jobs, "Status": ExportJobStatus, "keep_hours": _keep_hours()},
    )


@require_GET
@login_required
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress; when ready, its download. A htmx request gets the status part only."""
    job = _job_for(request, pk)
    if job_expired(job):
        return _expired_page(request, job)
    if job.status == ExportJobStatus.DONE and job.result_url:
        # Work whose result is a page: there (htmx swaps in the whole page).
        if is_htmx(request):
            return HttpResponse(headers={"HX-Redirect": job.result_url})
        return redirect(job.result_url)
    template = "exportjobs/_job_status.html" if is_htmx(request) else "exportjobs/job.html"
    return render(
        request,
        template,
        {
            "job": job,
            "label": file_kind(job.kind).label,
            "Status": ExportJobStatus,
            "keep_hours": _keep_hours(),
        },
    )


@require_GET
@login_required
def job_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The made file, written to the access log as a read of everything it shows."""
    job = _job_for(request, pk)
    if job_expired(job):
        return _expired_page(request, job)
    if job.status != ExportJobStatus.DONE or not job.storage_name:
        return redirect("exportjobs:job", pk=job.pk)
    try:
        content = job_file(job)
    except (DocumentDecryptionError, OSError):
        logger.exception("export job %s: its file cannot be read", job.pk)
        return render(
            request,
            "exportjobs/unreadable.html",
            {"label": file_kind(job.kind).label},
            status=503,
        )
    job = ExportJob.objects.get(pk=job.pk)  # with what it shows, for the log
    source = access_source(request)
    job_downloaded(job=job, view_name=source.view_name, ip_address=source.ip_address)
    response = HttpResponse(content, content_type=job.content_type)
    response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
    return response
