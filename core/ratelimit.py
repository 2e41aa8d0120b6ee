"""A small rate limiter on the Django cache (Redis in production: shared by every process).

Counts events per scope and identity (a user, an address) in fixed windows: the first event of
a window creates its counter (`add`, atomic), each event increments it (`incr`, atomic on Redis
and on the local-memory cache), and the counter expires with its window. Over the limit the
caller answers 429 with a page that says, in the user's language, how long to wait. A cache
that cannot be reached fails soft: see rate_limit_hit.
"""

from __future__ import annotations

import ipaddress
import math
import time
from typing import Any

from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import soft_cache
from core.forms import is_htmx

WINDOW_SECONDS = 60


def rate_limit_hit(*, scope: str, identity: str, limit: int, window: int) -> int | None:
    """Count one event; None while within `limit` per `window` seconds, else the seconds until
    the window ends (for Retry-After).

    With the shared cache unreachable (core/soft_cache.py), the process counts in its own
    memory: each web process then allows `limit` on its own, until the cache answers again.
    """
    now = time.time()
    index = int(now // window)
    key = f"ratelimit:{scope}:{identity}:{index}"
    count = soft_cache.call(
        settings.LOTSA_RATE_LIMIT_CACHE,
        lambda cache: _count(cache, key, window),
        lambda: _count(_LOCAL_COUNTERS, key, window),
    )
    if count <= limit:
        return None
    return max(1, math.ceil((index + 1) * window - now))


# The fallback while the shared cache is unreachable: this process's own counters.
_LOCAL_COUNTERS = LocMemCache("lotsa-rate-limit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})


def _count(cache: Any, key: str, window: int) -> int:
    cache.add(key, 0, timeout=window + 5)
    try:
        count: int = cache.incr(key)
    except ValueError:  # the counter was evicted between add() and incr(): start again
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count


def client_address(request: HttpRequest) -> str:
    """The client's address as a key for the limits ("unknown" when there is none)."""
    return client_ip(request) or "unknown"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or, behind LOTSA_PROXY_COUNT proxies of our own, the
    address the outermost of them saw. That is counted from the right of X-Forwarded-For, where
    each proxy appends what it saw: a client can write anything to the left, nothing there.

    django-axes resolves addresses with this too (AXES_CLIENT_IP_CALLABLE), so its lockouts and
    these limits agree; without a proxy count every client behind a proxy would be one address.
    """
    remote = str(request.META.get("REMOTE_ADDR", ""))
    count: int = settings.LOTSA_PROXY_COUNT
    if count:
        header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= count and _is_address(forwarded[-count]):
            return forwarded[-count]
    return remote if _is_address(remote) else None


def _is_address(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def rate_limited_response(request: HttpRequest, *, retry_after: int, scope: str) -> HttpResponse:
    """429 in the user's language: a partial for htmx (shown where the results would go)."""
    template = "core/_rate_limited.html" if is_htmx(request) else "core/rate_limited.html"
    response = render(request, template, {"retry_after": retry_after, "scope": scope}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def search_rate_limit(request: HttpRequest) -> HttpResponse | None:
    """Count a free-text search by the signed-in user: None while allowed, else the 429 page.

    Searching by name is how someone would trawl the register; LOTSA_SEARCH_RATE_LIMIT searches
    a minute is far above what a person types.
    """
    limit = settings.LOTSA_SEARCH_RATE_LIMIT
    if not limit:
        return None
    identity = str(getattr(request.user, "pk", None) or client_address(request))
    retry_after = rate_limit_hit(
        scope="search", identity=identity, limit=limit, window=WINDOW_SECONDS
    )
    if retry_after is None:
        return None
    return rate_limited_response(request, retry_after=retry_after, scope="search")
