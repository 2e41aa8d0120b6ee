"""Load test: ten signed-in users against a running Lotsa (gunicorn, bench/settings.py).

    .venv/bin/python -m bench.load --base-url http://127.0.0.1:8077 --requests 200 \
        --output bench/results/after.json

For each page in turn (the floor first), `--users` threads (each its own session: coordinators,
or managers for the report pages) send a warm-up, then `--requests` requests in all, as fast as
the server answers. Reported per page: p50/p95/p99 latency (ms), requests/second, SQL queries
per request (the X-Bench-Queries header of bench/middleware.py: median and max), and the ratio
of the page's p95 to the floor's p95: to the floor measured first, and to the floor measured
right before and right after the page (the mean of the two p95s; half of `--requests` each).
The target is judged on the second: on a shared machine whose speed drifts, the floor at the
start of a three-minute run says little about the machine while a page ran (seen: the floor's
p95 at 77 ms in one run and 150 ms in the next, minutes apart). The yearly PDF is one export (POST, generated in the
request without a broker) plus its download, timed together.

Then the background work (`JOB_NAMES`: the case list's CSV of every case, the registerutdrag of
the person with the most access-log rows as PDF and JSON, a retention proposal, the annual
report's PDF by `--users` managers at once), `--job-runs` times each (the report:
`--pdf-requests`): started by the form the browser posts, its progress page followed as its
htmx polls it (every POLL_SECONDS here), then the file downloaded or the result page read.
Reported per run: the time to finish (the POST to the last byte of the file), the status codes,
the file's size and the polling requests' own p95. Made by a Celery worker when the server has
a broker (bench/run.sh's BENCH_BROKER), else in the request that starts it.

Only the standard library (http.client, threads): no extra dependency. Reads the database (with
bench/settings.py) only to choose what to ask for: case ids, search terms, the person with the
most access-log rows, the pages of the retention proposal.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from django.utils import timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

from bench.generate import BENCH_PASSWORD

T = TypeVar("T")

TARGET_P95_MS = 300.0
TARGET_RATIO = 3.0
TARGET_PDF_MS = 5000.0


class Session:
    """One user's cookies over one keep-alive connection."""

    def __init__(self, base_url: str) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def request(
        self,
        method: str,
        path: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes, float]:
        body = None
        all_headers = {"Host": f"{self.host}:{self.port}", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if data is not None:
            data = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data}
            body = urllib.parse.urlencode(data)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt:
                    raise
        elapsed = time.perf_counter() - started
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, content, elapsed

    def login(self, username: str) -> None:
        self.request("GET", "/accounts/login/")
        status, _headers, _body, _t = self.request(
            "POST", "/accounts/login/", {"username": username, "password": BENCH_PASSWORD}
        )
        if status != 302:
            raise SystemExit(f"sign-in of {username} failed: HTTP {status}")


@dataclass
class Result:
    latency_ms: float
    queries: int
    status: int


@dataclass
class Page:
    name: str
    description: str
    role: str  # "coordinator" or "manager"
    run: Callable[[Session, random.Random], Result]
    requests: int | None = None  # None: --requests
    # Paths asked for once before the warm-up, so that no cache the page fills (a year's
    # figures) is left cold for the timed requests by the warm-up's random choices.
    warm_paths: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    wall_s: float = 0.0


def _queries(headers: http.client.HTTPMessage) -> int:
    return int(headers.get("X-Bench-Queries", "-1"))


def simple_get(
    path_for: Callable[[random.Random], str], *, htmx: bool = False
) -> Callable[[Session, random.Random], Result]:
    def run(session: Session, rng: random.Random) -> Result:
        headers = {"HX-Request": "true"} if htmx else None
        status, response_headers, _body, elapsed = session.request(
            "GET", path_for(rng), headers=headers
        )
        return Result(elapsed * 1000, _queries(response_headers), status)

    return run


def targets(*, family_names: bool = True) -> dict[str, Any]:
    """Case ids, search terms and years, from the benchmark database. Without `family_names`
    the search mix leaves out its quarter of family names (each shared by about 2,300 people):
    an experiment that shows what those searches cost, not the benchmark."""
    import django

    django.setup()
    from casework.models import Case, Individual

    rng = random.Random(7)
    max_case = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 1
    case_ids = [rng.randint(1, max_case) for _ in range(400)]
    # And the 20 newest cases. (Meant as "the longest journals", but the generator gives every
    # 500th case a long journal, not the newest: these have one or two entries. Kept as it is so
    # that runs stay comparable; bench/RESULTS.md gives the long journals' cost in-process.)
    case_ids += list(Case.objects.order_by("-pk").values_list("pk", flat=True)[:20])
    numbers = list(Case.objects.filter(pk__in=case_ids[:50]).values_list("number", flat=True))
    people = list(
        Individual.objects.filter(
            pk__in=[rng.randint(1, max_case // 2) for _ in range(100)]
        ).values_list("reference", "family_name", "alias")
    )
    terms = numbers[:20] + [ref for ref, _f, _a in people[:20]]
    if family_names:
        terms += [f for _r, f, _a in people if f][:20]
    terms += [a for _r, _f, a in people if a][:20]
    this_year = timezone.localdate().year
    return {
        "case_ids": case_ids,
        "terms": terms,
        "years": list(range(this_year - 6, this_year)),
        "closed_years": list(range(this_year - 6, this_year)),
        "coordinator_count": 20,
    }


def pages(t: dict[str, Any], pdf_requests: int) -> list[Page]:
    years = t["years"]

    def case_list_filtered(rng: random.Random) -> str:
        query = rng.choice(
            [
                {"status": "open"},
                {"status": "open", "mine": "on"},
                {"status": "closed", "category": "adult", "year": str(rng.choice(years))},
                {"status": "", "purpose": "labour", "sort": "-opened_on"},
                {"status": "closed", "coordinator": "", "sort": "-activity", "page": "3"},
            ]
        )
        return "/cases/?" + urllib.parse.urlencode(query)

    def case_list_search(headers: dict[str, str]) -> Callable[[Session, random.Random], Result]:
        def run(session: Session, rng: random.Random) -> Result:
            status, answered, _b, elapsed = session.request(
                "POST", "/cases/", {"q": rng.choice(t["terms"]), "status": ""}, headers=headers
            )
            return Result(elapsed * 1000, _queries(answered), status)

        return run

    def report_pdf(session: Session, rng: random.Random) -> Result:
        year = rng.choice(t["closed_years"])
        status, headers, _b, first = session.request(
            "POST",
            "/reports/annual/export/",
            {"year": str(year), "as_of": timezone.localdate().isoformat(), "format": "pdf"},
        )
        location = headers.get("Location", "")
        match = re.search(r"/reports/exports/(\d+)/", location)
        if status != 302 or not match:
            return Result(first * 1000, _queries(headers), status)
        if not _DOWNLOAD_PATH.search(location):
            # Queued (a server with a broker): waited for as its page does, and timed so.
            started = time.perf_counter() - first
            _result, error = follow_progress(session, location, started + 900, _Followed())
            if error:
                return Result((time.perf_counter() - started) * 1000, _queries(headers), 599)
            first = time.perf_counter() - started
        status2, headers2, body, second = session.request(
            "GET", f"/reports/exports/{match.group(1)}/download/"
        )
        if not body.startswith(b"%PDF"):
            status2 = 599
        return Result((first + second) * 1000, _queries(headers) + _queries(headers2), status2)

    return [
        Page(
            "floor",
            "base template only (bench/urls.py)",
            "coordinator",
            simple_get(lambda r: "/bench/floor/"),
        ),
        Page(
            "case_list_filtered",
            "GET /cases/ with filters (5 combinations)",
            "coordinator",
            simple_get(case_list_filtered),
        ),
        Page(
            "case_list_search",
            "POST /cases/ search (number, reference, name, alias)",
            "coordinator",
            case_list_search({}),
        ),
        Page(
            "case_list_search_htmx",
            "POST /cases/ search as the page sends it (htmx: the table only)",
            "coordinator",
            # What the page sends while a name is typed, or the form is submitted with
            # JavaScript on (casework/case_list.html): the same search, the table only.
            case_list_search({"HX-Request": "true", "HX-Target": "case-table"}),
        ),
        Page(
            "case_page",
            "GET /cases/<id>/ (random cases)",
            "coordinator",
            simple_get(lambda r: f"/cases/{r.choice(t['case_ids'])}/"),
        ),
        Page(
            "deadline_board",
            "GET /reflection-period/deadlines/ (mine / unit)",
            "coordinator",
            simple_get(
                lambda r: r.choice(
                    ["/reflection-period/deadlines/", "/reflection-period/deadlines/?scope=unit"]
                )
            ),
        ),
        Page(
            "referral_inbox",
            "GET /outreach/referrals/ (coordinator's inbox)",
            "coordinator",
            simple_get(lambda r: "/outreach/referrals/"),
        ),
        Page(
            "capacity_mix",
            "case list (filtered) / case page / deadline board, one at random per request",
            "coordinator",
            simple_get(
                lambda r: r.choice(
                    [
                        case_list_filtered(r),
                        f"/cases/{r.choice(t['case_ids'])}/",
                        "/reflection-period/deadlines/",
                    ]
                )
            ),
        ),
        Page(
            "report_page",
            "GET /reports/annual/?year=<past year>",
            "manager",
            simple_get(lambda r: f"/reports/annual/?year={r.choice(years)}"),
            warm_paths=[f"/reports/annual/?year={year}" for year in years],
        ),
        Page(
            "national_report",
            "GET /reports/national/?year=<past year> (the national figures, NSPM)",
            "manager",
            simple_get(lambda r: f"/reports/national/?year={r.choice(years)}"),
            warm_paths=[f"/reports/national/?year={year}" for year in years],
        ),
        Page(
            "report_pdf",
            "POST export (PDF; made in the request, or queued with a broker) + download",
            "manager",
            report_pdf,
            requests=pdf_requests,
        ),
    ]


# --- Lists a user opens, start pages and pages right after a write (issue 26) -------------------


def write_targets() -> dict[str, Any]:
    """What the pages with writes need from the benchmark database: each coordinator's open
    cases (a journal entry is added to one of the writer's own), the outreach staff and the
    districts (a contact is logged with them)."""
    import django

    django.setup()
    from accounts.models import User
    from casework.models import Case
    from outreach.models import District

    users = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
    open_cases: dict[str, list[int]] = {}
    for username, pk in users.items():
        if username.startswith("bench-coordinator-"):
            open_cases[username] = list(
                Case.objects.filter(coordinator_id=pk, closed_on__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:50]
            )
    return {
        "users": users,
        "open_cases": open_cases,
        "districts": list(District.objects.values_list("pk", flat=True)),
    }


class WritingSession(Session):
    """A user's session with a colleague's beside it, who writes (a journal entry, a contact)
    right before each of the user's requests: the page is measured right after a write."""

    def __init__(self, base_url: str, username: str, writers: list[str], w: dict[str, Any]):
        super().__init__(base_url)
        self.login(username)
        self.username = username
        self.writers: list[tuple[str, Session]] = []
        for writer in writers:
            session = Session(base_url)
            session.login(writer)
            self.writers.append((writer, session))
        self.w = w

    def write(self, rng: random.Random) -> Result:
        """One write by a colleague (or the user): the POST, timed (its redirect not followed)."""
        username, session = rng.choice(self.writers)
        if username.startswith("bench-coordinator-"):
            case = rng.choice(self.w["open_cases"][username])
            path = f"/cases/{case}/journal/new/"
            data = {
                "entry_date": timezone.localdate().isoformat(),
                "kind": "phone",
                "text": "Telefonsamtal, uppföljning (benchmark).",
                "sign": "1",
            }
        else:
            path = "/outreach/contacts/new/"
            data = {
                "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "environment": "street",
                "district": str(rng.choice(self.w["districts"])),
                "staff": str(self.w["users"][username]),
                "sex": "female",
                "age_group": "18_25",
                "consent": "not_asked",
            }
        status, headers, _b, elapsed = session.request("POST", path, data)
        if status != 302:
            raise SystemExit(f"write by {username} to {path} failed: HTTP {status}")
        return Result(elapsed * 1000, _queries(headers), status)


def issue26_sessions(base_url: str, users: int, w: dict[str, Any]) -> dict[str, list[Session]]:
    """Sessions of the roles the pages below need: outreach workers; managers and coordinators
    each with writers beside them (coordinators adding journal entries, outreach staff logging
    contacts)."""
    sessions: dict[str, list[Session]] = {
        "outreach": [],
        "manager_after_write": [],
        "coordinator_writing": [],
    }
    for i in range(users):
        outreach = Session(base_url)
        outreach.login(f"bench-outreach-{i % 15 + 1:02d}")
        sessions["outreach"].append(outreach)
        coordinator = f"bench-coordinator-{i % 20 + 1:02d}"
        writers = [coordinator, f"bench-outreach-{i % 15 + 1:02d}"]
        sessions["manager_after_write"].append(
            WritingSession(base_url, f"bench-manager-{i % 3 + 1:02d}", writers, w)
        )
        sessions["coordinator_writing"].append(
            WritingSession(base_url, coordinator, [coordinator], w)
        )
    return sessions


def issue26_pages(t: dict[str, Any]) -> list[Page]:
    years = t["years"]

    def contact_list(rng: random.Random) -> str:
        query = rng.choice(
            [
                {},
                {"page": "2"},
                {"page": "10"},
                {"year": str(rng.choice(years))},
                {"environment": "street"},
            ]
        )
        return "/outreach/contacts/" + ("?" + urllib.parse.urlencode(query) if query else "")

    def after_write(path: str) -> Callable[[Session, random.Random], Result]:
        def run(session: Session, rng: random.Random) -> Result:
            cast(WritingSession, session).write(rng)
            status, headers, _body, elapsed = session.request("GET", path)
            return Result(elapsed * 1000, _queries(headers), status)

        return run

    def coordinator_mix(session: Session, rng: random.Random) -> Result:
        # One request in five adds a journal entry (the POST, timed; the case page it sends
        # the coordinator to is the case page above); the rest read.
        if rng.random() < 0.2:
            return cast(WritingSession, session).write(rng)
        path = rng.choice(
            [
                "/accounts/start/coordinator/",
                f"/cases/{rng.choice(t['case_ids'])}/",
                "/reflection-period/deadlines/",
                "/cases/?status=open&mine=on",
            ]
        )
        status, headers, _b, elapsed = session.request("GET", path)
        return Result(elapsed * 1000, _queries(headers), status)

    return [
        Page(
            "outreach_contacts",
            "GET /outreach/contacts/ (an outreach worker's own; pages 1, 2, 10, a year, a place)",
            "outreach",
            simple_get(contact_list),
        ),
        Page(
            "start_coordinator",
            "GET /accounts/start/coordinator/",
            "coordinator",
            simple_get(lambda r: "/accounts/start/coordinator/"),
        ),
        Page(
            "start_manager",
            "GET /accounts/start/manager/",
            "manager",
            simple_get(lambda r: "/accounts/start/manager/"),
        ),
        Page(
            "start_manager_after_write",
            "GET /accounts/start/manager/, each right after a journal entry or a contact",
            "manager_after_write",
            after_write("/accounts/start/manager/"),
        ),
        Page(
            "coordinator_writing",
            "coordinators: start page, case, board, my cases; one in five adds a journal entry",
            "coordinator_writing",
            coordinator_mix,
        ),
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = fraction * (len(ordered) - 1)
    lower, upper = int(position), min(int(position) + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


THINK_SECONDS = 0.0  # --think: each user's pause between two requests (mean, uniform 0..2x)


def run_at_once(
    count: int, users: int, one: Callable[[int], T], warm: Callable[[int], None] | None = None
) -> tuple[list[T], float]:
    """`count` calls of `one(user)` shared among `users` threads that start together (each
    first runs `warm(user)`, untimed); the results, and the seconds until the last ended."""
    remaining = [count]
    lock = threading.Lock()
    results: list[T] = []

    def worker(user: int) -> None:
        if warm is not None:
            warm(user)
        barrier.wait()
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            result = one(user)
            with lock:
                results.append(result)

    barrier = threading.Barrier(users + 1)
    threads = [threading.Thread(target=worker, args=(user,)) for user in range(users)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def run_page(page: Page, sessions: list[Session], n: int, warmup: int) -> None:
    # A seed of the page's name that every run shares (str's hash() changes per process).
    seed = zlib.crc32(page.name.encode()) % 1000
    rngs = [random.Random(index * 1000 + seed) for index in range(len(sessions))]
    for path in page.warm_paths:
        sessions[0].request("GET", path)

    def warm(user: int) -> None:
        for _ in range(warmup):
            page.run(sessions[user], rngs[user])

    def one(user: int) -> Result:
        result = page.run(sessions[user], rngs[user])
        if THINK_SECONDS:
            time.sleep(rngs[user].uniform(0, 2 * THINK_SECONDS))
        return result

    page.results, page.wall_s = run_at_once(n, len(sessions), one, warm)


def summarise(
    page: Page, floor_p95: float | None, adjacent_floor_p95: float | None = None
) -> dict[str, Any]:
    latencies = [r.latency_ms for r in page.results]
    queries = [r.queries for r in page.results]
    errors = sum(1 for r in page.results if r.status >= 400)
    p95 = percentile(latencies, 0.95)
    ratio = p95 / floor_p95 if floor_p95 else 1.0
    adjacent_ratio = p95 / adjacent_floor_p95 if adjacent_floor_p95 else ratio
    if page.name == "report_pdf":
        met = p95 <= TARGET_PDF_MS
    elif page.name == "floor":
        met = p95 <= TARGET_P95_MS
    else:
        met = p95 <= TARGET_P95_MS and adjacent_ratio <= TARGET_RATIO
    return {
        "page": page.name,
        "description": page.description,
        "requests": len(page.results),
        "errors": errors,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "rps": round(len(page.results) / page.wall_s, 1) if page.wall_s else 0,
        "queries_median": statistics.median(queries) if queries else 0,
        "queries_max": max(queries) if queries else 0,
        "ratio_to_floor_p95": round(ratio, 2),
        "adjacent_floor_p95_ms": round(adjacent_floor_p95, 1) if adjacent_floor_p95 else None,
        "ratio_to_adjacent_floor_p95": round(adjacent_ratio, 2),
        "target_met": met and errors == 0,
    }


def machine() -> dict[str, Any]:
    def sh(*cmd: str) -> str:
        try:
            return subprocess.run(
                cmd, capture_output=True, text=True, timeout=10, check=False
            ).stdout.strip()
        except OSError:
            return ""

    mem = sh("sh", "-c", "free -h | awk '/Mem:/ {print $2}'")
    return {
        "nproc": os.cpu_count(),
        "ram": mem,
        "cpu": sh("sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "python": platform.python_version(),
        "postgres": sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-Atc", "show server_version"),
        "commit": sh("git", "rev-parse", "--short", "HEAD"),
        "served_commit": os.environ.get("BENCH_SERVED_COMMIT", ""),
        # Where the background work is made (bench/run.sh's BENCH_BROKER).
        "background": os.environ.get("BENCH_BACKGROUND")
        or ("a worker" if os.environ.get("CELERY_BROKER_URL") else "in the web request"),
        "loadavg_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'page':20} {'n':>5} {'err':>4} {'p50':>8} {'p95':>8} {'p99':>8} {'rps':>7} {'q':>5} "
        f"{'qmax':>5} {'x floor':>8} {'adj.floor':>9} {'x adj.':>7} ok"
    )
    for row in rows:
        print(
            f"{row['page']:20} {row['requests']:>5} {row['errors']:>4} {row['p50_ms']:>8} "
            f"{row['p95_ms']:>8} {row['p99_ms']:>8} {row['rps']:>7} {row['queries_median']:>5} "
            f"{row['queries_max']:>5} {row['ratio_to_floor_p95']:>8} "
            f"{row['adjacent_floor_p95_ms'] or '':>9} {row['ratio_to_adjacent_floor_p95']:>7} "
            f"{'yes' if row['target_met'] else 'NO'}"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--base-url", default="http://127.0.0.1:8077")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument(
        "--requests", type=int, default=200, help="requests per page (after warm-up)"
    )
    parser.add_argument("--warmup", type=int, default=2, help="warm-up requests per user and page")
    parser.add_argument("--pdf-requests", type=int, default=20)
    parser.add_argument(
        "--only",
        default="",
        help="comma-separated page and background-work names (the floor always runs)",
    )
    parser.add_argument(
        "--job-runs",
        type=int,
        default=3,
        help="runs of each piece of background work (one user); 0: none",
    )
    parser.add_argument(
        "--job-timeout", type=float, default=900.0, help="seconds a run may take to finish"
    )
    parser.add_argument(
        "--no-family-names",
        action="store_true",
        help="search without the mix's family names (an experiment, not the benchmark)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds each user pauses between requests (mean; uniform 0..2x). 0: none",
    )
    parser.add_argument("--label", default="")
    parser.add_argument("--output", default="")
    args = parser.parse_args(argv)
    global THINK_SECONDS
    THINK_SECONDS = args.think

    info = machine()
    t = targets(family_names=not args.no_family_names)
    retention_target: dict[str, Any] = {}
    all_pages = (
        pages(t, args.pdf_requests)
        + issue26_pages(t)
        + access_log_pages()
        + retention_pages(retention_target)
    )
    job_names = set(JOB_NAMES) if args.job_runs > 0 else set()
    if args.only:
        wanted = {"floor", *args.only.split(",")}
        unknown = wanted - {p.name for p in all_pages} - set(JOB_NAMES)
        if unknown:
            names = ", ".join([p.name for p in all_pages] + list(JOB_NAMES))
            raise SystemExit(f"unknown: {', '.join(sorted(unknown))}; known: {names}")
        all_pages = [p for p in all_pages if p.name in wanted]
        job_names &= wanted
    else:  # the capacity scenario runs on its own (bench/run.sh, bench/RESULTS.md)
        all_pages = [p for p in all_pages if p.name != "capacity_mix"]
    jobs = background_jobs(t, job_names, args.job_runs, args.pdf_requests, args.users)
    if any(p.name == "retention_run_page" for p in all_pages):
        retention_target.update(retention_targets(args.base_url, args.job_timeout))
    sessions: dict[str, list[Session]] = {"coordinator": [], "manager": []}
    for i in range(args.users):
        coordinator = Session(args.base_url)
        coordinator.login(f"bench-coordinator-{i % t['coordinator_count'] + 1:02d}")
        manager = Session(args.base_url)
        manager.login(f"bench-manager-{i % 3 + 1:02d}")
        sessions["coordinator"].append(coordinator)
        sessions["manager"].append(manager)

    if any(p.role not in sessions for p in all_pages):
        sessions.update(issue26_sessions(args.base_url, args.users, write_targets()))
    floor_page = next(p for p in all_pages if p.name == "floor")

    def measure(page: Page, n: int) -> dict[str, Any]:
        print(f"... {page.name} ({n} requests, {args.users} users)", file=sys.stderr, flush=True)
        run_page(page, sessions[page.role], n, args.warmup if page.name != "report_pdf" else 1)
        return summarise(page, None)

    floor_row = measure(floor_page, args.requests)
    floor_p95: float = floor_row["p95_ms"]
    rows: list[dict[str, Any]] = [floor_row]
    floors = [floor_p95]  # the floor before each page, and after the last
    measured: list[Page] = []
    for page in all_pages:
        if page.name == "floor":
            continue
        if measured:
            floors.append(measure(floor_page, max(args.requests // 2, 50))["p95_ms"])
        n = page.requests or args.requests
        print(f"... {page.name} ({n} requests, {args.users} users)", file=sys.stderr, flush=True)
        run_page(page, sessions[page.role], n, args.warmup if page.name != "report_pdf" else 1)
        measured.append(page)
    floors.append(measure(floor_page, max(args.requests // 2, 50))["p95_ms"])
    for index, page in enumerate(measured):
        adjacent = (floors[index] + floors[index + 1]) / 2
        rows.append(summarise(page, floor_p95, adjacent))
    job_rows: list[dict[str, Any]] = []
    for job in jobs:
        print(f"... {job.name} ({job.runs} runs, {job.users} at once)", file=sys.stderr, flush=True)
        measure_job(job, args.base_url, args.job_timeout)
        job_rows.append(summarise_job(job))
    info["loadavg_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# {args.label}  {info}")
    print_table(rows)
    if job_rows:
        print()
        print_jobs_table(job_rows)
    if args.output:
        os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
        with open(args.output, "w") as out:
            json.dump(
                {
                    "label": args.label,
                    "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                    "users": args.users,
                    "think_seconds": args.think,
                    "search_mix": "without family names" if args.no_family_names else "all",
                    "machine": info,
                    "pages": rows,
                    "jobs": job_rows,
                },
                out,
                indent=2,
            )


# --- The log review (accounts/log/), at millions of rows (bench.generate --access-log N) ---------
LATE_PAGE = 1000  # as page 1000 of 50 rows: 49,950 rows deep


def access_log_pages() -> list[Page]:
    """The managers' log review: unfiltered, only flagged, one staff member's reads, and a late
    page. The late page asks for `page=1000` (OFFSET paging) and for the rows after the same
    place by key (`before=`): each version of the page reads the parameter it knows."""
    from datetime import UTC, datetime, timedelta

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM accounts_user ORDER BY id")
        staff = [pk for (pk,) in cursor.fetchall()]
        cursor.execute(
            "SELECT at, id FROM accounts_accesslogentry ORDER BY at DESC, id DESC"
            " OFFSET %s LIMIT 1",
            [(LATE_PAGE - 1) * 50 - 1],
        )
        place = cursor.fetchone()
    late = "/accounts/log/?" + urllib.parse.urlencode({"page": str(LATE_PAGE)})
    if place:
        micros = (place[0] - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
        late += "&" + urllib.parse.urlencode({"before": f"{micros}.{place[1]}"})
    return [
        Page(
            "access_log",
            "GET /accounts/log/ (the log review, unfiltered)",
            "manager",
            simple_get(lambda r: "/accounts/log/"),
        ),
        Page(
            "access_log_flagged",
            "GET /accounts/log/?flagged=on (only flagged reads)",
            "manager",
            simple_get(lambda r: "/accounts/log/?flagged=on"),
        ),
        Page(
            "access_log_user",
            "GET /accounts/log/?user=<random staff member>",
            "manager",
            simple_get(lambda r: f"/accounts/log/?user={r.choice(staff)}"),
        ),
        Page(
            "access_log_late",
            f"GET /accounts/log/, page {LATE_PAGE} (by OFFSET, or by key after the same row)",
            "manager",
            simple_get(lambda r: late),
        ),
    ]


# --- Background work (issue 26): started as the browser does, followed until the file is down ---
POLL_SECONDS = 0.5  # the load script's polling; the page's own htmx polls every 2 s
_PROGRESS = re.compile(rb'hx-get="(/(?:reports/)?exports/\d+/)"')
_DOWNLOAD = re.compile(rb'href="(/(?:reports/)?exports/\d+/download/)"')
_DOWNLOAD_PATH = re.compile(r"/(?:reports/)?exports/\d+/download/$")


@dataclass
class JobRun:
    """One piece of background work, from the POST that starts it to its file downloaded (or
    its result page read)."""

    seconds: float
    statuses: dict[str, Any]  # start, page (the progress page), polls ({status: n}), result
    size: int  # bytes of the file (or the result page)
    polls_ms: list[float]  # each polling request's own time
    error: str = ""


@dataclass
class Job:
    name: str
    description: str
    role: str  # "coordinator" or "manager"
    path: str  # where the browser's form posts
    data: dict[str, str]
    check: Callable[[http.client.HTTPMessage, bytes], bool]  # the file is what was asked for
    runs: int
    users: int = 1  # users starting it at once, each their own
    results: list[JobRun] = field(default_factory=list)
    wall_s: float = 0.0


def _state(body: bytes) -> tuple[str, str]:
    """From a progress page (whole or its htmx part): (the download, the page to poll)."""
    if download := _DOWNLOAD.search(body):
        return download.group(1).decode(), ""
    if progress := _PROGRESS.search(body):
        return "", progress.group(1).decode()
    return "", ""


class _Followed:
    """What following a progress page saw: the polls' times and status codes, and the first
    page's status."""

    def __init__(self) -> None:
        self.polls_ms: list[float] = []
        self.poll_statuses: dict[str, int] = {}
        self.page_status = 0
        # The result itself, when the start sent the browser straight to it (older versions
        # made the work in the request: a retention proposal's page).
        self.result: tuple[http.client.HTTPMessage, bytes] | None = None


def follow_progress(
    session: Session, location: str, deadline: float, seen: _Followed
) -> tuple[str, str]:
    """From the progress page the start redirected to, to the address of the result: the
    page as the browser opens it, then its status part (HX-Request) every POLL_SECONDS, as its
    htmx polls it, until it offers the download or sends on to the result page. (result,
    error): one of the two is empty."""
    status, headers, body, _t = session.request("GET", location)
    seen.page_status = status
    if status == 302:  # done in the request, and its result is a page
        return headers.get("Location", ""), ""
    if status != 200:
        return "", f"progress page: HTTP {status}"
    if b'id="export-status"' not in body:  # not a job's page: the result, made in the request
        seen.result = (headers, body)
        return location, ""
    result, progress = _state(body)
    while not result:
        if not progress:
            return "", "the work failed (its page says so)"
        if time.perf_counter() > deadline:
            return "", "not done in time (--job-timeout)"
        time.sleep(POLL_SECONDS)
        status, headers, body, elapsed = session.request(
            "GET", progress, headers={"HX-Request": "true"}
        )
        seen.polls_ms.append(elapsed * 1000)
        seen.poll_statuses[str(status)] = seen.poll_statuses.get(str(status), 0) + 1
        if status != 200:
            return "", f"poll: HTTP {status}"
        result = headers.get("HX-Redirect", "")
        if not result:
            result, progress = _state(body)
    return result, ""


def run_job(session: Session, job: Job, timeout: float) -> JobRun:
    """Start the work as its form does, follow its progress page (follow_progress) and fetch
    the file or the result page. Timed from the POST to the last byte."""
    started = time.perf_counter()
    statuses: dict[str, Any] = {}
    seen = _Followed()

    def done(error: str, size: int = 0) -> JobRun:
        seconds = round(time.perf_counter() - started, 3)
        return JobRun(seconds, statuses, size, seen.polls_ms, error)

    status, headers, body, _t = session.request("POST", job.path, job.data)
    statuses["start"] = status
    location = headers.get("Location", "")
    if status == 200:  # a short CSV: made in the request, the answer is the file
        result = ""
    elif status != 302 or not location.startswith("/"):
        return done(f"start: HTTP {status}")
    elif _DOWNLOAD_PATH.search(location):  # made in the request (the report without a broker)
        result = location
    else:
        result, error = follow_progress(session, location, started + timeout, seen)
        statuses["page"] = seen.page_status
        statuses["polls"] = seen.poll_statuses
        if error:
            return done(error)
    if seen.result is not None:
        headers, body = seen.result
        status = seen.page_status
    elif result:
        status, headers, body, _t = session.request("GET", result)
        statuses["result"] = status
    if status != 200:
        return done(f"result: HTTP {status}")
    if not job.check(headers, body):
        return done("result: not the file asked for", len(body))
    return done("", len(body))


def _is_pdf(headers: http.client.HTTPMessage, body: bytes) -> bool:
    return body.startswith(b"%PDF")


def _is_csv(headers: http.client.HTTPMessage, body: bytes) -> bool:
    return headers.get("Content-Type", "").startswith("text/csv") and b"\n" in body


def _is_json(headers: http.client.HTTPMessage, body: bytes) -> bool:
    return headers.get("Content-Type", "").startswith("application/json") and body[:1] == b"{"


def _is_page(headers: http.client.HTTPMessage, body: bytes) -> bool:
    return headers.get("Content-Type", "").startswith("text/html")


def most_logged_individual() -> tuple[int, int]:
    """The individual with the most access-log rows (bench.generate gives one ~4,400 more),
    and their count."""
    from django.db.models import Count

    from accounts.models import AccessLogEntry

    top = (
        AccessLogEntry.objects.exclude(individual_id=None)
        .values("individual_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "individual_id")
        .values_list("individual_id", "n")
        .first()
    )
    if top is None:  # no log yet: the person bench.generate would have given the rows
        from casework.models import Case

        person = Case.objects.order_by("pk").values_list("individual_id", flat=True).first()
        return int(person or 1), 0
    return int(top[0] or 0), int(top[1])


JOB_NAMES = (
    "job_case_csv",
    "job_registerutdrag",
    "job_registerutdrag_json",
    "job_retention_proposal",
    "job_report_pdf_queued",
    "job_national_pdf",
    "job_national_htcds",
    "job_national_ctdc",
)


def background_jobs(
    t: dict[str, Any], names: set[str], runs: int, pdf_runs: int, users: int
) -> list[Job]:
    """The background work of `names` (JOB_NAMES), each as the browser starts it."""
    jobs: list[Job] = []
    if "job_case_csv" in names:
        jobs.append(
            Job(
                "job_case_csv",
                "case list CSV, every case (status All), by a coordinator",
                "coordinator",
                "/cases/export.csv",
                {"status": ""},
                _is_csv,
                runs,
            )
        )
    if names & {"job_registerutdrag", "job_registerutdrag_json"}:
        individual, rows = most_logged_individual()
        for name, fmt, check in (
            ("job_registerutdrag", "pdf", _is_pdf),
            ("job_registerutdrag_json", "json", _is_json),
        ):
            if name in names:
                jobs.append(
                    Job(
                        name,
                        f"registerutdrag ({fmt.upper()}) of the individual with the most"
                        f" access-log rows ({rows:,}), by a manager",
                        "manager",
                        f"/individuals/{individual}/data-subject-export/",
                        {"format": fmt, "request_reference": "Benchmark 2026/26"},
                        check,
                        runs,
                    )
                )
    if "job_retention_proposal" in names:
        jobs.append(
            Job(
                "job_retention_proposal",
                "retention proposal, then its page, by a manager",
                "manager",
                "/retention/propose/",
                {},
                _is_page,
                runs,
            )
        )
    national = {
        "job_national_pdf": ("report.pdf", "NSPM figures (PDF)", _is_pdf),
        "job_national_htcds": ("htcds.csv", "HTCDS case records (CSV)", _is_csv),
        "job_national_ctdc": ("ctdc.csv", "CTDC microdata (CSV)", _is_csv),
    }
    for name, (file, what, check) in national.items():
        if name in names:
            year = t["closed_years"][-1]
            jobs.append(
                Job(
                    name,
                    f"national reporting: {what}, {year}, by a manager",
                    "manager",
                    f"/reports/national/{file}",
                    {"year": str(year), "as_of": timezone.localdate().isoformat()},
                    check,
                    runs,
                )
            )
    if "job_report_pdf_queued" in names:
        year = t["closed_years"][-1]
        jobs.append(
            Job(
                "job_report_pdf_queued",
                f"annual report PDF ({year}), {users} managers at once",
                "manager",
                "/reports/annual/export/",
                {"year": str(year), "as_of": timezone.localdate().isoformat(), "format": "pdf"},
                _is_pdf,
                pdf_runs,
                users=users,
            )
        )
    return jobs


def _username(role: str, index: int) -> str:
    if role == "manager":
        return f"bench-manager-{index % 3 + 1:02d}"
    return f"bench-coordinator-{index % 20 + 1:02d}"


def measure_job(job: Job, base_url: str, timeout: float) -> None:
    """`job.runs` runs in all, by `job.users` users at once (each their own session)."""
    sessions = []
    for index in range(job.users):
        session = Session(base_url)
        session.login(_username(job.role, index))
        sessions.append(session)

    def one(user: int) -> JobRun:
        started = time.perf_counter()
        try:
            return run_job(sessions[user], job, timeout)
        except (OSError, http.client.HTTPException) as exc:  # e.g. the worker timed out
            seconds = round(time.perf_counter() - started, 3)
            return JobRun(seconds, {}, 0, [], f"{type(exc).__name__}: {exc}")

    job.results, job.wall_s = run_at_once(job.runs, len(sessions), one)


def summarise_job(job: Job) -> dict[str, Any]:
    seconds = [r.seconds for r in job.results]
    polls = [ms for r in job.results for ms in r.polls_ms]
    sizes = [r.size for r in job.results if not r.error]
    return {
        "job": job.name,
        "description": job.description,
        "users": job.users,
        "runs": len(job.results),
        "errors": sum(1 for r in job.results if r.error),
        "finish_s_min": round(min(seconds), 2) if seconds else None,
        "finish_s_median": round(statistics.median(seconds), 2) if seconds else None,
        "finish_s_p95": round(percentile(seconds, 0.95), 2) if seconds else None,
        "finish_s_max": round(max(seconds), 2) if seconds else None,
        "size_bytes_median": int(statistics.median(sizes)) if sizes else 0,
        "polls": len(polls),
        "poll_p95_ms": round(percentile(polls, 0.95), 1) if polls else None,
        "wall_s": round(job.wall_s, 1),
        "each": [
            {
                "seconds": r.seconds,
                "statuses": r.statuses,
                "size_bytes": r.size,
                "polls": len(r.polls_ms),
                "poll_p95_ms": round(percentile(r.polls_ms, 0.95), 1) if r.polls_ms else None,
                "error": r.error,
            }
            for r in job.results
        ],
    }


def print_jobs_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'background work':24} {'users':>5} {'n':>3} {'err':>3} {'min s':>7} {'p50 s':>7} "
        f"{'max s':>7} {'size':>11} {'polls':>5} {'poll p95':>8}"
    )
    for row in rows:
        print(
            f"{row['job']:24} {row['users']:>5} {row['runs']:>3} {row['errors']:>3} "
            f"{row['finish_s_min'] or '':>7} {row['finish_s_median'] or '':>7} "
            f"{row['finish_s_max'] or '':>7} {row['size_bytes_median']:>11,} {row['polls']:>5} "
            f"{row['poll_p95_ms'] or '':>8}"
        )
    for row in rows:
        for run in row["each"]:
            if run["error"]:
                print(f"  {row['job']}: {run['error']} after {run['seconds']} s {run['statuses']}")


# --- A retention proposal's page (retention_run_page) -------------------------------------------


def retention_targets(base_url: str, timeout: float) -> dict[str, Any]:
    """The latest proposal waiting for confirmation (one is made first, through the page, when
    none waits) and how many pages each of its lists has."""
    from retention.models import RetentionItem, RetentionRun
    from retention.views import ITEMS_PER_PAGE

    def waiting() -> RetentionRun | None:
        runs = RetentionRun.objects.filter(status=RetentionRun.Status.PROPOSED)
        return runs.order_by("-pk").first()

    run = waiting()
    if run is None:
        print("... no retention proposal waits: making one", file=sys.stderr, flush=True)
        session = Session(base_url)
        session.login(_username("manager", 0))
        made = run_job(
            session, background_jobs({}, {"job_retention_proposal"}, 1, 0, 1)[0], timeout
        )
        if made.error or (run := waiting()) is None:
            raise SystemExit(f"the retention proposal could not be made: {made.error}")
    pages: dict[str, int] = {}
    for decision in (RetentionItem.Decision.CULL, RetentionItem.Decision.KEEP):
        count = run.items.filter(decision=decision).count()
        pages[str(decision)] = max(1, -(-count // ITEMS_PER_PAGE))
    return {"run": run.pk, "pages": pages}


def retention_pages(target: dict[str, Any]) -> list[Page]:
    """`target` is filled in (retention_targets) only when the page is measured."""

    def path(rng: random.Random) -> str:
        base = f"/retention/{target['run']}/"
        pages: dict[str, int] = target["pages"]
        choice = rng.random()
        if choice < 0.25:
            return base
        if choice < 0.75:
            return base + f"?list=cull&page={rng.randint(1, pages['cull'])}"
        return base + f"?list=keep&page={rng.randint(1, pages['keep'])}"

    return [
        Page(
            "retention_run_page",
            "GET /retention/<proposal>/ (page 1; a random page of the list to cull; of the kept)",
            "manager",
            simple_get(path),
        )
    ]


if __name__ == "__main__":
    main()
