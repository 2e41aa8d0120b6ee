"""Security headers on every response, and a busy database's 409.

Django's SecurityMiddleware sets HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy,
and XFrameOptionsMiddleware sets X-Frame-Options; this adds what Django 5.2 does not have: the
Content-Security-Policy (no inline script, no inline style, nothing from another origin),
Permissions-Policy, Cross-Origin-Resource-Policy, and `no-store` on every page so that personal
data does not stay in the browser's cache (a shared computer, the back button after signing out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from core.forms import is_htmx

logger = logging.getLogger(__name__)


class SecurityHeadersMiddleware:
    """Adds the headers a view has not set itself. Place it right after SecurityMiddleware, so
    that it also covers the static files WhiteNoise serves (they keep their own caching)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", settings.LOTSA_CONTENT_SECURITY_POLICY)
        response.setdefault("Permissions-Policy", settings.LOTSA_PERMISSIONS_POLICY)
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not response.has_header("Cache-Control"):
            # Pages show personal data: never kept by the browser or a proxy.
            add_never_cache_headers(response)
        return response


class DatabaseBusyMiddleware:
    """A database still locked after waiting (SQLite's "database is locked", after the
    connection's timeout) is a conflict with someone else's work at the same moment, not a
    server error: 409 with a page that says to try again, nothing saved (the view's transaction
    was rolled back). PostgreSQL waits on row locks instead and never raises this."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, OperationalError) and is_database_busy(exception)):
            return None
        logger.warning("database busy: %s %s answered 409", request.method, request.path)
        session = getattr(request, "session", None)
        if session is not None:
            # Saving the session (its activity stamp) would wait for the same lock and fail.
            session.modified = False
        template = "core/_busy.html" if is_htmx(request) else "core/busy.html"
        response = render(request, template, status=409)
        response["X-Lotsa-Explained"] = "1"
        response["Retry-After"] = "5"
        return response


def is_database_busy(error: OperationalError) -> bool:
    return "database is locked" in str(error) or "database table is locked" in str(error)
