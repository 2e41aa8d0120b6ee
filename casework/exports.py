"""The case list's CSV export: its rows (identities masked as on the list), made within the
request for a short list and by a worker for a long one (core.background, kind
`casework.cases_csv`: the exportjobs app makes and keeps the file)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.roles import Role
from casework.filters import CaseFilter
from casework.models import Case
from casework.selectors import case_list_queryset, identity_access
from core.background import BuiltFile, FileKind, Progress, Shown, register_kind
from core.spreadsheet import csv_filename, csv_text

KIND = "casework.cases_csv"
FILENAME = "arenden"


def list_detail(params: QueryDict) -> str:
    """The access log's detail of an export: which filters were used (never their values)."""
    return "filters: " + ", ".join(sorted(k for k, v in params.items() if v and k != "page"))


def filtered_cases(user: User, params: QueryDict) -> QuerySet[Case]:
    cases: QuerySet[Case] = CaseFilter(params, queryset=case_list_queryset(user), user=user).qs
    return cases


def case_export_rows(
    user: User, cases: QuerySet[Case], progress: Progress | None = None, total: int = 0
) -> tuple[list[list[object]], list[tuple[str, int | None]]]:
    """The export's heading and rows, identities masked as on the list, and the (case,
    individual) pairs they show, for the access log."""
    rows: list[list[object]] = [
        [
            _("Case number"),
            _("Reference"),
            _("Alias"),
            _("Name"),
            _("Date of birth"),
            _("Category"),
            _("Status"),
            _("Opened"),
            _("Closed"),
            _("Coordinator"),
            _("Suspected offence"),
            _("Purposes"),
            _("Came in through"),
        ]
    ]
    logged: list[tuple[str, int | None]] = []
    access = identity_access(user)
    for done, case in enumerate(cases.iterator(chunk_size=500), start=1):
        identity = access.case_identity(case)
        rows.append(
            [
                case.number,
                identity.reference,
                identity.alias,
                identity.name,
                identity.date_of_birth or identity.birth_year or "",
                case.get_category_display(),
                _("Open") if case.is_open else _("Closed"),
                case.opened_on.isoformat(),
                case.closed_on.isoformat() if case.closed_on else "",
                case.coordinator,
                case.get_offence_display(),
                ", ".join(str(p.get_purpose_display()) for p in case.purposes.all()),
                case.get_origin_display(),
            ]
        )
        logged.append((str(case.pk), case.individual_id))
        if progress is not None and done % 500 == 0:
            progress(done, total)
    return rows, logged


def export_params(params: QueryDict) -> dict[str, Any]:
    """The list's parameters as the job keeps them (JSON)."""
    return {"filters": {key: params.getlist(key) for key in params}}


def _build(user: User, params: dict[str, Any], progress: Progress) -> BuiltFile:
    query = QueryDict(mutable=True)
    for key, values in params.get("filters", {}).items():
        query.setlist(key, [str(value) for value in values])
    cases = filtered_cases(user, query)
    total = cases.count()
    progress(0, total)
    rows, logged = case_export_rows(user, cases, progress, total)
    progress(total, total)
    return BuiltFile(
        filename=csv_filename(FILENAME),
        content_type="text/csv; charset=utf-8",
        content=csv_text(rows).encode("utf-8"),
        shown=[Shown("casework.case", logged, list_detail(query))],
    )


register_kind(
    FileKind(
        name=KIND,
        label=gettext_lazy("Case list (CSV)"),
        roles=(Role.COORDINATOR, Role.MANAGER),
        build=_build,
    )
)
