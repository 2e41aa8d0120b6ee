"""Where one page's time goes, in one process: wall time, SQL time and (optionally) a profile.

    .venv/bin/python -m bench.profile /cases/?status=open --repeat 30 [--profile 25] [--post q=…]

Signs in as the benchmark's busiest coordinator (or --user), warms the page up, then requests it
--repeat times through Django's test client (with start-up's objects frozen out of the garbage
collector, as in a gunicorn worker) and prints the median and minimum wall time, the SQL
time and the number of queries. With --profile N it also prints the N functions with the most
cumulative time (cProfile). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django

from config.process import settle


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--user", default="", help="user name (default: the busiest coordinator)")
    parser.add_argument("--post", action="append", default=[], help="name=value (makes a POST)")
    parser.add_argument("--htmx", action="store_true")
    parser.add_argument("--profile", type=int, default=0, help="print the N costliest functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument(
        "--callers", default="", help="also print the callers of functions matching this"
    )
    parser.add_argument(
        "--callees", default="", help="also print what functions matching this call"
    )
    args = parser.parse_args(argv)

    django.setup()
    from bench.inprocess import page_request, signed_in, timed_sql

    client, username = signed_in(args.user)
    send = page_request(client, args.path, args.post, htmx=args.htmx)

    def request() -> int:
        response = send()
        if response.status_code != 200:
            raise SystemExit(f"{args.path}: HTTP {response.status_code}")
        return len(response.content)

    for _ in range(3):
        size = request()
    settle()  # as a gunicorn worker does once started (config/wsgi.py)
    walls, cpus, sql_times, counts = [], [], [], []
    for _ in range(args.repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        with timed_sql() as timings:
            request()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu_started) * 1000)
        sql_times.append(sum(seconds for seconds, _sql, _params in timings) * 1000)
        counts.append(len(timings))
    print(
        f"{args.path} as {username}: {size:,} bytes; wall median {statistics.median(walls):.1f} ms"
        f" (min {min(walls):.1f}); this process's CPU median {statistics.median(cpus):.1f} ms;"
        f" SQL median {statistics.median(sql_times):.1f} ms"
        f" in {statistics.median(counts):.0f} queries"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            request()
        profiler.disable()
        stats = pstats.Stats(profiler).sort_stats(args.sort)
        stats.print_stats(args.profile)
        if args.callers:
            stats.print_callers(args.callers)
        if args.callees:
            stats.print_callees(args.callees)


if __name__ == "__main__":
    main()
