"""Imports of the unit's past records: which file was imported, by whom, and which case each of
its rows became (the external reference makes importing the same row twice a no-op)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from casework.models import Case


class ImportRun(models.Model):
    """One committed import of a spreadsheet. The file itself is never kept: its SHA-256 says
    which file it was."""

    imported_at = models.DateTimeField(_("imported"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    file_sha256 = models.CharField(_("file's SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"))
    cases_created = models.PositiveIntegerField(_("cases created"))
    individuals_created = models.PositiveIntegerField(_("individuals registered"))
    already_imported = models.PositiveIntegerField(_("rows imported before"))

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return f"{self.imported_at:%Y-%m-%d %H:%M} {self.file_sha256[:12]}"


class ImportedRecord(models.Model):
    """The case that a row with this external reference became."""

    external_reference = models.CharField(_("external reference"), max_length=100)
    run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="records", verbose_name=_("import")
    )
    row = models.PositiveIntegerField(_("row"))
    case = models.OneToOneField(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("case")
    )

    class Meta:
        verbose_name = _("imported row")
        verbose_name_plural = _("imported rows")
        constraints = [
            models.UniqueConstraint(
                fields=["external_reference"],
                name="imported_record_reference_unique",
                violation_error_message=_("A row with this external reference was imported."),
            )
        ]

    def __str__(self) -> str:
        return self.external_reference


class ImportJobStep(models.TextChoices):
    CHECK = "check", _("Check")
    IMPORT = "import", _("Import")


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A file too large to check in one request, checked and imported by a Celery task.

    Bookkeeping of the import, not case data: the parsed rows of the upload while it waits
    for its check and its confirmation (never the file itself), the progress and the per-row
    report. A dry run writes nothing to the case tables; this row is how the page learns its
    result. The rows are removed once imported; the whole row is deleted
    LOTSA_IMPORT_PREVIEW_SECONDS after its last step finished (importing.services.import_jobs_sweep).
    """

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file's SHA-256"), max_length=64)
    step = models.CharField(
        _("step"), max_length=10, choices=ImportJobStep.choices, default=ImportJobStep.CHECK
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    # As a report export's (reporting.models.ReportExport): when its task last reached the
    # broker (empty: not yet; the sweep queues it again), when a worker last started it, how
    # many times one did.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    rows_total = models.PositiveIntegerField(_("rows"))
    # The parsed rows (zlib-compressed JSON, importing.preview); empty once imported.
    rows = models.BinaryField(_("rows"), null=True, blank=True, editable=False)
    report = models.JSONField(_("report"), null=True, blank=True, editable=False)
    # Where the confirmation came from, for the access log rows the import writes.
    confirmed_from = models.GenericIPAddressField(_("confirmed from"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.file_name} {self.step} {self.status}"
