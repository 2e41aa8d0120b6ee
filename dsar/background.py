"""The registerutdrag made by a worker (core.background, kind `dsar.subject_export`): a PDF
of a person with thousands of access-log rows takes most of a minute, longer than a request
may. The exportjobs app keeps the file for the manager who asked and logs its download."""

from __future__ import annotations

import logging
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from casework.models import Individual
from core.background import BuildRefused, BuiltFile, FileKind, Progress, Shown, register_kind
from documents.encryption import DocumentDecryptionError
from dsar import exports

KIND = "dsar.subject_export"
LOG_DETAIL = "Registerutdrag (GDPR art. 15)"

logger = logging.getLogger(__name__)


def export_params(
    individual: Individual, *, fmt: str, request_reference: str, include_documents: bool
) -> dict[str, Any]:
    return {
        "individual": individual.pk,
        "format": fmt,
        "request_reference": request_reference,
        "include_documents": include_documents,
    }


def _build(user: User, params: dict[str, Any], progress: Progress) -> BuiltFile:
    individual = Individual.objects.get(pk=params["individual"])
    fmt = params["format"]
    reference = params["request_reference"]
    steps = 3 if params["include_documents"] else 2
    progress(0, steps)
    filename, content = exports.render_export(
        individual, fmt=fmt, by=user, request_reference=reference
    )
    progress(1, steps)
    if not params["include_documents"]:
        progress(steps, steps)
        return BuiltFile(
            filename=filename,
            content_type=exports.CONTENT_TYPES[fmt],
            content=content,
            shown=[
                Shown(
                    "casework.individual",
                    [(str(individual.pk), individual.pk)],
                    f"{LOG_DETAIL} {fmt.upper()}: {reference}",
                )
            ],
        )
    try:
        filename, archive, included = exports.documents_archive(individual, filename, content)
    except (DocumentDecryptionError, OSError) as error:
        logger.exception(
            "registerutdrag for individual %s: a document is unreadable", individual.pk
        )
        raise BuildRefused(
            _(
                "A document file could not be read, so the export was not made. Make it "
                "without the files, and tell the system administrator."
            )
        ) from error
    with archive:
        zipped = archive.read()
    progress(steps, steps)
    return BuiltFile(
        filename=filename,
        content_type="application/zip",
        content=zipped,
        shown=[
            Shown(
                "documents.casedocument",
                [(str(document.pk), individual.pk) for document in included],
                f"{LOG_DETAIL}: {reference}",
            ),
            Shown(
                "casework.individual",
                [(str(individual.pk), individual.pk)],
                f"{LOG_DETAIL} {fmt.upper()} + documents: {reference}",
            ),
        ],
    )


register_kind(
    FileKind(
        name=KIND,
        label=gettext_lazy("Data-subject export (registerutdrag)"),
        roles=(Role.MANAGER,),
        build=_build,
    )
)
