"""What bench.queries and bench.profile share: one signed-in request to a page, run in-process
(Django's test client, bench/settings.py), and the time each of its SQL queries took."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def signed_in(username: str = "") -> tuple[Any, str]:
    """A test client signed in as `username`, or as the coordinator with the most cases, and
    the user name."""
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from casework.models import Case

    if username:
        user = User.objects.get(username=username)
    else:
        busiest = (
            Case.objects.values("coordinator")
            .annotate(n=Count("pk"))
            .order_by("-n")
            .values_list("coordinator", flat=True)
            .first()
        )
        if busiest is None:
            raise SystemExit(
                "no cases: generate the benchmark data first (python -m bench.generate)"
            )
        user = User.objects.get(pk=busiest)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client, user.username


def page_request(
    client: Any, path: str, post: list[str], *, htmx: bool = False
) -> Callable[[], Any]:
    """The request, ready to send again and again: a POST when `post` has name=value pairs."""
    headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    data = dict(item.split("=", 1) for item in post)

    def send() -> Any:
        if data:
            return client.post(path, data, **headers)
        return client.get(path, **headers)

    return send


@contextmanager
def timed_sql() -> Iterator[list[tuple[float, str, Any]]]:
    """Inside the block, every query's (seconds, sql, params) is appended to the list."""
    from django.db import connection

    timings: list[tuple[float, str, Any]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((time.perf_counter() - started, sql, params))

    with connection.execute_wrapper(timer):
        yield timings
