"""Retention (gallring): proposals to cull personal data of old cases, and what each run did.

A run is proposed (by the monthly task or a manager), listed as a dry run, and either confirmed
by a manager, which culls the listed individuals in one transaction, or cancelled. The run and
its items are the record of the cull: who proposed, who confirmed, when, with which cutoff,
which individuals and cases. They hold references and case numbers only, never a name.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from casework.models import Individual


class RetentionRun(models.Model):
    """One retention run: a dry-run list of individuals, confirmed (culled) or cancelled."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed, waiting for confirmation")
        DONE = "done", _("Confirmed and culled")
        CANCELLED = "cancelled", _("Cancelled")

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
        help_text=_("Empty: proposed by Lotsa's monthly run."),
    )
    today = models.DateField(_("computed on"))
    cutoff = models.DateField(
        _("cutoff"), help_text=_("Last activity before this date makes a case due for culling.")
    )
    retention_years = models.PositiveSmallIntegerField(_("retention in years"))
    keep_birth_days = models.CharField(
        _("birth days kept"), max_length=100, blank=True, help_text=_("Days of the month.")
    )
    individuals_count = models.PositiveIntegerField(_("individuals to cull"), default=0)
    cases_count = models.PositiveIntegerField(_("cases"), default=0)
    kept_count = models.PositiveIntegerField(_("individuals kept for research"), default=0)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    culled_individuals = models.PositiveIntegerField(_("individuals culled"), default=0)
    culled_journal_entries = models.PositiveIntegerField(_("journal entries culled"), default=0)
    skipped_count = models.PositiveIntegerField(
        _("no longer due at confirmation"),
        default=0,
        help_text=_("Listed, but a case was reopened or written in before the confirmation."),
    )

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-proposed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=Q(status="proposed"),
                name="retention_one_open_proposal",
                violation_error_message=_("Only one retention proposal can wait at a time."),
            ),
            models.CheckConstraint(
                name="retention_done_is_confirmed",
                condition=~Q(status="done")
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                violation_error_message=_("A culled run needs who confirmed it and when."),
            ),
            models.CheckConstraint(
                name="retention_cutoff_before_today",
                condition=Q(cutoff__lt=models.F("today")),
                violation_error_message=_("The cutoff must be before the day of the run."),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.today:%Y-%m-%d}"

    @property
    def is_proposed(self) -> bool:
        return self.status == self.Status.PROPOSED


class RetentionItem(models.Model):
    """One individual in a run: to be culled, or kept for research (born on a kept day)."""

    class Decision(models.TextChoices):
        CULL = "cull", _("Cull")
        KEEP = "keep", _("Kept for research (born on a kept day)")
        SKIPPED = "skipped", _("No longer due at confirmation")
        CULLED = "culled", _("Culled")

    run = models.ForeignKey(
        RetentionRun, on_delete=models.CASCADE, related_name="items", verbose_name=_("run")
    )
    # PROTECT: the record of a cull outlives anything; individuals are never deleted anyway.
    individual = models.ForeignKey(
        Individual, on_delete=models.PROTECT, related_name="+", verbose_name=_("individual")
    )
    # Snapshots that identify no one: the reference and the case numbers, as listed.
    reference = models.CharField(_("reference"), max_length=12)
    case_numbers = models.CharField(_("cases"), max_length=500)
    last_activity = models.DateField(_("last activity"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)

    class Meta:
        verbose_name = _("retention item")
        verbose_name_plural = _("retention items")
        ordering = ["last_activity", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "individual"],
                name="retention_item_once_per_run",
                violation_error_message=_("The individual is already listed in this run."),
            )
        ]
        indexes = [
            # find_candidates: individuals already culled are never listed again.
            models.Index(fields=["individual", "decision"], name="retention_item_culled_idx"),
            # The run's page: one list (decision) at a time, in the page's order, and the
            # lists' counts, from the index alone (bench/RESULTS.md).
            models.Index(
                fields=["run", "decision", "last_activity", "reference"],
                name="retention_item_page_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.decision})"
