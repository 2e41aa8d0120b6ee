"""Settings for the performance benchmark: Lotsa's production settings, plus what only a
benchmark needs. Not used by the product or the test suite.

Differences from production, on purpose, and reported in bench/RESULTS.md:
- plain HTTP on 127.0.0.1 (no TLS proxy): SSL redirect and secure cookies off;
- the rate limits (searches, sign-ins) off: ten simulated users search far faster than people;
- two-factor sign-in off (LOTSA_REQUIRE_2FA=false): the load script signs in with a password;
  the two-factor middleware still runs on every request;
- the cache (rate limits, the cached annual report) in Redis database 13;
- a query counter middleware (X-Bench-Queries) and a trivial "floor" page (bench/urls.py);
- no Celery broker (the zero-install default): background work is made in the request, unless
  CELERY_BROKER_URL is set (bench/run.sh's BENCH_BROKER, which also starts a worker).

Every value can still be overridden from the environment (e.g. DATABASE_URL).
"""

from __future__ import annotations

import os

_BENCH_DEFAULTS = {
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/lotsa_bench",
    "CACHE_URL": "redis://127.0.0.1:6379/13",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "SECURE_HSTS_SECONDS": "0",
    "LOTSA_REQUIRE_2FA": "false",
    "LOTSA_SEARCH_RATE_LIMIT": "0",
    "LOTSA_LOGIN_RATE_LIMIT": "0",
    "LOG_LEVEL": "WARNING",
    # Production refuses to start without a documents key; the bench's is a fixed one.
    "LOTSA_DOCUMENT_KEY": "YmVuY2gtb25seS1ub3QtYS1zZWNyZXQtMDEyMzQ1Njc=",
}
for _name, _value in _BENCH_DEFAULTS.items():
    os.environ.setdefault(_name, _value)

from config.settings import *  # noqa: E402, F403
from config.settings import MIDDLEWARE  # noqa: E402

ROOT_URLCONF = "bench.urls"
# First, so it counts every query of the request, the session's and the user's included.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
