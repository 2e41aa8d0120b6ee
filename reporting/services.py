"""Writes of the reporting app: trainings, narratives, and exports of the annual report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from reporting.models import ExportFormat, ExportStatus, ReportExport, ReportNarrative, Training

TRAINING_FIELDS = ("held_on", "title", "audience", "organiser", "participants")
NARRATIVE_FIELDS = ("introduction", "outreach_routine", "organisational_changes")


def _require_manager(user: User) -> None:
    if not has_role(user, Role.MANAGER):
        raise ValidationError(_("Only managers maintain the annual report."), code="role")


@transaction.atomic
def training_create(*, by: User, **fields: Any) -> Training:
    _require_manager(by)
    training = Training(created_by=by, **{k: fields[k] for k in TRAINING_FIELDS})
    training.full_clean()
    training.save()
    return training


@transaction.atomic
def training_update(*, training: Training, by: User, **fields: Any) -> Training:
    _require_manager(by)
    locked = Training.objects.select_for_update().get(pk=training.pk)
    for name in TRAINING_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    locked.full_clean()
    locked.save()
    return locked


@transaction.atomic
def training_delete(*, training: Training, by: User) -> None:
    _require_manager(by)
    Training.objects.filter(pk=training.pk).delete()


@transaction.atomic
def narrative_save(
    *, year: int, by: User, expected_version: int | None, **texts: str
) -> ReportNarrative:
    """Save the manager's texts for a year, refusing a stale form (two managers at once)."""
    _require_manager(by)
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
    _require_manager(by)
    export = ReportExport(
        year=year, as_of=as_of, publication=publication, format=format, requested_by=by
    )
    export.full_clean()
    export.save()
    from reporting.tasks import generate_export

    transaction.on_commit(lambda: generate_export.delay(export.pk))
    return export


def export_generate(*, export_id: int) -> ReportExport:
    """Render the export's file. Idempotent: a finished export is left alone."""
    from reporting.exports import render_export

    with transaction.atomic():
        # Race: a retried task and the first attempt; the lock lets one of them render.
        export = ReportExport.objects.select_for_update().get(pk=export_id)
        if export.status == ExportStatus.DONE:
            return export
        export.status = ExportStatus.RUNNING
        export.save(update_fields=["status"])
    try:
        filename, content = render_export(export)
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
