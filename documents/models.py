"""Case documents: the received and drawn-up papers of a case (inkomna och upprättade handlingar,
SOSFS 2014:5 4 kap. 6 §), stored encrypted under a random name, read only through Lotsa."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from casework.models import Case
from core.dates import plausible_dates, validate_past_work_date
from documents.filetypes import KINDS, FileType


class DocumentKind(models.TextChoices):
    MIGRATION_DECISION = "migration_decision", _("Decision from the Swedish Migration Agency")
    POLICE = "police", _("Police report or interview record")
    IDENTITY = "identity", _("Identity document")
    CONSENT = "consent", _("Signed consent")
    CERTIFICATE = "certificate", _("Certificate")
    LETTER_IN = "letter_in", _("Letter received")
    LETTER_OUT = "letter_out", _("Letter sent")
    OTHER = "other", pgettext_lazy("document kind", "Other")


class Direction(models.TextChoices):
    RECEIVED = "received", _("Received (inkommen)")
    DRAWN_UP = "drawn_up", _("Drawn up (upprättad)")


class ScanState(models.TextChoices):
    CLEAN = "clean", _("Scanned for viruses: nothing found")
    NOT_SCANNED = "not_scanned", _("Not scanned for viruses (scanning is off)")


class CaseDocument(models.Model):
    """One file of a case. Never edited and never deleted by a user: a document registered by
    mistake is marked as such, with a reason, and stays in the case's history. Retention removes
    its file and its title with the rest of the person's data."""

    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="documents", verbose_name=_("case")
    )
    kind = models.CharField(_("kind of document"), max_length=20, choices=DocumentKind.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    dated_on = models.DateField(_("received or drawn up on"), validators=[validate_past_work_date])
    title = models.CharField(_("title"), max_length=200)
    file_type = models.CharField(_("file type"), max_length=10, choices=FileType.choices)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    # Of the plaintext: the download checks it after decrypting (and a restore can be verified).
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    scan = models.CharField(_("virus scan"), max_length=12, choices=ScanState.choices)
    # The object's random name in STORAGES["documents"]: says nothing about the case or person.
    storage_name = models.CharField(max_length=200, unique=True, editable=False)
    # The file's own key, wrapped with the key-encryption key `key_id` (documents.encryption).
    key_id = models.CharField(max_length=40, editable=False)
    wrapped_key = models.BinaryField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    voided_at = models.DateTimeField(_("marked as registered by mistake"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    void_reason = models.CharField(
        _("why it was registered by mistake"), max_length=300, blank=True
    )
    # Retention: the title and the wrapped key are blanked in the cull's transaction (the file
    # can no longer be decrypted from then on), the stored object is removed right after it
    # commits and its absence verified (file_removed_at).
    culled_at = models.DateTimeField(_("culled"), null=True, blank=True, editable=False)
    file_removed_at = models.DateTimeField(
        _("file removed from storage"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("case document")
        verbose_name_plural = _("case documents")
        ordering = ["-dated_on", "-uploaded_at"]
        constraints = [
            plausible_dates("case_document_dated_on_plausible", "dated_on"),
            models.CheckConstraint(
                name="case_document_voided_with_who_and_why",
                condition=Q(voided_at__isnull=True, voided_by__isnull=True, void_reason="")
                | (Q(voided_at__isnull=False, voided_by__isnull=False) & ~Q(void_reason="")),
                violation_error_message=_(
                    "A document marked as registered by mistake needs who marked it, when and why."
                ),
            ),
            models.CheckConstraint(
                name="case_document_file_type_known",
                condition=Q(file_type__in=list(KINDS)),
                violation_error_message=_("Unknown file type."),
            ),
        ]
        indexes = [
            # The case page's panel and timeline: a case's documents, newest first.
            models.Index(fields=["case", "-dated_on"], name="case_document_case_idx"),
            # Retention's sweep: culled documents whose file is not yet verified removed.
            models.Index(
                fields=["culled_at"],
                condition=Q(culled_at__isnull=False, file_removed_at__isnull=True),
                name="case_document_file_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        # Never the title: a document is named by its case and id wherever it is printed.
        return f"{self.case.number}-{self.pk}"

    @property
    def is_voided(self) -> bool:
        return self.voided_at is not None

    @property
    def is_culled(self) -> bool:
        return self.culled_at is not None

    @property
    def previewable(self) -> bool:
        return KINDS[self.file_type].previewable

    @property
    def mime(self) -> str:
        return KINDS[self.file_type].mime

    @property
    def extension(self) -> str:
        return KINDS[self.file_type].extensions[0]

    @property
    def download_name(self) -> str:
        """`2026-0042-dokument-17.pdf`: the case number and the document's id, never a name."""
        return f"{self.case.number}-dokument-{self.pk}{self.extension}"
