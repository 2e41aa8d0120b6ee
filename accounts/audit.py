"""The access log: every read of personal data is recorded here, in one place.

A read that concerns an individual is flagged when it is written if the reader was not then
the responsible coordinator of any of the person's cases (managers' reads too: they are not
coordinators). The flag is stored with the row and never recomputed, so a case opened or
reassigned later cannot change what an earlier read looked like. Which individuals a user is
responsible for is casework's knowledge: it registers the rule (`register_responsibility`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AccessAction, AccessLogEntry, User
from accounts.roles import staff_user

# The client's address, behind our own proxies too (the same rule as lockouts and limits).
from core.ratelimit import client_ip


@dataclass(frozen=True)
class Responsibility:
    """Whom a user is responsible for right now, as casework knows it."""

    # (user id, individual ids) -> those of the individuals the user is responsible for.
    individuals: Callable[[int, Collection[int]], set[int]]
    # The same as an SQL condition on the individual's id in the column `{individual}`, with one
    # placeholder (%s) for the user's id: PostgreSQL decides the flags in the INSERT itself.
    sql: str


_responsibility: list[Responsibility] = []

# The actions that read personal data (and so may be flagged).
READS = frozenset({AccessAction.VIEW, AccessAction.SEARCH, AccessAction.EXPORT, AccessAction.PRINT})


def register_responsibility(rule: Responsibility) -> None:
    """Called once by casework (AppConfig.ready): how to tell whom a user is responsible for."""
    _responsibility[:] = [rule]


def _flags(user_id: int, action: str, individual_ids: Iterable[int | None]) -> dict[int, bool]:
    """Per individual read by `user_id` now: True if the read is to be flagged."""
    ids = {pk for pk in individual_ids if pk is not None}
    if not ids or action not in READS:
        return {}
    if not _responsibility:  # casework not loaded: flag every read rather than none
        return dict.fromkeys(ids, True)
    responsible = _responsibility[0].individuals(user_id, ids)
    return {pk: pk not in responsible for pk in ids}


def access_log_write(
    *,
    user: User,
    action: AccessAction,
    object_type: str,
    object_id: str = "",
    individual_id: int | None = None,
    view_name: str,
    detail: str = "",
    ip_address: str | None = None,
) -> AccessLogEntry:
    """Write one row, its flag decided now. Pages use `access_log_record`, which fills in the
    page and the address from the request."""
    row = AccessLogEntry(
        at=timezone.now(),
        user=user,
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:40],
        individual_id=individual_id,
        view_name=view_name[:100],
        detail=detail[:200],
        ip_address=ip_address,
    )
    if connection.vendor == "postgresql":
        ((row.pk, row.flagged),) = _insert_postgresql(row, [(row.object_id, individual_id)])
        row._state.adding = False
        return row
    row.flagged = _flags(user.pk, action, [individual_id]).get(individual_id or 0, False)
    row.save()
    return row


@dataclass(frozen=True)
class AccessSource:
    """Where a change to who may read came from (the page and the address), for the log rows
    that services write themselves (grants, revocations, refusals, role changes)."""

    view_name: str
    ip_address: str | None = None


def access_source(request: HttpRequest) -> AccessSource:
    match = request.resolver_match
    return AccessSource(
        view_name=match.view_name if match else request.path, ip_address=client_ip(request)
    )


def access_log_change(
    *,
    by: User,
    action: AccessAction,
    obj: models.Model,
    individual_id: int | None = None,
    detail: str = "",
    source: AccessSource | None,
    service: str,
) -> AccessLogEntry:
    """Record a change to who may read personal data (never the data itself). Without a
    `source` (a command, a test) the row names the service that made the change as its page."""
    where = source or AccessSource(view_name=service)
    return access_log_write(
        user=by,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        individual_id=individual_id,
        view_name=where.view_name,
        detail=detail,
        ip_address=where.ip_address,
    )


def access_log_record(
    *,
    request: HttpRequest,
    action: AccessAction,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    individual_id: int | None = None,
    detail: str = "",
) -> None:
    """Record that the signed-in user read personal data. Never contains the data itself."""
    user = staff_user(request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    match = request.resolver_match
    access_log_write(
        user=user,
        action=action,
        object_type=object_type,
        object_id=object_id,
        individual_id=individual_id,
        view_name=match.view_name if match else request.path,
        detail=detail,
        ip_address=client_ip(request),
    )


def access_log_record_many(
    *,
    request: HttpRequest,
    action: AccessAction,
    object_type: str,
    items: Iterable[tuple[str, int | None]],
    detail: str = "",
) -> None:
    """Record a read of several objects at once (a list, a search result, an export): one row
    each."""
    match = request.resolver_match
    access_log_write_many(
        user=staff_user(request),
        action=action,
        object_type=object_type,
        items=items,
        view_name=match.view_name if match else request.path,
        detail=detail,
        ip_address=client_ip(request),
    )


def access_log_write_many(
    *,
    user: User,
    action: AccessAction,
    object_type: str,
    items: Iterable[tuple[str, int | None]],
    view_name: str,
    detail: str = "",
    ip_address: str | None = None,
) -> None:
    """Write one row per object at once, each one's flag decided now (`access_log_record_many`
    fills in the page and the address from the request; a command names itself). The rows are
    marked as read in a list and share the time: the log review shows them as one page view."""
    row = AccessLogEntry(
        listed=True,
        at=timezone.now(),
        user=user,
        action=action,
        object_type=object_type[:60],
        view_name=view_name[:100],
        detail=detail[:200],
        ip_address=ip_address,
    )
    objects = [(object_id[:40], individual_id) for object_id, individual_id in items]
    if not objects:
        return
    if connection.vendor == "postgresql":
        _insert_postgresql(row, objects)
        return
    flags = _flags(user.pk, action, (individual_id for _object, individual_id in objects))
    _insert_orm(
        row,
        [
            (object_id, individual_id, flags.get(individual_id, False) if individual_id else False)
            for object_id, individual_id in objects
        ],
    )


def _insert_orm(row: AccessLogEntry, objects: list[tuple[str, int | None, bool]]) -> None:
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            at=row.at,
            user_id=row.user_id,
            action=row.action,
            object_type=row.object_type,
            object_id=object_id,
            individual_id=individual_id,
            view_name=row.view_name,
            detail=row.detail,
            ip_address=row.ip_address,
            flagged=flagged,
            listed=row.listed,
        )
        for object_id, individual_id, flagged in objects
    )


def _insert_postgresql(
    row: AccessLogEntry, objects: list[tuple[str, int | None]]
) -> list[tuple[int, bool]]:
    """One INSERT with the objects as two arrays, deciding each row's flag in the same
    statement (no query of its own): a list page logs 25–50 rows, and building that many model
    instances for bulk_create took much longer (bench/RESULTS.md). Returns each new
    row's id and flag."""
    table = AccessLogEntry._meta.db_table
    flag = "FALSE"
    flag_params: list[int] = []
    if row.action in READS:
        flag = "o.individual_id IS NOT NULL"
        if _responsibility:
            flag += " AND NOT " + _responsibility[0].sql.format(individual="o.individual_id")
            flag_params = [row.user_id]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (at, user_id, action, object_type, object_id, individual_id,"  # noqa: S608
            " view_name, detail, ip_address, listed, flagged)"
            f" SELECT %s, %s, %s, %s, o.object_id, o.individual_id, %s, %s, %s, %s, {flag}"
            " FROM unnest(%s::varchar[], %s::bigint[]) AS o(object_id, individual_id)"
            " RETURNING id, flagged",
            [
                row.at,
                row.user_id,
                row.action,
                row.object_type,
                row.view_name,
                row.detail,
                row.ip_address,
                row.listed,
                *flag_params,
                [object_id for object_id, _individual in objects],
                [individual_id for _object, individual_id in objects],
            ],
        )
        return [(int(pk), bool(flagged)) for pk, flagged in cursor.fetchall()]
