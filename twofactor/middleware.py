"""The gate of the second step: a signed-in user who must pass it reaches nothing else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from core.forms import is_htmx
from twofactor.selectors import has_confirmed_device
from twofactor.signin import is_verified, second_step_needed

# What a user who has signed in with their password but not yet passed the second step may
# open: the second step itself (and an enrolment link), signing out, the language switch and the health check. Static
# files never get here (WhiteNoise serves them first).
OPEN_VIEWS = frozenset(
    {
        "twofactor:verify",
        "twofactor:enrol",
        "twofactor:enrol_link",
        "accounts:logout",
        "set_language",
        "healthz",
    }
)


class SecondStepMiddleware:
    """Send a signed-in user who has not passed the second step in this session to it: to the
    code form if they have an app, to the enrolment page if not. htmx requests get an
    HX-Redirect, so the whole page goes there instead of a fragment being swapped in.

    Runs in process_view, where the URL is resolved, so a view is exempt by its name.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_VIEWS:
            return None
        if is_verified(request) or not second_step_needed(request):
            return None
        return redirect_to_second_step(request)


def redirect_to_second_step(request: HttpRequest) -> HttpResponse:
    enrolled = has_confirmed_device(request.user)  # type: ignore[arg-type]  # signed in
    target = reverse("twofactor:verify" if enrolled else "twofactor:enrol")
    if is_htmx(request):
        # Back to the page the fragment belonged to, not to the fragment.
        back = request.htmx.current_url_abs_path  # type: ignore[attr-defined]  # HtmxMiddleware
        if back:
            target += "?" + urlencode({"next": back})
        return HttpResponseClientRedirect(target)
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    return redirect(target)
