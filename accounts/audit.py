"""The access log: every read of personal data is recorded here, in one place."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import AccessAction, AccessLogEntry, User


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, behind our own proxies too (the same rule as lockouts and limits)."""
    from hardening.ratelimit import client_ip as resolved

    return resolved(request)


def _staff(request: HttpRequest) -> User:
    if not isinstance(request.user, User):  # only signed-in staff ever reach personal data
        raise PermissionDenied
    return request.user


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
    user = _staff(request)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    match = request.resolver_match
    AccessLogEntry.objects.create(
        user=user,
        action=action,
        object_type=object_type[:60],
        object_id=object_id[:40],
        individual_id=individual_id,
        view_name=match.view_name if match else request.path[:100],
        detail=detail[:200],
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
    user = _staff(request)
    match = request.resolver_match
    row = AccessLogEntry(
        at=timezone.now(),
        user=user,
        action=action,
        object_type=object_type[:60],
        view_name=match.view_name if match else request.path[:100],
        detail=detail[:200],
        ip_address=client_ip(request),
    )
    objects = [(object_id[:40], individual_id) for object_id, individual_id in items]
    if not objects:
        return
    if connection.vendor == "postgresql":
        _insert_postgresql(row, objects)
    else:
        _insert_orm(row, objects)


def _insert_orm(row: AccessLogEntry, objects: list[tuple[str, int | None]]) -> None:
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
        )
        for object_id, individual_id in objects
    )


def _insert_postgresql(row: AccessLogEntry, objects: list[tuple[str, int | None]]) -> None:
    """One INSERT with the objects as two arrays: a list page logs 25–50 rows, and building
    that many model instances for bulk_create took 3.1 ms of the deadline board's request;
    this takes 1.0 ms (bench/RESULTS.md)."""
    table = AccessLogEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (at, user_id, action, object_type, object_id, individual_id,"  # noqa: S608
            " view_name, detail, ip_address)"
            " SELECT %s, %s, %s, %s, o.object_id, o.individual_id, %s, %s, %s"
            " FROM unnest(%s::varchar[], %s::bigint[]) AS o(object_id, individual_id)",
            [
                row.at,
                row.user_id,
                row.action,
                row.object_type,
                row.view_name,
                row.detail,
                row.ip_address,
                [object_id for object_id, _individual in objects],
                [individual_id for _object, individual_id in objects],
            ],
        )
