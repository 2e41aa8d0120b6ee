"""Writes of case documents: upload (check, scan, encrypt, store, register), mark as registered
by mistake, retention's cull, and the rewrapping of keys after a key rotation.

An upload does its slow work (virus scan, encryption, writing the object) before its transaction,
so that no database lock is held across the scanner or the storage. The object is then
registered in one transaction with the case row locked (the per-case limit); if that fails, the
object just written is removed again, so a refused upload leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from accounts.roles import Role, has_role
from casework.models import Case
from casework.selectors import may_see_identity
from casework.services import case_touch
from documents import encryption, filetypes, scanning
from documents.models import CaseDocument, DocumentKind

logger = logging.getLogger(__name__)

# Per key rotation, documents are rewrapped this many at a time, each batch its own transaction.
REWRAP_BATCH = 200


def document_storage() -> Storage:
    return storages["documents"]


def max_upload_bytes() -> int:
    return int(settings.LOTSA_DOCUMENT_MAX_MB) * 1024 * 1024


def too_large_message() -> str:
    return _("The file is too large: at most %(max)s MB.") % {"max": settings.LOTSA_DOCUMENT_MAX_MB}


def _limit_message() -> str:
    limit = settings.LOTSA_DOCUMENT_CASE_LIMIT
    return ngettext(
        "The case already holds %(limit)s document, the most a case may hold.",
        "The case already holds %(limit)s documents, the most a case may hold.",
        limit,
    ) % {"limit": limit}


def _require_coordinator_who_sees(user: User, case: Case) -> None:
    if not has_role(user, Role.COORDINATOR) or not may_see_identity(user, case.individual):
        raise PermissionDenied


def check_size(content: bytes) -> None:
    if len(content) > max_upload_bytes():
        raise ValidationError({"file": too_large_message()}, code="too_large")
    if not content:
        raise ValidationError({"file": _("The file is empty.")}, code="empty")


def check_type(*, content: bytes, file_name: str) -> str:
    """The FileType of an upload, or a ValidationError on the `file` field saying why its type
    is refused."""
    file_type = filetypes.sniff(content)
    if file_type is None:
        raise ValidationError(
            {"file": _("Only PDF, JPEG, PNG, DOCX and ODT files can be added to a case.")},
            code="type",
        )
    if not filetypes.matches_extension(file_type, file_name):
        raise ValidationError(
            {
                "file": _(
                    "The file's content is %(type)s, but its name ends in “%(extension)s”. "
                    "Rename it to match its content, or choose the right file."
                )
                % {
                    "type": filetypes.FileType(file_type).label,
                    "extension": filetypes.extension_of(file_name) or _("(no extension)"),
                }
            },
            code="type_mismatch",
        )
    return file_type


def _scan(content: bytes) -> str:
    try:
        return scanning.scan(content).result
    except scanning.VirusFound as found:
        raise ValidationError(
            {
                "file": _(
                    "The virus scan found something harmful in the file (%(signature)s). It was "
                    "not saved. Tell the sender, and do not open the file on your computer."
                )
                % {"signature": found.signature}
            },
            code="virus",
        ) from found
    except scanning.ScannerUnavailable as error:
        raise ValidationError(
            {
                "file": _(
                    "The virus scan cannot be reached right now, so the file was not saved. "
                    "Try again in a while; if it persists, tell the system administrator."
                )
            },
            code="scanner_unavailable",
        ) from error


def _count_message_if_full(case: Case) -> None:
    if CaseDocument.objects.filter(case=case).count() >= settings.LOTSA_DOCUMENT_CASE_LIMIT:
        raise ValidationError(_limit_message(), code="case_limit")


def document_upload(
    *,
    case: Case,
    by: User,
    content: bytes,
    file_name: str,
    kind: str,
    direction: str,
    dated_on: date,
    title: str,
) -> CaseDocument:
    """Check, scan, encrypt and store a file, and register it in the case."""
    _require_coordinator_who_sees(by, case)
    if dated_on > timezone.localdate():
        raise ValidationError({"dated_on": _("A document cannot be dated in the future.")})
    _count_message_if_full(case)  # early, before the scan; checked again under the lock
    check_size(content)
    # The scan before the type check: a harmful file is reported as such, whatever its type.
    scan = _scan(content)
    file_type = check_type(content=content, file_name=file_name)
    name = f"{secrets.token_hex(1)}/{secrets.token_hex(16)}"
    sealed = encryption.encrypt(content, name=name)
    document = CaseDocument(
        case=case,
        kind=kind,
        direction=direction,
        dated_on=dated_on,
        title=title.strip(),
        file_type=file_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        scan=scan,
        storage_name=name,
        key_id=sealed.key_id,
        wrapped_key=sealed.wrapped_key,
        uploaded_by=by,
    )
    document.full_clean(exclude=["case", "uploaded_by", "storage_name"])
    storage = document_storage()
    stored = ""
    try:
        stored = storage.save(name, ContentFile(sealed.blob))
        if stored != name:  # the storage chose another name: never expected with 128 random bits
            raise RuntimeError("the document storage renamed a new object")
        with transaction.atomic():
            # Two uploads to one case at once: the second waits here, then counts the first.
            Case.objects.select_for_update().only("pk").get(pk=case.pk)
            _count_message_if_full(case)
            document.save()
            case_touch(case=case)
    except BaseException:
        if stored:
            _remove(storage, stored)
        raise
    logger.info("document %s stored for case %s (%s bytes)", document.pk, case.pk, len(content))
    return document


def _remove(storage: Storage, name: str) -> bool:
    """Delete an object and verify that it is gone; False (logged) when it is still there."""
    try:
        storage.delete(name)
        gone = not storage.exists(name)
    except Exception:  # a storage that fails is retried by the sweep; never raises to the user
        logger.exception("document object %s could not be removed", name)
        return False
    if not gone:
        logger.error("document object %s is still in storage after deleting it", name)
    return gone


@transaction.atomic
def document_void(*, document: CaseDocument, by: User, reason: str) -> CaseDocument:
    """Mark a document as registered by mistake (felregistrerad): kept, hidden from the panel by
    default, shown with the reason on the case's timeline. Nothing is deleted."""
    _require_coordinator_who_sees(by, document.case)
    # Two coordinators marking the same document at once: the second finds it marked.
    locked = CaseDocument.objects.select_for_update().get(pk=document.pk)
    if locked.is_voided:
        raise ValidationError(_("The document is already marked as registered by mistake."))
    if locked.is_culled:
        raise ValidationError(_("The document has been culled."))
    locked.voided_at = timezone.now()
    locked.voided_by = by
    locked.void_reason = reason.strip()
    locked.full_clean(exclude=["case", "uploaded_by", "storage_name", "wrapped_key"])
    locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
    logger.info("document %s marked as registered by mistake by user %s", locked.pk, by.pk)
    return locked


def document_read(*, document: CaseDocument) -> bytes:
    """The plaintext of a document (the caller has checked access and logs the read)."""
    if document.is_culled:
        raise encryption.DocumentDecryptionError("culled")
    with document_storage().open(document.storage_name, "rb") as stored:
        blob = stored.read()
    content = encryption.decrypt(
        blob,
        name=document.storage_name,
        key_id=document.key_id,
        wrapped_key=bytes(document.wrapped_key),
    )
    if hashlib.sha256(content).hexdigest() != document.sha256:
        raise encryption.DocumentDecryptionError("checksum differs")
    return content


# --- Retention --------------------------------------------------------------------------------


def documents_cull(*, case_ids: list[int], now: datetime, marker: str = "–") -> int:
    """Retention: cull these cases' documents. In the caller's transaction the title and the
    wrapped key are blanked (from the commit on, the file cannot be decrypted by anyone); once
    it commits, the stored objects are deleted and their absence verified
    (`document_files_remove`). Returns the number of documents culled."""
    culled = list(
        CaseDocument.objects.filter(case_id__in=case_ids, culled_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    if not culled:
        return 0
    CaseDocument.objects.filter(pk__in=culled).update(
        title="",
        # A reason stays required while the document is marked (the check constraint): the
        # marker takes the free text's place.
        void_reason=SqlCase(When(voided_at__isnull=False, then=Value(marker)), default=Value("")),
        wrapped_key=b"",
        culled_at=now,
    )
    transaction.on_commit(lambda: document_files_remove(document_ids=culled))
    return len(culled)


def document_files_remove(*, document_ids: list[int] | None = None) -> int:
    """Delete the stored objects of culled documents and record each one verified gone; those
    that fail stay pending for the next call (`manage.py documents_sweep`). Returns how many
    were removed."""
    pending = CaseDocument.objects.filter(culled_at__isnull=False, file_removed_at__isnull=True)
    if document_ids is not None:
        pending = pending.filter(pk__in=document_ids)
    storage = document_storage()
    removed = 0
    for pk, name in pending.values_list("pk", "storage_name"):
        if _remove(storage, name):
            CaseDocument.objects.filter(pk=pk).update(file_removed_at=timezone.now())
            removed += 1
    return removed


# --- Key rotation -----------------------------------------------------------------------------


def document_keys_rewrap() -> int:
    """Wrap every document's key with the current key (the first of LOTSA_DOCUMENT_KEY). The
    files are not touched. Returns how many keys were rewrapped; run it again after a failure,
    it goes on where it stopped."""
    current = encryption.current_key().id
    rewrapped = 0
    while True:
        with transaction.atomic():
            # A concurrent upload or cull does not wait for the whole rotation, only a batch.
            batch = list(
                CaseDocument.objects.select_for_update()
                .filter(culled_at__isnull=True)
                .exclude(key_id=current)
                .only("pk", "storage_name", "key_id", "wrapped_key")
                .order_by("pk")[:REWRAP_BATCH]
            )
            if not batch:
                return rewrapped
            for document in batch:
                document.key_id, document.wrapped_key = encryption.rewrap(
                    bytes(document.wrapped_key),
                    key_id=document.key_id,
                    name=document.storage_name,
                )
            CaseDocument.objects.bulk_update(batch, ["key_id", "wrapped_key"])
            rewrapped += len(batch)


def kind_initial(value: str | None) -> str:
    """A kind given in the address (the application page's "Attach the decision")."""
    return value if value in DocumentKind.values else ""
