"""The access log: every read of personal data is recorded here, in one place."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest

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
    """Record a read of several objects at once (a search result, an export): one row each."""
    user = _staff(request)
    match = request.resolver_match
    view_name = match.view_name if match else request.path[:100]
    ip = client_ip(request)
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(
            user=user,
            action=action,
            object_type=object_type[:60],
            object_id=object_id[:40],
            individual_id=individual_id,
            view_name=view_name,
            detail=detail[:200],
            ip_address=ip,
        )
        for object_id, individual_id in items
    )
