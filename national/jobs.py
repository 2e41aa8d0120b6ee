"""The national downloads, made in the background (core.background): the NSPM report as PDF,
CSV (ZIP) and JSON, the HTCDS records as CSV and JSON, and the CTDC microdata as CSV. The page
starts a job (a POST) and the person who asked follows it on its progress page and downloads
the file from there (the exportjobs app); the access log gets the rows the download wrote when
it was made within its request, when the file is made and again when it is downloaded."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from core.background import BuiltFile, FileKind, Progress, Shown, register_kind
from national import exports
from national.ctdc import ctdc_microdata
from national.htcds import htcds_csv, htcds_json, htcds_records
from national.report import national_report_for
from national.selectors import counted_cases

NSPM_TYPES = {"pdf": "application/pdf", "csv": "application/zip", "json": "application/json"}
HTCDS_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def kind_name(export: str, fmt: str) -> str:
    """The background kind of a download: `national.nspm_pdf`, `national.htcds_csv`, ..."""
    return f"national.{export}_{fmt}"


def job_params(*, year: int, as_of: date, publication: bool) -> dict[str, Any]:
    """The page's parameters as the job keeps them (JSON)."""
    return {"year": year, "as_of": as_of.isoformat(), "publication": publication}


def _read(params: dict[str, Any]) -> tuple[int, date, bool]:
    return int(params["year"]), date.fromisoformat(params["as_of"]), bool(params["publication"])


def _summary_row(detail: str) -> list[Shown]:
    """One access-log row without an object (figures, not persons), as the download wrote."""
    return [Shown(object_type="", items=[("", None)], detail=detail)]


def build_nspm(fmt: str, user: User, params: dict[str, Any], progress: Progress) -> BuiltFile:
    year, as_of, publication = _read(params)
    progress(0, 1)
    national = national_report_for(year=year, as_of=as_of, publication=publication)
    if fmt == "pdf":
        content = exports.national_pdf(national, generated_by=str(user))
    elif fmt == "csv":
        content = exports.national_csv_zip(national)
    else:
        content = json.dumps(exports.national_json(national), ensure_ascii=False, indent=1).encode()
    progress(1, 1)
    mode = "publication" if publication else "internal"
    extension = "zip" if fmt == "csv" else fmt
    return BuiltFile(
        filename=exports.filename("nspm", year, as_of, extension, publication=publication),
        content_type=NSPM_TYPES[fmt],
        content=content,
        shown=_summary_row(f"NSPM {year} {fmt} {mode}"),
    )


def build_htcds(fmt: str, user: User, params: dict[str, Any], progress: Progress) -> BuiltFile:
    """Pseudonymous case records in HTCDS 2.0 (no names, identity numbers or free texts)."""
    year, as_of, _publication = _read(params)
    progress(0, 1)
    records = htcds_records(year=year, as_of=as_of)
    if fmt == "csv":
        content = htcds_csv(records).encode()
    else:
        document = htcds_json(records, year=year, as_of=as_of)
        content = json.dumps(document, ensure_ascii=False, indent=1).encode()
    progress(1, 1)
    # Pseudonymous, but still the data of these persons: one row per case, as other exports.
    cases = counted_cases(year=year, as_of=as_of).values_list("pk", "individual_id")
    return BuiltFile(
        filename=exports.filename("htcds", year, as_of, fmt, publication=False),
        content_type=HTCDS_TYPES[fmt],
        content=content,
        shown=[
            Shown(
                object_type="casework.case",
                items=[(str(pk), individual_id) for pk, individual_id in cases],
                detail=f"HTCDS {year} {fmt}",
            )
        ],
    )


def build_ctdc(user: User, params: dict[str, Any], progress: Progress) -> BuiltFile:
    year, as_of, _publication = _read(params)
    progress(0, 1)
    microdata = ctdc_microdata(year=year, as_of=as_of)
    progress(1, 1)
    return BuiltFile(
        filename=exports.filename("ctdc", year, as_of, "csv", publication=True),
        content_type="text/csv; charset=utf-8",
        content=exports.ctdc_csv(microdata).encode(),
        shown=_summary_row(
            f"CTDC {year}, k={microdata.k}, {microdata.released} rows, "
            f"{microdata.suppressed} suppressed"
        ),
    )


def _nspm(fmt: str) -> Callable[[Any, dict[str, Any], Progress], BuiltFile]:
    return lambda user, params, progress: build_nspm(fmt, user, params, progress)


def _htcds(fmt: str) -> Callable[[Any, dict[str, Any], Progress], BuiltFile]:
    return lambda user, params, progress: build_htcds(fmt, user, params, progress)


KINDS = [
    FileKind(kind_name("nspm", "pdf"), _("Figures for NSPM (PDF)"), (Role.MANAGER,), _nspm("pdf")),
    FileKind(kind_name("nspm", "csv"), _("Figures for NSPM (CSV)"), (Role.MANAGER,), _nspm("csv")),
    FileKind(
        kind_name("nspm", "json"), _("Figures for NSPM (JSON)"), (Role.MANAGER,), _nspm("json")
    ),
    FileKind(kind_name("htcds", "csv"), _("HTCDS (CSV)"), (Role.MANAGER,), _htcds("csv")),
    FileKind(kind_name("htcds", "json"), _("HTCDS (JSON)"), (Role.MANAGER,), _htcds("json")),
    FileKind(kind_name("ctdc", "csv"), _("CTDC microdata (CSV)"), (Role.MANAGER,), build_ctdc),
]
for _kind in KINDS:
    register_kind(_kind)
