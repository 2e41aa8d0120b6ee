"""/healthz, answered before anything reads the request's host.

The compose health check (and a load balancer) asks `http://127.0.0.1:8000/healthz`, a host
name that is not, and should not be, in ALLOWED_HOSTS: Django refused it (400, DisallowedHost)
and `web` was never healthy. This middleware, placed before anything that reads the host (after
SecurityMiddleware, whose HTTPS redirect exempts /healthz, the security headers and WhiteNoise),
answers that one path itself, whatever the Host header; the answer uses no host name (no link, no redirect) and holds no data.
Every other path goes on to Django's host validation unchanged.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from config.views import healthz

HEALTH_PATH = "/healthz"


class HealthCheckMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Other methods go on (a POST without a CSRF token is refused like anywhere else).
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
