"""Project-level views that belong to no domain app."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_deny
from django.views.decorators.http import require_GET

from config.celery import app as celery_app
from core.soft_cache import CACHE_ERRORS

BROKER_TIMEOUT_SECONDS = 2


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "not reachable"; the type is reported
        return f"error: {type(exc).__name__}"
    return "ok"


def _broker_status() -> str:
    if not settings.LOTSA_BROKER_CONFIGURED:
        return "in-process"
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu raises many types for an unreachable broker
        return f"error: {type(exc).__name__}"
    return "ok"


def _cache_status() -> str:
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        return "in-process"
    try:
        caches["default"].get("healthz")
    except CACHE_ERRORS as exc:
        return f"error: {type(exc).__name__}"
    return "ok"


@never_cache
@xframe_options_deny
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Reachability of the database, the broker and the cache, for load balancers, the compose
    health check and monitoring.

    200 while the database answers: Lotsa works without the broker and the cache (tasks wait in
    the database, caches are bypassed), so a load balancer must not take it out of service for
    them; their failure shows as "degraded". 503 when the database does not answer.
    Open to anyone (a load balancer has no account); it reveals no data, only "ok" or an
    exception's type name. Answered before Django's host check (config/middleware.py).
    """
    checks = {
        "database": _database_status(),
        "broker": _broker_status(),
        "cache": _cache_status(),
    }
    if checks["database"].startswith("error"):
        status = "unavailable"
    elif any(value.startswith("error") for value in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {"status": status, "checks": checks}, status=503 if status == "unavailable" else 200
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted with a missing or stale CSRF token: explain, in the user's language."""
    return render(request, "403_csrf.html", status=403)
