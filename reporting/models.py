"""Reporting's own data: trainings, the manager's narrative per year, and generated exports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.dates import plausible_dates, validate_planned_work_date


class Training(models.Model):
    """A training session the unit gave (feeds question 5 of the annual report)."""

    held_on = models.DateField(_("date"), validators=[validate_planned_work_date])
    title = models.CharField(_("title"), max_length=200)
    audience = models.CharField(
        _("audience"),
        max_length=200,
        help_text=_("For example: the city's social workers."),
    )
    organiser = models.CharField(_("organiser"), max_length=200)
    participants = models.PositiveIntegerField(_("number of participants"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-held_on"]
        constraints = [
            plausible_dates("training_held_on_plausible", "held_on"),
            models.CheckConstraint(
                name="training_has_participants",
                condition=Q(participants__gte=1),
                violation_error_message=_("A training needs at least one participant."),
            ),
        ]
        indexes = [
            # Question 5: trainings held in a period.
            models.Index(fields=["held_on"], name="training_held_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class ReportNarrative(models.Model):
    """The manager's own words for a report year: introduction, routine (Q4), changes (Q6)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    introduction = models.TextField(_("introduction"), blank=True)
    outreach_routine = models.TextField(
        _("the outreach team's routine (question 4)"),
        blank=True,
        help_text=_("How the team works when it meets a person who may be a victim."),
    )
    organisational_changes = models.TextField(_("organisational changes (question 6)"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("report narrative")
        verbose_name_plural = _("report narratives")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportExport(models.Model):
    """One export of an annual report: the log of who exported what, and the file itself.

    The file is kept in the database, not on disk, so web and worker processes on different
    machines share it without a shared file system.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    as_of = models.DateField(_("as of"))
    publication = models.BooleanField(_("publication mode"), default=False)
    format = models.CharField(_("format"), max_length=4, choices=ExportFormat.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The generation's progress (reporting.services): when its task last reached the broker
    # (empty: not yet, e.g. the broker was down; the export sweep queues it again), when a
    # worker last started it, and how many times one did.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    filename = models.CharField(_("file name"), max_length=100, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("report export")
        verbose_name_plural = _("report exports")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.year} {self.format} {self.status}"
