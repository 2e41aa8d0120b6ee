"""Writes of the reporting app: trainings, narratives, and exports of the annual report."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role, require_role
from core.queueing import enqueue
from reporting.exports import render_export
from reporting.models import ExportFormat, ExportStatus, ReportExport, ReportNarrative, Training

TRAINING_FIELDS = ("held_on", "title", "audience", "organiser", "participants")
NARRATIVE_FIELDS = ("introduction", "outreach_routine", "organisational_changes")


# What a user is told who lacks the role a service needs (accounts.roles.require_role).
MANAGERS_ONLY = gettext_lazy("Only managers maintain the annual report.")


@transaction.atomic
def training_create(*, by: User, **fields: Any) -> Training:
    require_role(by, Role.MANAGER, MANAGERS_ONLY)
    training = Training(created_by=by, **{k: fields[k] for k in TRAINING_FIELDS})
    training.full_clean()
    training.save()
    return training


@transaction.atomic
def training_update(*, training: Training, by: User, **fields: Any) -> Training:
    require_role(by, Role.MANAGER, MANAGERS_ONLY)
    locked = Training.objects.select_for_update().get(pk=training.pk)
    for name in TRAINING_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def training_delete(*, training: Training, by: User) -> None:
    require_role(by, Role.MANAGER, MANAGERS_ONLY)
    Training.objects.filter(pk=training.pk).delete()


@transaction.atomic
def narrative_save(
    *, year: int, by: User, expected_version: int | None, **texts: str
) -> ReportNarrative:
    """Save the manager's texts for a year, refusing a stale form (two managers at once)."""
    require_role(by, Role.MANAGER, MANAGERS_ONLY)
    # Race: two managers save the same year's texts; the lock orders them and the version
    # tells the second one that the first saved in between.
    narrative = ReportNarrative.objects.select_for_update().filter(year=year).first()
    if narrative is None:
        narrative = ReportNarrative(year=year, updated_by=by)
    elif expected_version is not None and narrative.version != expected_version:
        raise ValidationError(
            _(
                "Someone else saved these texts after you opened the form. Your changes were not "
                "saved. Open the page again to see the latest texts."
            ),
            code="stale",
        )
    else:
        narrative.version += 1
    for name in NARRATIVE_FIELDS:
        setattr(narrative, name, texts.get(name, ""))
    narrative.updated_by = by
    narrative.full_clean()
    narrative.save()
    return narrative


@transaction.atomic
def export_request(
    *, by: User, year: int, as_of: date, publication: bool, format: ExportFormat
) -> ReportExport:
    """Log the export and queue its generation (a Celery task, or at once without a broker)."""
    require_role(by, Role.MANAGER, MANAGERS_ONLY)
    export = ReportExport(
        year=year, as_of=as_of, publication=publication, format=format, requested_by=by
    )
    export.full_clean()
    export.save()
    transaction.on_commit(lambda: export_queue(export_id=export.pk))
    return export


def export_queue(*, export_id: int) -> bool:
    """Hand the export's generation to the broker; True once it has it. When the broker
    cannot be reached the export stays queued without `queued_at`, its page says so, and the
    export sweep (`exports_sweep`) queues it again."""
    from reporting.tasks import generate_export  # reporting.tasks imports this module

    if not enqueue(generate_export, export_id):
        return False
    ReportExport.objects.filter(pk=export_id, status=ExportStatus.QUEUED).update(
        queued_at=timezone.now()
    )
    return True


def export_generate(*, export_id: int) -> ReportExport:
    """Render the export's file. Idempotent: a finished export is left alone."""
    with transaction.atomic():
        # Race: a retried task and the first attempt; the lock lets one of them render.
        export = ReportExport.objects.select_for_update().get(pk=export_id)
        if export.status == ExportStatus.DONE:
            return export
        export.status = ExportStatus.RUNNING
        export.started_at = timezone.now()
        export.attempts += 1
        export.save(update_fields=["status", "started_at", "attempts"])
    try:
        filename, content = render_export(export)
    except (OperationalError, InterfaceError):
        raise  # the database went away: the task tries again, the export stays running
    except Exception as exc:
        ReportExport.objects.filter(pk=export_id).update(
            status=ExportStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    ReportExport.objects.filter(pk=export_id).update(
        status=ExportStatus.DONE, content=content, filename=filename, finished_at=timezone.now()
    )
    export.refresh_from_db()
    return export


# A queued export whose task is not known to have reached the broker is queued again after
# this long; one whose task did reach it, after QUEUED_LOST (the message was lost: a Redis
# restarted without its data).
QUEUED_UNSENT = timedelta(seconds=30)
QUEUED_LOST = timedelta(minutes=15)
# An export a worker started and never finished (the worker was killed, or the task's time
# limit ended it) is queued again once, then given up.
MAX_EXPORT_ATTEMPTS = 2


def exports_sweep() -> dict[str, int]:
    """Queue again the exports whose task never reached a worker, and give up or retry those
    a worker started and lost. Runs every minute (Celery beat); safe to run at any time."""
    from reporting.tasks import GENERATE_TIME_LIMIT  # reporting.tasks imports this module

    now = timezone.now()
    unsent = ReportExport.objects.filter(status=ExportStatus.QUEUED).filter(
        Q(queued_at__isnull=True, requested_at__lte=now - QUEUED_UNSENT)
        | Q(queued_at__lte=now - QUEUED_LOST)
    )
    requeued = sum(export_queue(export_id=pk) for pk in unsent.values_list("pk", flat=True))
    stalled = ReportExport.objects.filter(
        status=ExportStatus.RUNNING,
        started_at__lte=now - timedelta(seconds=GENERATE_TIME_LIMIT + 60),
    )
    failed = stalled.filter(attempts__gte=MAX_EXPORT_ATTEMPTS).update(
        status=ExportStatus.FAILED, error="WorkerLost", finished_at=now
    )
    retried = 0
    for pk in stalled.filter(attempts__lt=MAX_EXPORT_ATTEMPTS).values_list("pk", flat=True):
        if ReportExport.objects.filter(pk=pk, status=ExportStatus.RUNNING).update(
            status=ExportStatus.QUEUED, queued_at=None
        ):
            retried += export_queue(export_id=pk)
    return {"requeued": requeued, "retried": retried, "failed": failed}
