"""The managers' national report ("Underlag till NSPM") and the HTCDS and CTDC exports."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.audit import access_log_record, access_log_record_many
from accounts.models import AccessAction
from accounts.roles import Role, role_required, staff_user
from national import exports
from national.ctdc import ctdc_microdata
from national.htcds import htcds_csv, htcds_json, htcds_records
from national.report import national_report_for
from national.selectors import counted_cases
from reporting.forms import ReportParametersForm

FORMATS = {"pdf": "application/pdf", "csv": "application/zip", "json": "application/json"}


def _parameters(request: HttpRequest) -> ReportParametersForm:
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    return ReportParametersForm(data, k=settings.LOTSA_PUBLICATION_THRESHOLD)


@require_GET
@role_required(Role.MANAGER)
def report(request: HttpRequest) -> HttpResponse:
    """The year's national figures, on the page, with the downloads."""
    form = _parameters(request)
    if not form.is_valid():
        return render(request, "national/report.html", {"form": form}, status=400)
    data = form.cleaned_data
    national = national_report_for(
        year=data["year"], as_of=data["as_of"], publication=data["publication"]
    )
    return render(
        request,
        "national/report.html",
        {"form": form, "report": national, "query": request.GET.urlencode()},
    )


@require_GET
@role_required(Role.MANAGER)
def report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404
    form = _parameters(request)
    if not form.is_valid():
        return render(request, "national/report.html", {"form": form}, status=400)
    data = form.cleaned_data
    year, as_of, publication = data["year"], data["as_of"], data["publication"]
    national = national_report_for(year=year, as_of=as_of, publication=publication)
    if fmt == "pdf":
        content = exports.national_pdf(national, generated_by=str(staff_user(request)))
    elif fmt == "csv":
        content = exports.national_csv_zip(national)
    else:
        content = json.dumps(exports.national_json(national), ensure_ascii=False, indent=1).encode()
    mode = "publication" if publication else "internal"
    access_log_record(
        request=request, action=AccessAction.EXPORT, detail=f"NSPM {year} {fmt} {mode}"
    )
    extension = "zip" if fmt == "csv" else fmt
    name = exports.filename("nspm", year, as_of, extension, publication=publication)
    return _attachment(content, FORMATS[fmt], name)


@require_GET
@role_required(Role.MANAGER)
def htcds_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Pseudonymous case records in HTCDS 2.0 (no names, identity numbers or free texts)."""
    if fmt not in ("csv", "json"):
        raise Http404
    form = _parameters(request)
    if not form.is_valid():
        return render(request, "national/report.html", {"form": form}, status=400)
    year, as_of = form.cleaned_data["year"], form.cleaned_data["as_of"]
    records = htcds_records(year=year, as_of=as_of)
    if fmt == "csv":
        content = htcds_csv(records).encode()
        content_type = "text/csv; charset=utf-8"
    else:
        document = htcds_json(records, year=year, as_of=as_of)
        content = json.dumps(document, ensure_ascii=False, indent=1).encode()
        content_type = "application/json"
    # Pseudonymous, but still the data of these persons: one row per case, as other exports.
    access_log_record_many(
        request=request,
        action=AccessAction.EXPORT,
        object_type="casework.case",
        items=[
            (str(pk), individual_id)
            for pk, individual_id in counted_cases(year=year, as_of=as_of).values_list(
                "pk", "individual_id"
            )
        ],
        detail=f"HTCDS {year} {fmt}",
    )
    name = exports.filename("htcds", year, as_of, fmt, publication=False)
    return _attachment(content, content_type, name)


@require_GET
@role_required(Role.MANAGER)
def ctdc_download(request: HttpRequest) -> HttpResponse:
    form = _parameters(request)
    if not form.is_valid():
        return render(request, "national/report.html", {"form": form}, status=400)
    year, as_of = form.cleaned_data["year"], form.cleaned_data["as_of"]
    microdata = ctdc_microdata(year=year, as_of=as_of)
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        detail=f"CTDC {year}, k={microdata.k}, {microdata.released} rows, "
        f"{microdata.suppressed} suppressed",
    )
    name = exports.filename("ctdc", year, as_of, "csv", publication=True)
    return _attachment(exports.ctdc_csv(microdata).encode(), "text/csv; charset=utf-8", name)


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
