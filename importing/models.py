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
