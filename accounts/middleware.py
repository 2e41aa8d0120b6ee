"""Sign out a user who has been idle too long; limit sign-in attempts per address."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.ratelimit import client_address, rate_limit_hit, rate_limited_response

SESSION_KEY = "lotsa_last_activity"
# Record activity at most this often: saves a session write on most requests, and costs the
# timeout at most this much precision.
RECORD_EVERY_SECONDS = 60


class IdleTimeoutMiddleware:
    """Compare the time of the previous request with now; sign out after too long a pause.

    The session cookie's own expiry is only a backstop: it lives in the browser, while this
    check runs on the server for every request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            last = request.session.get(SESSION_KEY)
            timeout = settings.LOTSA_SESSION_IDLE_TIMEOUT.total_seconds()
            if last is not None and now - float(last) > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": int(timeout // 60)},
                )
            elif last is None or now - float(last) > RECORD_EVERY_SECONDS:
                request.session[SESSION_KEY] = now
        return self.get_response(request)


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
