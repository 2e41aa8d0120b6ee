"""Security headers on every response, and the sign-in rate limit.

Django's SecurityMiddleware sets HSTS, nosniff, Referrer-Policy and Cross-Origin-Opener-Policy,
and XFrameOptionsMiddleware sets X-Frame-Options; this adds what Django 5.2 does not have: the
Content-Security-Policy (no inline script, no inline style, nothing from another origin),
Permissions-Policy, Cross-Origin-Resource-Policy, and `no-store` on every page so that personal
data does not stay in the browser's cache (a shared computer, the back button after signing out).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from hardening.ratelimit import client_address, rate_limit_hit, rate_limited_response


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
