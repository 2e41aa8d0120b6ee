"""A provider that changes the state on the way back, for users in the group "quirk-state": what
an attacker who swaps the answer (or forges a callback) would send Lotsa."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.http import HttpRequest, HttpResponse


class TamperedStateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        location = response.get("Location", "")
        user = request.user
        # Only the answer to the client (not the provider's own redirects, which carry the
        # authorization request on to its authorize page).
        if (
            "state=" in location
            and not location.startswith("/")
            and user.is_authenticated
            and user.groups.filter(name="quirk-state").exists()
        ):
            parts = urlsplit(location)
            query = dict(parse_qsl(parts.query))
            query["state"] = query["state"][::-1]
            response["Location"] = parts._replace(query=urlencode(query)).geturl()
        return response
