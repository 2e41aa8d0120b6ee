"""Reads of outreach data, and the access rules that guard them.

Who sees what:
- outreach staff: their own contacts (logged by them or with them present) and the status of
  those contacts' referrals, never the case a referral became part of;
- coordinators: every referral, and the contact behind it unless outreach withdrew it; no other
  outreach data;
- managers: everything, read-only.

Every page that shows a contact's data loads it here and writes the access log (object type
`outreach.outreachcontact`, with the individual when the contact was accepted into a case).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import ExtractYear
from django.db.models.lookups import Exact
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.audit import access_log_record, access_log_record_many
from accounts.models import AccessAction, User
from accounts.roles import Role, has_role
from outreach.models import (
    ContactIndicator,
    District,
    Indicator,
    OutreachContact,
    Referral,
    ReferralStatus,
    StaffContact,
)

CONTACT_OBJECT_TYPE = "outreach.outreachcontact"

# --- Roles ----------------------------------------------------------------------------------------


def can_log_contacts(user: object) -> bool:
    return has_role(user, Role.OUTREACH)


def can_handle_referrals(user: object) -> bool:
    return has_role(user, Role.COORDINATOR)


def reads_everything(user: object) -> bool:
    return has_role(user, Role.MANAGER)


def can_use_outreach(user: object) -> bool:
    return has_role(user, Role.OUTREACH, Role.COORDINATOR, Role.MANAGER)


# --- Which rows a user may see --------------------------------------------------------------------


def _own_contacts(user: User, *, via_referral: bool = False) -> Q:
    """Contacts the user logged or was present at (of referrals, with `via_referral`)."""
    through = OutreachContact.staff.through
    contact = OuterRef("contact_id" if via_referral else "pk")
    present = Exists(through.objects.filter(outreachcontact_id=contact, user_id=user.pk))
    creator = "contact__created_by" if via_referral else "created_by"
    return Q(present) | Q(**{creator: user})


def _own_contacts_newest_first(user: User) -> Q:
    """`_own_contacts` for a page of contacts newest first: the same contacts (present at one
    someone else logged, or logged by them), written so that PostgreSQL checks each contact in
    turn as it walks the index of contact times and stops after the page. The condition on the
    logging worker inside EXISTS keeps PostgreSQL from first hashing every contact the user was
    present at, as it does for `_own_contacts` (26,000 at national scale: 5–7 ms for any page,
    against 0.5 ms for the first and 2 ms for the tenth). A count reads every contact, and the
    hash is the faster way there (0.1–0.4 s against 0.5–0.6 s), so counts use `_own_contacts`."""
    through = OutreachContact.staff.through
    present_not_logged = Exists(
        through.objects.filter(outreachcontact_id=OuterRef("pk"), user_id=user.pk).exclude(
            Exact(OuterRef("created_by"), user.pk)
        )
    )
    return Q(present_not_logged) | Q(created_by=user)


def _referred_contacts() -> Q:
    """Contacts behind a referral that outreach has not withdrawn."""
    return Q(
        Exists(
            Referral.objects.filter(contact_id=OuterRef("pk")).exclude(
                status=ReferralStatus.WITHDRAWN
            )
        )
    )


def _visible_contacts(user: User, *, newest_first: bool = False) -> Q | None:
    """The contacts the user may see (`newest_first`: for a page of them in time order)."""
    if reads_everything(user):
        return Q()
    allowed: Q | None = None
    if can_log_contacts(user):
        allowed = _own_contacts_newest_first(user) if newest_first else _own_contacts(user)
    if can_handle_referrals(user):
        allowed = _referred_contacts() if allowed is None else allowed | _referred_contacts()
    return allowed


def _visible_referrals(user: User) -> Q | None:
    if reads_everything(user) or can_handle_referrals(user):
        return Q()
    if can_log_contacts(user):
        return _own_contacts(user, via_referral=True)
    return None


def _accepted_individual() -> Subquery:
    """The individual a contact was accepted as (for the access log's individual column)."""
    return Subquery(
        Referral.objects.filter(contact_id=OuterRef("pk"), status=ReferralStatus.ACCEPTED).values(
            "case__individual_id"
        )[:1]
    )


def contact_queryset(user: User) -> QuerySet[OutreachContact]:
    """The contacts the user may see, with what a list row shows, in a fixed number of queries."""
    allowed = _visible_contacts(user)
    if allowed is None:
        return OutreachContact.objects.none()
    return (
        OutreachContact.objects.filter(allowed)
        .select_related("district", "language")
        .prefetch_related("indicators", "offers", "staff")
        .annotate(individual_id=_accepted_individual())
    )


# What a contact list row reads (templates/outreach/_contact_table.html) and the access log needs.
_CONTACT_ROW_FIELDS = (
    *("contacted_at", "environment", "district", "district__name", "alias", "description"),
    "age_group",
)


def contact_rows_queryset(user: User) -> QuerySet[OutreachContact]:
    """The contacts the user may see with only what a list row shows; the indicators come from
    `indicators_by_contact` (a prefetch built a model instance and a queryset for each), the
    staff present only for those who see everyone's contacts (the column is theirs). For pages
    newest first; `contact_count_queryset` counts the same contacts."""
    allowed = _visible_contacts(user, newest_first=True)
    if allowed is None:
        return OutreachContact.objects.none()
    contacts = (
        OutreachContact.objects.filter(allowed)
        .select_related("district")
        .only(*_CONTACT_ROW_FIELDS)
        .annotate(individual_id=_accepted_individual())
    )
    if reads_everything(user):
        contacts = contacts.prefetch_related(
            Prefetch("staff", queryset=User.objects.only("first_name", "last_name", "username"))
        )
    return contacts


def contact_count_queryset(user: User, *, searched: bool = False) -> QuerySet[Any]:
    """The contacts of `contact_rows_queryset`, to count (filtered by the list's filters,
    which name the same fields on both models).

    An outreach worker's own contacts are counted from their rows in StaffContact on
    PostgreSQL, unless the list is searched (the search text matches what only the contacts
    hold); everyone else's, and every count on SQLite, from the contacts themselves."""
    allowed = _visible_contacts(user)
    if allowed is None:
        return OutreachContact.objects.none()
    only_own = can_log_contacts(user) and not (reads_everything(user) or can_handle_referrals(user))
    if only_own and not searched and connection.vendor == "postgresql":
        return StaffContact.objects.filter(user=user)
    return OutreachContact.objects.filter(allowed)


@dataclass(frozen=True)
class ContactRow:
    """One line of the contact list: the contact, its indicators and its page."""

    contact: OutreachContact
    indicators: list[str]
    url: str


def contact_list_rows(contacts: list[OutreachContact]) -> list[ContactRow]:
    """The contact list's rows for these contacts (read with `contact_rows_queryset`)."""
    indicators = indicators_by_contact([contact.pk for contact in contacts])
    return [
        ContactRow(
            contact=contact,
            indicators=indicators.get(contact.pk, []),
            url=reverse("outreach:contact_detail", args=[contact.pk]),
        )
        for contact in contacts
    ]


def referral_queryset(user: User) -> QuerySet[Referral]:
    allowed = _visible_referrals(user)
    if allowed is None:
        return Referral.objects.none()
    referrals: QuerySet[Referral] = (
        Referral.objects.filter(allowed)
        .select_related("contact__district", "contact__language", "case")
        .with_staff("to_coordinator", "referred_by", "accepted_by", "declined_by", "withdrawn_by")
        .prefetch_related("contact__indicators")
        .annotate(
            individual_id=Subquery(
                Referral.objects.filter(
                    contact_id=OuterRef("contact_id"), status=ReferralStatus.ACCEPTED
                ).values("case__individual_id")[:1]
            ),
        )
    )
    if can_log_contacts(user) and not reads_everything(user):
        # What contact_shown_in asks of outreach staff (for others the answer needs no query).
        referrals = referrals.annotate(
            viewer_owns=ExpressionWrapper(
                _own_contacts(user, via_referral=True), output_field=BooleanField()
            )
        )
    return referrals


# What a referral list row reads (templates/outreach/_referral_table.html), contact_shown_in and the access log need.
_REFERRAL_ROW_FIELDS = (
    *("contact", "to_coordinator", "status", "presumed_minor", "referred_at", "referred_by"),
    *("accepted_at", "accepted_by", "declined_at", "declined_by", "withdrawn_at", "withdrawn_by"),
    *("case", "case__number"),
    *("contact__environment", "contact__district", "contact__alias", "contact__description"),
    *("contact__age_group", "contact__language", "contact__created_by"),
    *("contact__district__name", "contact__language__name_sv", "contact__language__name_en"),
)


def referral_rows_queryset(user: User) -> QuerySet[Referral]:
    """`referral_queryset` with only what a list row shows; the contacts' indicators come from
    `indicators_by_contact` (a prefetch built a model instance for each)."""
    return referral_queryset(user).prefetch_related(None).only(*_REFERRAL_ROW_FIELDS)


def indicators_by_contact(contact_ids: list[int]) -> dict[int, list[str]]:
    """The indicators recorded for these contacts as their labels, in code order, in one
    query."""
    grouped: dict[int, list[str]] = {}
    codes = (
        ContactIndicator.objects.filter(contact__in=contact_ids)
        .order_by("contact", "indicator")
        .values_list("contact", "indicator")
    )
    for contact_id, code in codes:
        grouped.setdefault(contact_id, []).append(str(Indicator(code).label))
    return grouped


@dataclass(frozen=True)
class ReferralRow:
    """One line of the referral list: the referral, whether its contact may be shown
    (`contact_shown_in`), its contact's indicators, the page the row opens (the referral for
    coordinators and managers, the contact for outreach staff), the referral's page (for
    handling it) and, where cases are shown, the page of the case it became part of."""

    referral: Referral
    contact_shown: bool
    indicators: list[str]
    url: str
    referral_url: str
    case_url: str


def referral_list_rows(user: User, referrals: list[Referral]) -> list[ReferralRow]:
    """The referral list's rows for these referrals (read with `referral_rows_queryset`)."""
    indicators = indicators_by_contact([referral.contact_id for referral in referrals])
    show_cases = shows_cases(user)
    rows = []
    for referral in referrals:
        referral_url = reverse("outreach:referral_detail", args=[referral.pk])
        case_url = ""
        if show_cases and referral.case_id:
            case_url = reverse("casework:case_detail", args=[referral.case_id])
        rows.append(
            ReferralRow(
                referral=referral,
                contact_shown=contact_shown_in(referral, user),
                indicators=indicators.get(referral.contact_id, []),
                url=referral_url
                if show_cases
                else reverse("outreach:contact_detail", args=[referral.contact_id]),
                referral_url=referral_url,
                case_url=case_url,
            )
        )
    return rows


def contact_shown_in(referral: Referral, user: User) -> bool:
    """Whether a referral's row or page may show its contact: not to coordinators once outreach
    withdrew it (the person's consent may be gone), unless the contact is their own too."""
    if reads_everything(user) or referral.status != ReferralStatus.WITHDRAWN:
        return True
    if not can_log_contacts(user):
        return False
    owns = getattr(referral, "viewer_owns", None)
    if owns is None:
        owns = _is_own(referral.contact, user)
    return bool(owns)


def _is_own(contact: OutreachContact, user: User) -> bool:
    if contact.created_by_id == user.pk:
        return True
    return contact.staff.filter(pk=user.pk).exists()


def shows_cases(user: User) -> bool:
    """Whether referral pages may show the case a referral became part of."""
    return has_role(user, Role.COORDINATOR, Role.MANAGER)


# --- The access log -------------------------------------------------------------------------------


def log_contact_reads(
    request: HttpRequest,
    contacts: Iterable[OutreachContact],
    *,
    action: AccessAction = AccessAction.VIEW,
    detail: str = "",
) -> None:
    """One access-log row per contact shown (lists, the inbox, start pages): one query."""
    items = [(str(c.pk), getattr(c, "individual_id", None)) for c in contacts]
    if items:
        access_log_record_many(
            request=request,
            action=action,
            object_type=CONTACT_OBJECT_TYPE,
            items=items,
            detail=detail,
        )


def log_referral_reads(
    request: HttpRequest, referrals: Iterable[Referral], *, detail: str = ""
) -> None:
    """Log the contacts that referral rows show (rows hiding their contact are not reads)."""
    user = _user(request)
    items = [
        (str(r.contact_id), getattr(r, "individual_id", None))
        for r in referrals
        if contact_shown_in(r, user)
    ]
    if items:
        access_log_record_many(
            request=request,
            action=AccessAction.VIEW,
            object_type=CONTACT_OBJECT_TYPE,
            items=items,
            detail=detail,
        )


# --- Loading one object ---------------------------------------------------------------------------


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise Http404
    return request.user


def contact_get_for_user(request: HttpRequest, pk: int) -> OutreachContact:
    """A contact the user may read, else 404. The read is logged."""
    user = _user(request)
    try:
        contact = contact_queryset(user).get(pk=pk)
    except OutreachContact.DoesNotExist:
        raise Http404 from None
    access_log_record(
        request=request,
        action=AccessAction.VIEW,
        obj=contact,
        object_type=CONTACT_OBJECT_TYPE,
        individual_id=getattr(contact, "individual_id", None),
    )
    return contact


def contact_get_for_edit(request: HttpRequest, pk: int) -> OutreachContact:
    """A contact the user may change: their own (404 if they may not see it, 403 if only read)."""
    contact = contact_get_for_user(request, pk)
    user = _user(request)
    if not (can_log_contacts(user) and _is_own(contact, user)):
        raise PermissionDenied
    return contact


def referral_get_for_user(request: HttpRequest, pk: int, *, log: bool = True) -> Referral:
    """A referral the user may see, else 404. Showing its contact is logged (`log=False` for
    responses that do not show it)."""
    user = _user(request)
    try:
        referral = referral_queryset(user).get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404 from None
    if log and contact_shown_in(referral, user):
        access_log_record(
            request=request,
            action=AccessAction.VIEW,
            obj=referral.contact,
            object_type=CONTACT_OBJECT_TYPE,
            individual_id=getattr(referral, "individual_id", None),
        )
    return referral


def log_referral_page_read(request: HttpRequest, referral: Referral) -> None:
    """The referral's page shows its contact (unless withdrawn) and, once accepted into a
    case, the case's number and person: one row for each."""
    user = _user(request)
    if contact_shown_in(referral, user):
        access_log_record(
            request=request,
            action=AccessAction.VIEW,
            obj=referral.contact,
            object_type=CONTACT_OBJECT_TYPE,
            individual_id=getattr(referral, "individual_id", None),
        )
    if referral.case is not None and shows_cases(user):
        access_log_record(
            request=request,
            action=AccessAction.VIEW,
            obj=referral.case,
            individual_id=referral.case.individual_id,
            detail="referral page",
        )


def referral_get_for_handling(request: HttpRequest, pk: int) -> Referral:
    """A referral a coordinator handles: 404 for roles that may not see it, 403 for managers."""
    referral = referral_get_for_user(request, pk)
    if not can_handle_referrals(request.user):
        raise PermissionDenied
    return referral


def referral_get_for_withdrawal(request: HttpRequest, pk: int) -> Referral:
    """A referral of the user's own contact: 404 if not visible, 403 if not theirs."""
    referral = referral_get_for_user(request, pk)
    user = _user(request)
    if not (can_log_contacts(user) and _is_own(referral.contact, user)):
        raise PermissionDenied
    return referral


# --- Counts, defaults and start pages -------------------------------------------------------------


def addressed_to(user: User) -> Q:
    """Referrals to the common inbox, or to this coordinator by name."""
    return Q(to_coordinator__isnull=True) | Q(to_coordinator=user)


def inbox_filter(user: User) -> Q:
    """Referrals a coordinator should act on: waiting, and addressed to them or to everyone."""
    return Q(status=ReferralStatus.PENDING) & addressed_to(user)


def pending_referral_count(user: User) -> int:
    """The number in the navigation: one query."""
    return Referral.objects.filter(inbox_filter(user)).count()


def pending_referrals_in(request: HttpRequest, user: User, *, known: int | None = None) -> int:
    """`pending_referral_count`, counted once per request: the navigation shows it on every
    page, and the inbox and the start page (the same referrals) use it too; `known` when the
    caller has just counted them itself."""
    counted: int | None = request.__dict__.get("_pending_referrals", known)
    if counted is None:
        counted = pending_referral_count(user)
    request.__dict__["_pending_referrals"] = counted
    return counted


def last_district_for(user: User) -> District | None:
    """The district of the user's latest contact: the default for the next one.

    On PostgreSQL it is read from the user's rows in StaffContact, the end of one index range
    (0.1 ms, against 5 ms through the contacts at national scale)."""
    own: QuerySet[Any]
    if connection.vendor == "postgresql":
        own = StaffContact.objects.filter(user=user)
    else:
        own = OutreachContact.objects.filter(_own_contacts(user))
    latest = own.filter(district__isnull=False).order_by("-contacted_at").values("district")[:1]
    return District.objects.filter(pk__in=latest, active=True).first()


def outreach_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=Role.OUTREACH).order_by(
        "first_name", "last_name", "username"
    )


def active_districts() -> QuerySet[District]:
    return District.objects.filter(active=True)


def start_of_week(now: datetime | None = None) -> datetime:
    """Monday 00:00 of this week, Stockholm time."""
    local = timezone.localtime(now)
    monday = local.date() - timedelta(days=local.weekday())
    return timezone.make_aware(datetime.combine(monday, datetime.min.time()))


@dataclass(frozen=True)
class OutreachStart:
    contacts: list[OutreachContact]
    referrals: list[Referral]


def outreach_start(request: HttpRequest, *, referrals: int = 10) -> OutreachStart:
    """The outreach start page: my contacts this week, my latest referrals and their status."""
    user = _user(request)
    contacts = list(
        contact_queryset(user)
        .filter(_own_contacts(user), contacted_at__gte=start_of_week())
        .order_by("-contacted_at")
    )
    mine = list(
        Referral.objects.filter(_own_contacts(user, via_referral=True))
        .select_related("contact__district", "accepted_by", "declined_by", "withdrawn_by")
        .order_by("-referred_at")[:referrals]
    )
    log_contact_reads(request, contacts, detail="start page")
    return OutreachStart(contacts=contacts, referrals=mine)


@dataclass(frozen=True)
class CoordinatorInbox:
    count: int
    referrals: list[Referral]


def coordinator_inbox(request: HttpRequest, *, limit: int = 5) -> CoordinatorInbox:
    """The coordinator start page's "new referrals": the count and the oldest waiting ones."""
    user = _user(request)
    waiting = referral_queryset(user).filter(inbox_filter(user)).order_by("referred_at")
    rows = list(waiting[:limit])
    count = pending_referrals_in(request, user, known=len(rows) if len(rows) < limit else None)
    log_referral_reads(request, rows, detail="start page")
    return CoordinatorInbox(count=count, referrals=rows)


# --- Time from referral to acceptance -------------------------------------------------------------


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont: the value at `fraction`, interpolating between rows."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: object, *, fraction: float) -> None:
        # A number we write ourselves, never user input: safe to put into the SQL text.
        super().__init__(expression, fraction=f"{float(fraction):.6f}")


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """The same definition as PostgreSQL's percentile_cont, for SQLite: sorted values,
    position fraction × (n − 1), linear interpolation between the two nearest."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = math.ceil(position)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


@dataclass(frozen=True)
class AcceptanceTimes:
    """Hours from referral to acceptance, for referrals accepted in `year` (None: all years)."""

    year: int | None
    accepted: int
    median_hours: float | None
    p90_hours: float | None


def acceptance_times(referrals: QuerySet[Referral] | None = None) -> list[AcceptanceTimes]:
    """Median and 90th percentile per year of acceptance, then for all years.

    Computed in SQL on PostgreSQL (two queries whatever the number of referrals); on SQLite,
    which has no percentile function, from the timestamps with the same definition.
    """
    accepted = (referrals if referrals is not None else Referral.objects.all()).filter(
        status=ReferralStatus.ACCEPTED, accepted_at__isnull=False
    )
    if connection.vendor == "postgresql":
        seconds = Func(
            F("accepted_at") - F("referred_at"),
            template="EXTRACT(EPOCH FROM %(expressions)s)",
            output_field=FloatField(),
        )
        figures = {
            "accepted": Count("pk"),
            "median": PercentileCont(seconds, fraction=0.5),
            "p90": PercentileCont(seconds, fraction=0.9),
        }
        by_year = (
            accepted.annotate(year=ExtractYear("accepted_at"))
            .values("year")
            .annotate(**figures)
            .order_by("year")
        )
        rows = [
            AcceptanceTimes(
                year=row["year"],
                accepted=row["accepted"],
                median_hours=_hours(row["median"]),
                p90_hours=_hours(row["p90"]),
            )
            for row in by_year
        ]
        total = accepted.aggregate(**figures)
        rows.append(
            AcceptanceTimes(
                year=None,
                accepted=total["accepted"],
                median_hours=_hours(total["median"]),
                p90_hours=_hours(total["p90"]),
            )
        )
        return rows
    durations: dict[int, list[float]] = defaultdict(list)
    everything: list[float] = []
    for referred_at, accepted_at in accepted.values_list("referred_at", "accepted_at"):
        if accepted_at is None:  # excluded by the filter; keeps the type checker informed
            continue
        seconds_taken = (accepted_at - referred_at).total_seconds()
        durations[timezone.localtime(accepted_at).year].append(seconds_taken)
        everything.append(seconds_taken)
    rows = [
        AcceptanceTimes(
            year=year,
            accepted=len(values),
            median_hours=_hours(percentile_cont(values, 0.5)),
            p90_hours=_hours(percentile_cont(values, 0.9)),
        )
        for year, values in sorted(durations.items())
    ]
    rows.append(
        AcceptanceTimes(
            year=None,
            accepted=len(everything),
            median_hours=_hours(percentile_cont(everything, 0.5)),
            p90_hours=_hours(percentile_cont(everything, 0.9)),
        )
    )
    return rows


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else round(float(seconds) / 3600, 1)
