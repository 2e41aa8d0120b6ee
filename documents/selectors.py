"""Reads of case documents, and who may read them.

A document is read through its case: whoever may read the case (coordinators, managers) may
read its documents, except a protected person's, which are read as their identity is
(`casework.selectors.IdentityAccess`: managers and holders of an authorisation). Everyone else
gets 404 before anything is looked up; a document asked for under another case's address is
404 too, whoever asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from accounts.models import User
from casework.models import Case
from casework.selectors import can_read_cases, case_get_for_user, may_see_identity
from documents.models import CaseDocument, DocumentKind


def case_documents(case: Case, *, voided: bool = False) -> QuerySet[CaseDocument]:
    """The case's documents, newest first; those marked as registered by mistake only with
    `voided`. Culled documents are never listed."""
    documents = CaseDocument.objects.filter(case=case, culled_at__isnull=True).select_related(
        "uploaded_by", "voided_by"
    )
    return documents if voided else documents.filter(voided_at__isnull=True)


@dataclass(frozen=True)
class DocumentCounts:
    shown: int
    voided: int


def document_counts(case: Case) -> DocumentCounts:
    rows = CaseDocument.objects.filter(case=case, culled_at__isnull=True)
    voided = rows.filter(voided_at__isnull=False).count()
    return DocumentCounts(shown=rows.count() - voided, voided=voided)


def decision_documents(case: Case) -> list[CaseDocument]:
    """The decisions from Migrationsverket in the case (the application page lists them)."""
    return list(
        case_documents(case).filter(kind=DocumentKind.MIGRATION_DECISION).order_by("-dated_on")
    )


def case_get_for_documents(request: HttpRequest, pk: int) -> Case:
    """The case whose documents the user may read: 404 for roles that may not read cases and
    for a case that does not exist, 403 when the person's identity is hidden from the user.
    Not logged here: each view logs what it shows."""
    case = case_get_for_user(request, pk, log=False)
    if not may_see_identity(request.user, case.individual):
        raise PermissionDenied
    return case


def document_get_for_user(request: HttpRequest, case_pk: int, pk: int) -> CaseDocument:
    """A document of the case at `case_pk` that the user may read; 404 if the document is not
    that case's (whatever case it is in) or has been culled."""
    if not can_read_cases(request.user):
        raise Http404
    case = case_get_for_documents(request, case_pk)
    try:
        document = CaseDocument.objects.select_related("uploaded_by", "voided_by").get(
            pk=pk, case=case, culled_at__isnull=True
        )
    except CaseDocument.DoesNotExist:
        raise Http404 from None
    document.case = case
    return document


def may_read_documents(user: User, case: Case) -> bool:
    return can_read_cases(user) and may_see_identity(user, case.individual)
