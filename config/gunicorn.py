"""gunicorn's settings for production (docker-compose.yml and the Dockerfile use this file).

Worker model: threads (gthread). A Lotsa request spends a good part of its time waiting for
PostgreSQL; a thread of the same process serves another request meanwhile, while the processes
use the cores. Sizing rule (docs/operations.md, "Capacity"): processes = cores + 1, threads = 4 each, so a
2-core server has 3 × 4 = 12 requests in progress at once; with 50 users at once the rest wait
in the listen queue (measured against sync workers: bench/RESULTS.md). Each thread keeps one
database connection (CONN_MAX_AGE), so one web server holds at most processes × threads
connections: count them against PostgreSQL's max_connections (docs/operations.md).
"""

from __future__ import annotations

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request that takes longer (the annual report's PDF without a worker: a few seconds) is cut
# off and logged; the client gets 502 from the proxy.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A process is replaced after this many requests (and a random few more, so not all at once):
# what a long-lived process accumulates is given back.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
