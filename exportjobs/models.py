"""A file made in the background for one staff member (core.background), and its progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ExportJob(models.Model):
    """One file asked for by one person: queued, made by a worker, downloaded by that person
    only, deleted LOTSA_EXPORT_KEEP_SECONDS after it was made (exportjobs.services.jobs_sweep).

    The file is stored as case documents are (documents.encryption: encrypted with a key of its
    own, wrapped with LOTSA_DOCUMENT_KEY, in the documents storage under `exports/`), never in
    the database and never readable without Lotsa. What it shows is kept (`logged`) so that the
    download is written to the access log as the making was.
    """

    kind = models.CharField(_("kind"), max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # The request's parameters (the list's filters, the format, the reference of the request).
    params = models.JSONField(_("parameters"), default=dict)
    # Where it was asked for, for the access log rows the worker writes.
    view_name = models.CharField(_("page"), max_length=100)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.QUEUED
    )
    # As an import job's: when its task last reached the broker (empty: not yet; the sweep
    # queues it again), when a worker last started it, how many times one did.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    progress_done = models.PositiveIntegerField(_("done"), default=0)
    progress_total = models.PositiveIntegerField(_("total"), default=0)
    filename = models.CharField(_("file name"), max_length=150, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    storage_name = models.CharField(_("stored as"), max_length=200, blank=True, editable=False)
    key_id = models.CharField(_("key id"), max_length=40, blank=True, editable=False)
    wrapped_key = models.BinaryField(_("wrapped key"), null=True, blank=True, editable=False)
    # Work whose result is a page (core.background.BuiltFile.result_url): where it leads.
    result_url = models.CharField(_("result"), max_length=200, blank=True)
    # What the file shows, for the access log: core.background.Shown as JSON.
    logged = models.JSONField(_("logged objects"), default=list, editable=False)
    downloads = models.PositiveIntegerField(_("downloads"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)
    # Why the file could not be made, for the person who asked (core.background.BuildRefused).
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("background export")
        verbose_name_plural = _("background exports")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["status", "finished_at"], name="exportjob_status_finished")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status}"

    @property
    def in_progress(self) -> bool:
        return self.status in (ExportJobStatus.QUEUED, ExportJobStatus.RUNNING)
