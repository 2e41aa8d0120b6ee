"""Security headers on every response, the sign-in rate limit, and a busy database's 409.

Django's SecurityMiddleware sets HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy,
and XFrameOptionsMiddleware sets X-Frame-Options; this adds what Django 5.2 does not have: the
Content-Security-Policy (no inline script, no inline style, nothing from another origin),
Permissions-Policy, Cross-Origin-Resource-Policy, and `no-store` on every page so that personal
data does not stay in the browser's cache (a shared computer, the back button after signing out).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

from config.forms import is_htmx
from hardening.ratelimit import client_address, rate_limit_hit, rate_limited_response

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


class LoginRateLimitMiddleware:
    """At most LOTSA_LOGIN_RATE_LIMIT sign-in attempts a minute from one address.

    django-axes locks a user name after repeated failures from an address; this also stops one
    address from trying one password on many user names (password spraying). It applies to POSTs
    to the views named in LOTSA_LOGIN_RATE_LIMIT_VIEWS, so a later sign-in step (a one-time
    code) is added there by name, without touching its view.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        limit = settings.LOTSA_LOGIN_RATE_LIMIT
        match = request.resolver_match
        if (
            request.method != "POST"
            or not limit
            or match is None
            or match.view_name not in settings.LOTSA_LOGIN_RATE_LIMIT_VIEWS
        ):
            return None
        retry_after = rate_limit_hit(
            scope="login", identity=client_address(request), limit=limit, window=60
        )
        if retry_after is None:
            return None
        return rate_limited_response(request, retry_after=retry_after, scope="login")


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
        template = "hardening/_busy.html" if is_htmx(request) else "hardening/busy.html"
        response = render(request, template, status=409)
        response["X-Lotsa-Explained"] = "1"
        response["Retry-After"] = "5"
        return response


def is_database_busy(error: OperationalError) -> bool:
    return "database is locked" in str(error) or "database table is locked" in str(error)
