"""Where one page's time goes, in one process: wall time, SQL time and (optionally) a profile.

    PYTHONPATH=. DJANGO_SETTINGS_MODULE=bench.settings \
        .venv/bin/python -m bench.profile /cases/?status=open --repeat 30 [--profile 25] [--post q=…]

Signs in as the benchmark's busiest coordinator (or --user), warms the page up, then requests it
--repeat times through Django's test client and prints the median and minimum wall time, the SQL
time and the number of queries. With --profile N it also prints the N functions with the most
cumulative time (cProfile). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time
from typing import Any

import django


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--user", default="", help="user name (default: the busiest coordinator)")
    parser.add_argument("--post", action="append", default=[], help="name=value (makes a POST)")
    parser.add_argument("--htmx", action="store_true")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    args = parser.parse_args(argv)

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from accounts.models import User
    from casework.models import Case

    if args.user:
        user = User.objects.get(username=args.user)
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
    headers: dict[str, Any] = {"HTTP_HX_REQUEST": "true"} if args.htmx else {}
    data = dict(item.split("=", 1) for item in args.post)

    def request() -> int:
        if data:
            response = client.post(args.path, data, **headers)
        else:
            response = client.get(args.path, **headers)
        if response.status_code != 200:
            raise SystemExit(f"{args.path}: HTTP {response.status_code}")
        return len(response.content)

    for _ in range(3):
        size = request()
    walls, sql_times, counts = [], [], []
    timings: list[float] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append(time.perf_counter() - started)

    for _ in range(args.repeat):
        timings.clear()
        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            request()
        walls.append((time.perf_counter() - started) * 1000)
        sql_times.append(sum(timings) * 1000)
        counts.append(len(timings))
    print(
        f"{args.path} as {user.username}: {size:,} bytes; wall median {statistics.median(walls):.1f} ms"
        f" (min {min(walls):.1f}); SQL median {statistics.median(sql_times):.1f} ms"
        f" in {statistics.median(counts):.0f} queries"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            request()
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.profile)


if __name__ == "__main__":
    main()
