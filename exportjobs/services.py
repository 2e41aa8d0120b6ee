"""Jobs that make a file in the background (core.background): start, make, read, sweep.

The job row is the outbox (core.queueing): its task is published after the commit; when the
broker cannot be reached the row waits without `queued_at` and the sweep queues it again. The
worker makes the file with the kind's `build`, in Swedish, as the user who asked; encrypts it as
a case document is (documents.encryption) into the documents storage under `exports/`; and
writes what it shows to the access log. The file and the job are deleted
LOTSA_EXPORT_KEEP_SECONDS after the file was made, or when it failed.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.audit import access_log_write_many
from accounts.models import AccessAction, User
from core.background import BuildRefused, BuiltFile, Shown, file_kind
from core.queueing import enqueue
from documents import encryption
from exportjobs.models import ExportJob, ExportJobStatus

logger = logging.getLogger(__name__)

# Progress is written at most this often (a row update per call would slow a large build).
PROGRESS_SECONDS = 1.0


def file_storage() -> Storage:
    """The documents' storage: private files (0600) or a private bucket, never served."""
    return storages["documents"]


def job_start(
    *, kind: str, by: User, params: dict[str, Any], view_name: str, ip_address: str | None
) -> ExportJob:
    """Record the job and queue its making once the transaction has committed."""
    file_kind(kind)
    job = ExportJob.objects.create(
        kind=kind, requested_by=by, params=params, view_name=view_name[:100], ip_address=ip_address
    )
    transaction.on_commit(lambda: job_queue(job_id=job.pk))
    return job


def job_start_page(**kwargs: Any) -> str:
    """core.background's starter: the job's progress page."""
    return reverse("exportjobs:job", args=[job_start(**kwargs).pk])


def job_queue(*, job_id: int) -> bool:
    """Hand the job to the broker; True once it has it (in-process: once it ran)."""
    from exportjobs.tasks import make_export_file  # exportjobs.tasks imports this module

    if not enqueue(make_export_file, job_id):
        return False
    ExportJob.objects.filter(pk=job_id, status=ExportJobStatus.QUEUED).update(
        queued_at=timezone.now()
    )
    return True


def _progress_writer(job_id: int) -> Any:
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = timezone.now().timestamp()
        if now - last[0] < PROGRESS_SECONDS and done < total:
            return
        last[0] = now
        ExportJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)

    return progress


def job_make(*, job_id: int) -> None:
    """Make the job's file. Idempotent: a job that is done, failed or gone is left alone."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.in_progress:
            return
        job.status = ExportJobStatus.RUNNING
        job.started_at = timezone.now()
        job.attempts += 1
        job.save(update_fields=["status", "started_at", "attempts"])
    user = job.requested_by
    try:
        with translation.override(settings.LANGUAGE_CODE):
            built = file_kind(job.kind).build(user, job.params, _progress_writer(job.pk))
    except (OperationalError, InterfaceError):
        raise  # the database went away: the task tries again, the job stays running
    except BuildRefused as refused:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJobStatus.FAILED,
            error=type(refused).__name__,
            message=refused.message[:300],
            finished_at=timezone.now(),
        )
        return
    except Exception as exc:
        logger.exception("export job %s (%s) failed", job.pk, job.kind)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJobStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        return
    _store(job, built)


def _store(job: ExportJob, built: BuiltFile) -> None:
    if built.result_url:  # no file: the job's page leads to the result
        ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.RUNNING).update(
            status=ExportJobStatus.DONE,
            finished_at=timezone.now(),
            result_url=built.result_url[:200],
            progress_done=Greatest(F("progress_total"), Value(1)),
            progress_total=Greatest(F("progress_total"), Value(1)),
        )
        return
    name = f"exports/{secrets.token_hex(16)}"
    sealed = encryption.encrypt(built.content, name=name)
    stored = file_storage().save(name, ContentFile(sealed.blob))
    if stored != name:  # never expected with 128 random bits
        raise RuntimeError("the document storage renamed a new export file")
    with transaction.atomic():
        updated = ExportJob.objects.filter(pk=job.pk, status=ExportJobStatus.RUNNING).update(
            status=ExportJobStatus.DONE,
            finished_at=timezone.now(),
            filename=built.filename[:150],
            content_type=built.content_type[:100],
            size=len(built.content),
            storage_name=name,
            key_id=sealed.key_id,
            wrapped_key=sealed.wrapped_key,
            logged=[
                {"object_type": shown.object_type, "detail": shown.detail, "items": shown.items}
                for shown in built.shown
            ],
            # Done: all of what the build counted (at least one step).
            progress_done=Greatest(F("progress_total"), Value(1)),
            progress_total=Greatest(F("progress_total"), Value(1)),
        )
        if not updated:  # deleted or given up meanwhile: the file is not wanted
            transaction.on_commit(lambda: _remove(name))
            return
        # The making is the read: written as the export was when it was made in its request.
        _log(job.requested_by, built.shown, view_name=job.view_name, ip_address=job.ip_address)
    logger.info("export job %s (%s) made: %s bytes", job.pk, job.kind, len(built.content))


def job_file(job: ExportJob) -> bytes:
    """The plaintext of a made file (the caller has checked who asks and logs the download)."""
    with file_storage().open(job.storage_name, "rb") as stored:
        blob = stored.read()
    return encryption.decrypt(
        blob, name=job.storage_name, key_id=job.key_id, wrapped_key=bytes(job.wrapped_key or b"")
    )


def _log(user: User, shown: list[Shown], *, view_name: str, ip_address: str | None) -> None:
    for group in shown:
        access_log_write_many(
            user=user,
            action=AccessAction.EXPORT,
            object_type=group.object_type,
            items=group.items,
            view_name=view_name,
            detail=group.detail,
            ip_address=ip_address,
        )


def job_downloaded(*, job: ExportJob, view_name: str, ip_address: str | None) -> None:
    """Write the download to the access log, one row per object the file shows."""
    ExportJob.objects.filter(pk=job.pk).update(downloads=job.downloads + 1)
    shown = [
        Shown(
            object_type=group["object_type"],
            items=[(str(object_id), individual_id) for object_id, individual_id in group["items"]],
            detail=group["detail"],
        )
        for group in job.logged
    ]
    _log(job.requested_by, shown, view_name=view_name, ip_address=ip_address)


def keep_delta() -> timedelta:
    return timedelta(seconds=settings.LOTSA_EXPORT_KEEP_SECONDS)


def job_expired(job: ExportJob) -> bool:
    """Made (or failed) more than LOTSA_EXPORT_KEEP_SECONDS ago."""
    if job.finished_at is None:
        return False
    return timezone.now() - job.finished_at > keep_delta()


def _remove(name: str) -> bool:
    storage = file_storage()
    try:
        storage.delete(name)
        gone: bool = not storage.exists(name)
        return gone
    except Exception:  # a storage that fails is tried again by the next sweep
        logger.exception("export file %s could not be removed", name)
        return False


def jobs_delete(jobs: Any) -> int:
    """Delete jobs and their files; a job whose file could not be removed stays for the next
    sweep."""
    deleted = 0
    for pk, name in list(jobs.values_list("pk", "storage_name")):
        if name and not _remove(name):
            continue
        deleted += ExportJob.objects.filter(pk=pk).delete()[0]
    return deleted


def jobs_sweep() -> dict[str, int]:
    """Queue again jobs whose task never reached a worker; give up lost ones; delete expired
    files and jobs (made more than LOTSA_EXPORT_KEEP_SECONDS ago, or failed as long ago).
    Every minute (CELERY_BEAT_SCHEDULE)."""
    now = timezone.now()
    unsent = ExportJob.objects.filter(status=ExportJobStatus.QUEUED).filter(
        Q(queued_at__isnull=True, requested_at__lte=now - timedelta(seconds=30))
        | Q(queued_at__lte=now - timedelta(minutes=15))
    )
    requeued = sum(job_queue(job_id=pk) for pk in unsent.values_list("pk", flat=True))
    lost = ExportJob.objects.filter(
        status=ExportJobStatus.RUNNING,
        started_at__lte=now - timedelta(seconds=settings.LOTSA_EXPORT_TASK_SECONDS + 60),
    ).update(status=ExportJobStatus.FAILED, error="WorkerLost", finished_at=now)
    expired = jobs_delete(ExportJob.objects.filter(finished_at__lte=now - keep_delta()))
    return {"requeued": requeued, "lost": lost, "expired": expired}
