"""The files of a data-subject export: JSON (UTF-8, ISO dates, sorted keys) and PDF (WeasyPrint,
A4, Swedish, local fonts only, page numbers; "Sekretess" on every page for a protected person).

Both are made from `dsar.selectors.collect()` and always in Swedish, whatever the manager's
language, like the other files Lotsa hands out. File names carry the person's reference and
the date, never personal data.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from datetime import date
from typing import IO, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import translation

from accounts.models import User
from casework.models import Individual
from documents.models import CaseDocument
from documents.services import document_read
from dsar.selectors import collect


class ExportFormat:
    PDF = "pdf"
    JSON = "json"


CONTENT_TYPES = {
    ExportFormat.PDF: "application/pdf",
    ExportFormat.JSON: "application/json; charset=utf-8",
}


def filename_for(individual: Individual, fmt: str, on: date) -> str:
    """`registerutdrag-IND-000123-2026-11-28.pdf`: the reference, never a name."""
    return f"registerutdrag-{individual.reference}-{on.isoformat()}.{fmt}"


def export_json(data: dict[str, Any]) -> bytes:
    return json.dumps(
        data, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True, indent=2
    ).encode("utf-8")


def export_html(data: dict[str, Any]) -> str:
    context = {
        "data": data,
        "labels": data["field_labels"],
        "individual": data["individual"],
        "unit_name": settings.LOTSA_UNIT_NAME,
    }
    return render_to_string("dsar/pdf/subject_export.html", context)


def export_pdf(data: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # imported when used: loading Pango takes a moment

    pdf: bytes = HTML(string=export_html(data), base_url=None).write_pdf()
    return pdf


def documents_archive(
    individual: Individual, export_name: str, export: bytes
) -> tuple[str, IO[bytes], list[CaseDocument]]:
    """The export and the person's document files (decrypted) in one ZIP: the export at the
    top, the files under `handlingar/`, named by case number and document id. Returns the ZIP's
    name, the ZIP as a temporary file (a case may hold 100 files of 20 MB: one at a time is in
    memory, never all) and the documents included (each to be logged)."""
    included = list(
        CaseDocument.objects.filter(case__individual=individual, culled_at__isnull=True)
        .select_related("case")
        .order_by("case__number", "pk")
    )
    out = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the response, which closes it)
    try:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(export_name, export)
            for document in included:
                archive.writestr(
                    f"handlingar/{document.download_name}",
                    document_read(document=document),
                )
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return export_name.rsplit(".", 1)[0] + ".zip", out, included


def render_export(
    individual: Individual, *, fmt: str, by: User, request_reference: str
) -> tuple[str, bytes]:
    """The file name and content of one export, in Swedish."""
    with translation.override("sv"):
        data = collect(individual, generated_by=by, request_reference=request_reference)
        content = export_pdf(data) if fmt == ExportFormat.PDF else export_json(data)
    return filename_for(individual, fmt, data["generated_at"].date()), content
