"""The managers' pages: the annual report, its exports, trainings and the report's own texts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.audit import access_log_record
from accounts.models import AccessAction
from accounts.roles import Role, role_required, staff_user
from core.filter_bars import filter_bar
from core.forms import is_htmx, run_service
from reporting import services
from reporting.exports import report_for
from reporting.forms import (
    PARAMETER_FIELDS,
    ExportForm,
    NarrativeForm,
    ReportParametersForm,
    TrainingForm,
)
from reporting.models import ExportStatus, ReportExport, ReportNarrative, Training


def _parameters(request: HttpRequest) -> ReportParametersForm:
    data = request.GET.copy()
    data.setdefault("year", str(timezone.localdate().year))
    return ReportParametersForm(data, k=settings.LOTSA_PUBLICATION_THRESHOLD)


@require_GET
@role_required(Role.MANAGER)
def report(request: HttpRequest) -> HttpResponse:
    """The annual report for a year and as-of date, in internal or publication mode."""
    form = _parameters(request)
    if not form.is_valid():
        return render(
            request,
            "reporting/report.html",
            {"form": form, "filter_bar": filter_bar(form, PARAMETER_FIELDS)},
            status=400,
        )
    year, as_of = form.cleaned_data["year"], form.cleaned_data["as_of"]
    publication = form.cleaned_data["publication"]
    annual = report_for(year=year, as_of=as_of, publication=publication)
    exports = ReportExport.objects.select_related("requested_by").defer("content")[:10]
    return render(
        request,
        "reporting/report.html",
        {
            "form": form,
            "filter_bar": filter_bar(form, PARAMETER_FIELDS),
            "report": annual,
            "export_form": ExportForm(
                initial={"year": year, "as_of": as_of, "publication": publication}
            ),
            "exports": exports,
        },
    )


@require_POST
@role_required(Role.MANAGER)
def export_create(request: HttpRequest) -> HttpResponse:
    form = ExportForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The export could not be started: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
        return redirect("reporting:report")
    export = services.export_request(by=staff_user(request), **form.cleaned_data)
    export.refresh_from_db(fields=["status"])
    if export.status == ExportStatus.DONE:
        # Without a broker the file was made just now: the click downloads it.
        return redirect("reporting:export_download", pk=export.pk)
    return redirect("reporting:export_detail", pk=export.pk)


def _export_for(request: HttpRequest, pk: int) -> ReportExport:
    return get_object_or_404(
        ReportExport.objects.select_related("requested_by").defer("content"), pk=pk
    )


@require_GET
@role_required(Role.MANAGER)
def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's progress; refreshes itself (htmx) until the file is ready."""
    export = _export_for(request, pk)
    template = "reporting/_export_status.html" if is_htmx(request) else "reporting/export.html"
    return render(request, template, {"export": export, "ExportStatus": ExportStatus})


@require_GET
@role_required(Role.MANAGER)
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    export = get_object_or_404(ReportExport, pk=pk)
    if export.status != ExportStatus.DONE or export.content is None:
        raise Http404
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        obj=export,
        detail=f"{export.year} {export.format} {'publication' if export.publication else 'internal'}",
    )
    content_type = {
        "pdf": "application/pdf",
        "csv": "application/zip",
        "json": "application/json",
    }[export.format]
    response = HttpResponse(bytes(export.content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_GET
@role_required(Role.MANAGER)
def training_list(request: HttpRequest) -> HttpResponse:
    trainings = Training.objects.select_related("created_by").order_by("-held_on")
    return render(
        request, "reporting/trainings.html", {"trainings": trainings, "form": TrainingForm()}
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def training_create(request: HttpRequest) -> HttpResponse:
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        training = run_service(
            form, services.training_create, by=staff_user(request), **form.cleaned_data
        )
        if training is not None:
            messages.success(request, _("The training was added."))
            return redirect("reporting:training_list")
    return render(
        request,
        "reporting/training_form.html",
        {"form": form, "title": _("Add training")},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_object_or_404(Training, pk=pk)
    form = TrainingForm(request.POST or None, instance=training)
    if request.method == "POST" and form.is_valid():
        saved = run_service(
            form,
            services.training_update,
            training=training,
            by=staff_user(request),
            **form.cleaned_data,
        )
        if saved is not None:
            messages.success(request, _("The training was saved."))
            return redirect("reporting:training_list")
    return render(
        request,
        "reporting/training_form.html",
        {"form": form, "title": _("Edit training"), "training": training},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@role_required(Role.MANAGER)
def training_delete(request: HttpRequest, pk: int) -> HttpResponse:
    training = get_object_or_404(Training, pk=pk)
    services.training_delete(training=training, by=staff_user(request))
    messages.success(request, _("The training was removed."))
    return redirect("reporting:training_list")


@require_http_methods(["GET", "POST"])
@role_required(Role.MANAGER)
def narrative_edit(request: HttpRequest, year: int) -> HttpResponse:
    if not 2000 <= year <= timezone.localdate().year:
        return render(request, "404.html", status=404)
    narrative = ReportNarrative.objects.filter(year=year).first()
    initial = {"version": narrative.version if narrative else None}
    form = NarrativeForm(request.POST or None, instance=narrative, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = run_service(
            form,
            services.narrative_save,
            year=year,
            by=staff_user(request),
            expected_version=data.get("version"),
            **{name: data[name] for name in services.NARRATIVE_FIELDS},
        )
        if saved is not None:
            messages.success(request, _("The texts for %(year)s were saved.") % {"year": year})
            return redirect(f"{_report_url()}?year={year}")
    return render(
        request,
        "reporting/narrative_form.html",
        {"form": form, "year": year, "narrative": narrative},
        status=400 if request.method == "POST" else 200,
    )


def _report_url() -> str:
    return reverse("reporting:report")
