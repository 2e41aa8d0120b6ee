"""Case documents on the case page: a panel beside the timeline (the documents, "Add a
document") and one timeline item per document (those marked as registered by mistake too,
with the reason). Registered in DocumentsConfig.ready()."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import User
from casework.models import Case
from casework.selectors import can_edit_cases, may_see_identity
from casework.timeline import (
    Panel,
    TimelineItem,
    has_rows,
    register,
    register_panel,
    register_presence,
)
from documents.models import CaseDocument
from documents.scanning import scanning_on

_HAS_DOCUMENTS = (CaseDocument, "case")


def _documents(case: Case) -> list[CaseDocument]:
    """The case's documents (culled ones left out), newest first, read once per case page: the
    panel and the timeline both ask. A case without any costs no query of its own (the case
    page's presence query answers)."""
    store = case.__dict__
    if "_documents" not in store:
        store["_documents"] = (
            list(
                CaseDocument.objects.filter(case=case, culled_at__isnull=True)
                .select_related("uploaded_by", "voided_by")
                .defer("wrapped_key")
                .order_by("-dated_on", "-uploaded_at")
            )
            if has_rows(case, _HAS_DOCUMENTS)
            else []
        )
    documents: list[CaseDocument] = store["_documents"]
    return documents


def document_panel(case: Case, user: User) -> Panel:
    documents = _documents(case)
    # A protected person's documents are read as their identity: who may not see it sees
    # that documents exist, not what they are.
    readable = may_see_identity(user, case.individual)
    shown = [document for document in documents if not document.is_voided]
    return Panel(
        template="documents/_case_panel.html",
        context={
            "case": case,
            "documents": shown if readable else [],
            "hidden_count": 0 if readable else len(shown),
            "voided_count": len(documents) - len(shown),
            "readable": readable,
            "can_upload": readable and can_edit_cases(user),
            "scanning_on": scanning_on(),
        },
    )


def document_items(case: Case, user: User, limit: int | None) -> Iterable[TimelineItem]:
    documents = _documents(case)
    if not documents:
        return
    readable = may_see_identity(user, case.individual)
    for document in documents if limit is None else documents[:limit]:
        yield TimelineItem(
            on=document.dated_on,
            recorded_at=document.uploaded_at,
            template="documents/timeline/_document.html",
            context={"document": document, "readable": readable},
        )


def register_all() -> None:
    register_presence(*_HAS_DOCUMENTS)
    register(document_items)
    register_panel(document_panel)
