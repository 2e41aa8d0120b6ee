"""Show the SQL of one page, slowest first, with EXPLAIN ANALYZE of the slowest.

    .venv/bin/python -m bench.queries /cases/?status=open
    .venv/bin/python -m bench.queries /cases/ --post q=Popescu --explain 2
    .venv/bin/python -m bench.queries "/reports/annual/?year=2024" --user bench-manager-01

Runs the request in-process (Django's test client, bench/settings.py, signed in with
force_login) against the benchmark database; a tool for finding what to index.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("path")
    parser.add_argument("--user", default="bench-coordinator-01")
    parser.add_argument("--post", action="append", default=[], help="name=value (a POST)")
    parser.add_argument("--explain", type=int, default=1, help="EXPLAIN ANALYZE the N slowest")
    parser.add_argument("--repeat", type=int, default=2, help="requests (the last is shown)")
    args = parser.parse_args(argv)

    import django

    django.setup()
    from django.db import connection

    from bench.inprocess import page_request, signed_in, timed_sql

    client, _username = signed_in(args.user)
    send = page_request(client, args.path, args.post)
    for _ in range(args.repeat):
        started = time.perf_counter()
        with timed_sql() as timings:
            response = send()
        elapsed = time.perf_counter() - started
    status = response.status_code
    print(
        f"HTTP {status}, {elapsed * 1000:.0f} ms, {len(timings)} queries, "
        f"{sum(t for t, _s, _p in timings) * 1000:.0f} ms in SQL"
    )
    ranked = [
        (seconds, connection.ops.compose_sql(sql, params) if params else sql)  # type: ignore[attr-defined]
        for seconds, sql, params in sorted(timings, key=lambda item: -item[0])
    ]
    for seconds, sql in ranked[:10]:
        print(f"{seconds * 1000:8.1f} ms  {sql[:300]}")
    with connection.cursor() as cursor:
        for _seconds, sql in ranked[: args.explain]:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print("\n" + sql + "\n" + "\n".join(row[0] for row in cursor.fetchall()))


if __name__ == "__main__":
    main()
