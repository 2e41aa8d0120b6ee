"""The managers' log review ("Logguppföljning"): who read what personal data, when, from where;
reads by others than a responsible coordinator are flagged. Filters live in the URL; the list
pages with an htmx partial; the CSV export of the filtered rows is itself logged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.audit import access_log_record
from accounts.models import AccessAction, AccessLogEntry
from accounts.roles import Role, has_role, role_required
from audit.filters import AccessLogFilter
from audit.selectors import (
    COUNT_LIMIT,
    access_log_queryset,
    batched,
    capped_count,
    log_page,
    log_rows,
    with_references,
)
from core.filter_bars import filter_bar
from core.forms import is_htmx
from core.spreadsheet import csv_download_streamed

PAGE_SIZE = 25  # lines: single reads, or one page view of a list each
# The filters rendered from the cache (core.filter_bars); never the individual's reference.
FILTER_BAR = ("user", "date_from", "date_to", "action", "kind", "flagged")
EXPORT_BATCH = 2000
LOG_OBJECT_TYPE = "accounts.accesslogentry"


def _filter(request: HttpRequest) -> AccessLogFilter:
    return AccessLogFilter(request.GET or None, queryset=access_log_queryset())


def _invalid(request: HttpRequest, log_filter: AccessLogFilter) -> HttpResponse:
    """Bad filters: the page with the errors next to the fields and at the top, status 400.

    An htmx request is sent to the full page (htmx does not swap a 400 into the list), where
    the errors show next to the fields.
    """
    if is_htmx(request):
        response = HttpResponse(status=400)
        response["HX-Redirect"] = request.get_full_path()
        return response
    context: dict[str, Any] = {
        "filter": log_filter,
        "filter_bar": filter_bar(log_filter.form, FILTER_BAR),
        "page": None,
        "rows": [],
        "query": "",
    }
    return render(request, "audit/access_log.html", context, status=400)


@require_GET
@role_required(Role.MANAGER)
def access_log(request: HttpRequest) -> HttpResponse:
    log_filter = _filter(request)
    if log_filter.is_bound and not log_filter.is_valid():
        return _invalid(request, log_filter)
    # Paged by key (the first or last row shown), not by OFFSET, and counted only up to
    # COUNT_LIMIT: the log holds millions of rows (bench/RESULTS.md). One page view of a list
    # (the link on its line) shows each of its rows.
    page = log_page(
        log_filter.qs,
        before=log_filter.cursor("before"),
        after=log_filter.cursor("after"),
        lines=PAGE_SIZE,
        group_lists=not log_filter.one_page_view,
    )
    query = request.GET.copy()
    for name in ("page", "before", "after"):
        query.pop(name, None)
    count = capped_count(log_filter.qs)
    context = {
        "filter": log_filter,
        "filter_bar": filter_bar(log_filter.form, FILTER_BAR),
        "page": page,
        "rows": [line.first for line in page.lines],
        "count": min(count, COUNT_LIMIT),
        "count_capped": count > COUNT_LIMIT,
        "count_limit": number_format(COUNT_LIMIT, force_grouping=True),
        "query": query.urlencode(),
    }
    template = "audit/_access_log_table.html" if is_htmx(request) else "audit/access_log.html"
    return render(request, template, context)


@require_GET
@login_required
def access_log_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered rows as CSV for Swedish Excel (UTF-8 with BOM, semicolons), streamed so a
    long period does not fill the memory. The export is written to the log before it starts."""
    # Checked here rather than with @role_required, which is typed for plain HttpResponses.
    if not has_role(request.user, Role.MANAGER):
        raise PermissionDenied
    log_filter = _filter(request)
    if log_filter.is_bound and not log_filter.is_valid():
        return _invalid(request, log_filter)
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_type=LOG_OBJECT_TYPE,
        individual_id=log_filter.individual_id,
        detail="filters: " + ", ".join(log_filter.active_filters()),
    )
    # A server-side cursor on PostgreSQL (Django's iterator()): read while the file is sent,
    # in the order of an index, without a subquery per row (the references come per batch).
    entries = log_filter.qs.select_related("user").iterator(chunk_size=EXPORT_BATCH)
    return csv_download_streamed("logguppfoljning", _log_export_rows(entries))


def _log_export_rows(entries: Iterator[AccessLogEntry]) -> Iterator[list[object]]:
    """The export's heading, then its rows, read from the database a batch at a time."""
    yield [
        _("Time"),
        _("Staff member"),
        _("User name"),
        _("Action"),
        _("What"),
        _("Individual"),
        _("Page"),
        _("Detail"),
        _("Kind of read"),
        _("IP address"),
        _("Flagged: not a responsible coordinator"),
    ]
    # In a transaction: outside one, Django declares the server-side cursor WITH HOLD, and
    # PostgreSQL then reads the whole result before the first row (10 million rows: minutes).
    with transaction.atomic():
        for batch in batched(entries, EXPORT_BATCH):
            with_references(batch)
            for row in log_rows(batch):
                entry = row.entry
                yield [
                    timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
                    entry.user,
                    entry.user.username,
                    entry.get_action_display(),
                    row.what,
                    row.individual_reference,
                    row.page,
                    row.detail,
                    _("List") if entry.listed else _("Record"),
                    entry.ip_address or "",
                    _("Yes") if row.flagged else _("No"),
                ]
