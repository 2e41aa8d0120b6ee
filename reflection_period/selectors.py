"""Reads of reflection-period data, and the access rules that guard them.

An application is personal data of its case's individual: every page loads it through
`application_get_for_user` / `application_get_for_edit`, which apply casework's access rules to
the application's case (404 for roles that may not know cases exist, 403 for read-only roles)
and write the access log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Case as Conditional
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import access_log_record
from accounts.models import AccessAction, User
from casework.models import Case
from casework.selectors import (
    Identity,
    can_edit_cases,
    can_read_cases,
    case_get_for_user,
    case_row_fields,
    identity_access,
)
from reflection_period.deadlines import DeadlineState, Thresholds, deadline_state
from reflection_period.models import (
    ApplicationPurpose,
    DueKind,
    ReflectionPeriodApplication,
    Reminder,
    ReminderRule,
    Status,
)

Application = ReflectionPeriodApplication

# How the access log names an application (its model label is longer than the log's column).
LOG_OBJECT_TYPE = "reflection_period.application"


# --- Loading one application ----------------------------------------------------------------------


def application_get_for_user(request: HttpRequest, pk: int, *, log: bool = True) -> Application:
    """An application the user may read (through its case), else 404. The read is logged."""
    if not can_read_cases(request.user):
        raise Http404
    case_id = Application.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404
    case = case_get_for_user(request, case_id, log=False)
    application = (
        Application.objects.select_related("applied_by", "created_by")
        .prefetch_related(
            Prefetch("purposes", queryset=ApplicationPurpose.objects.order_by("purpose"))
        )
        .get(pk=pk)
    )
    application.case = case
    if log:
        access_log_record(
            request=request,
            action=AccessAction.VIEW,
            obj=application,
            object_type=LOG_OBJECT_TYPE,
            individual_id=case.individual_id,
        )
    return application


def application_get_for_edit(request: HttpRequest, pk: int) -> Application:
    """An application the user may change: 404 if they may not see it, 403 if read-only."""
    application = application_get_for_user(request, pk, log=False)
    if not can_edit_cases(request.user):
        raise PermissionDenied
    return application


def reminder_get_for_recipient(user: User, pk: int) -> Reminder:
    """A reminder sent to `user`; anyone else's is 404 (as for notifications)."""
    try:
        return Reminder.objects.select_related("application").get(pk=pk, recipient=user)
    except Reminder.DoesNotExist:
        raise Http404 from None


# --- Lists ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineRow:
    """One line of the deadline board or a start page, with the addresses it links to."""

    application: Application
    case: Case
    identity: Identity
    deadline: DeadlineState
    last_reminder_rule: str  # a ReminderRule, or "" before the first reminder
    last_reminder_at: datetime | None
    application_url: str
    case_url: str

    @property
    def last_reminder_label(self) -> str:
        return str(ReminderRule(self.last_reminder_rule).label) if self.last_reminder_rule else ""


def _with_case() -> QuerySet[Application]:
    return Application.objects.select_related("case__individual", "case__coordinator")


def deadline_rows(user: User, applications: Iterable[Application]) -> list[DeadlineRow]:
    """The rows for these applications, read with `board_rows()` (which annotates their
    latest reminder)."""
    today = timezone.localdate()
    thresholds = Thresholds.current()
    access = identity_access(user)
    rows = []
    for application in applications:
        state = deadline_state(application, today, thresholds)
        if state is None:
            continue
        rows.append(
            DeadlineRow(
                application=application,
                case=application.case,
                identity=access.case_identity(application.case),
                deadline=state,
                # Annotated by board_rows(): an application read without it fails here.
                last_reminder_rule=application.last_reminder_rule or "",  # type: ignore[attr-defined]
                last_reminder_at=application.last_reminder_at,  # type: ignore[attr-defined]
                application_url=reverse(
                    "reflection_period:application_detail", args=[application.pk]
                ),
                case_url=reverse("casework:case_detail", args=[application.case_id]),
            )
        )
    return rows


def board_rows() -> QuerySet[Application]:
    """Applications with only what a deadline board row shows (its deadline, the case's row,
    the latest reminder's rule and time): read whole, 25 applications with their cases, people
    and reminders were a large part of the board's Python (bench/RESULTS.md). The latest
    reminder comes in the same query (a prefetch of every reminder cost a query more)."""
    latest = Reminder.objects.filter(application=OuterRef("pk")).order_by("-created_at", "-pk")
    return (
        _with_case()
        .only("case", "due_kind", "due_on", "overdue_on", *case_row_fields("case__"))
        .annotate(
            last_reminder_rule=Subquery(latest.values("rule")[:1]),
            last_reminder_at=Subquery(latest.values("created_at")[:1]),
        )
    )


def _of_my_cases(user: User) -> Q:
    """Applications of the cases the user coordinates: by the column the database keeps on
    PostgreSQL (ReflectionPeriodApplication.case_coordinator), else through the cases (as a
    subquery, not a join: a join made PostgreSQL read every case)."""
    if connection.vendor == "postgresql":
        return Q(case_coordinator=user)
    return Q(case__in=Case.objects.filter(coordinator=user).values("pk"))


def board_queryset(
    user: User, *, scope: str, kind: str = "", overdue_only: bool = False
) -> QuerySet[Application]:
    """Every open deadline the user may see, soonest first, with what a row shows."""
    if not can_read_cases(user):
        return Application.objects.none()
    applications = board_rows().exclude(due_kind="")
    if scope == "mine":
        applications = applications.filter(
            _of_my_cases(user) | Q(status=Status.DRAFT, created_by=user)
        )
    if kind in DueKind.values:
        applications = applications.filter(due_kind=kind)
    if overdue_only:
        applications = applications.filter(overdue_on__lte=timezone.localdate())
    return applications.order_by("due_on", "pk")


def my_deadlines(user: User, *, limit: int = 15) -> list[DeadlineRow]:
    """The coordinator's start page: overdue first, then what falls due within a week."""
    today = timezone.localdate()
    thresholds = Thresholds.current()
    horizon = today + timedelta(days=max(7, thresholds.permit_ending_first_days))
    applications = (
        board_queryset(user, scope="mine")
        .filter(Q(overdue_on__lte=today) | Q(due_on__lte=horizon))
        .annotate(
            overdue_first=Conditional(When(overdue_on__lte=today, then=Value(0)), default=Value(1))
        )
        .order_by("overdue_first", "due_on", "pk")[:limit]
    )
    return deadline_rows(user, applications)


def unit_overdue(user: User, *, limit: int = 20) -> tuple[list[DeadlineRow], int]:
    """The manager's start page: overdue deadlines in the whole unit, and how many."""
    overdue = board_queryset(user, scope="unit", overdue_only=True)
    return deadline_rows(user, overdue[:limit]), overdue.count()


def unacknowledged_reminders(user: User, *, limit: int = 10) -> list[Reminder]:
    return list(
        Reminder.objects.filter(recipient=user, sent_at__isnull=False, acknowledged_at__isnull=True)
        .select_related("application__case")
        .order_by("-created_at")[:limit]
    )


def start_coordinator_context(user: User) -> dict[str, object]:
    return {"deadlines": my_deadlines(user), "reminders": unacknowledged_reminders(user)}


def start_manager_context(user: User) -> dict[str, object]:
    rows, count = unit_overdue(user)
    return {"overdue": rows, "overdue_count": count}


def case_applications(case: Case) -> list[Application]:
    return list(
        Application.objects.filter(case=case)
        .select_related("applied_by")
        .prefetch_related(
            Prefetch("purposes", queryset=ApplicationPurpose.objects.order_by("purpose"))
        )
        .order_by("-created_at", "-pk")
    )
