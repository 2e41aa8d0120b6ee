"""The managers' national report ("Underlag till NSPM") and the HTCDS and CTDC exports, made
in the background (national.jobs)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.audit import access_source
from accounts.roles import Role, role_required, staff_user
from core.background import start_file
from core.filter_bars import filter_bar
from national import jobs
from national.report import national_report_for
from reporting.forms import PARAMETER_FIELDS, ReportParametersForm


def _invalid(request: HttpRequest, form: ReportParametersForm) -> HttpResponse:
    """The page again with the form's messages (no figures)."""
    context = {"form": form, "filter_bar": filter_bar(form, PARAMETER_FIELDS)}
    return render(request, "national/report.html", context, status=400)


def _parameters(query: QueryDict) -> ReportParametersForm:
    data = query.copy()
    data.setdefault("year", str(timezone.localdate().year))
    return ReportParametersForm(data, k=settings.LOTSA_PUBLICATION_THRESHOLD)


@require_GET
@role_required(Role.MANAGER)
def report(request: HttpRequest) -> HttpResponse:
    """The year's national figures, on the page, with the downloads."""
    form = _parameters(request.GET)
    if not form.is_valid():
        return _invalid(request, form)
    data = form.cleaned_data
    national = national_report_for(
        year=data["year"], as_of=data["as_of"], publication=data["publication"]
    )
    return render(
        request,
        "national/report.html",
        {"form": form, "filter_bar": filter_bar(form, PARAMETER_FIELDS), "report": national},
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def report_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """NSPM's figures as a file (PDF, CSV in a ZIP, JSON), made in the background."""
    if fmt not in jobs.NSPM_TYPES:
        raise Http404
    return _start(request, jobs.kind_name("nspm", fmt))


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def htcds_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Pseudonymous case records in HTCDS 2.0, made in the background."""
    if fmt not in jobs.HTCDS_TYPES:
        raise Http404
    return _start(request, jobs.kind_name("htcds", fmt))


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def ctdc_download(request: HttpRequest) -> HttpResponse:
    """The CTDC-style microdata, made in the background."""
    return _start(request, jobs.kind_name("ctdc", "csv"))


def _start(request: HttpRequest, kind: str) -> HttpResponse:
    """A POST with the page's parameters starts the job and leads to its progress page. A GET
    (an address saved when the downloads were links) leads to the page with the same
    parameters, where the buttons start the jobs."""
    if request.method == "GET":
        query = request.GET.urlencode()
        return redirect(reverse("national:report") + (f"?{query}" if query else ""))
    form = _parameters(request.POST)
    if not form.is_valid():
        return _invalid(request, form)
    data = form.cleaned_data
    source = access_source(request)
    return redirect(
        start_file(
            kind=kind,
            by=staff_user(request),
            params=jobs.job_params(
                year=data["year"], as_of=data["as_of"], publication=data["publication"]
            ),
            view_name=source.view_name,
            ip_address=source.ip_address,
        )
    )
