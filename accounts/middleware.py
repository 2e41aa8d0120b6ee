"""Sign out a user who has been idle for longer than the configured timeout."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

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
