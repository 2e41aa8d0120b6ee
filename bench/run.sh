#!/usr/bin/env bash
# Serve Lotsa with gunicorn and the bench settings, run the load script against it, stop it.
#   bench/run.sh [label] [extra arguments for bench.load, e.g. --requests 300]
# Needs the data first: .venv/bin/python -m bench.generate --scale 1.0
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV:-.venv}/bin
PORT=${BENCH_PORT:-8077}
WORKERS=${BENCH_WORKERS:-4}
# BENCH_WORKER_CLASS=gthread BENCH_THREADS=4: the production model (config/gunicorn.py).
WORKER_CLASS=${BENCH_WORKER_CLASS:-sync}
THREADS=${BENCH_THREADS:-1}
# BENCH_CODE=DIR (BENCH_CODE_VENV=DIR/.venv): serve another checkout's code (a `git worktree`
# of the commit to compare) with this checkout's load script, against the same database.
CODE=${BENCH_CODE:-.}
CODE_BIN=${BENCH_CODE_VENV:-${BENCH_CODE:+$CODE/.venv}}
CODE_BIN=${CODE_BIN:-${VENV:-.venv}}/bin
# BENCH_BROKER=redis://127.0.0.1:6379/N: a Celery broker (a Redis database of the benchmark's
# own); the background work (exports, the retention proposal) is then made by a Celery worker
# started here from the same code, as in production (docker-compose.yml's `worker`), instead
# of in the web request. BENCH_CELERY_CONCURRENCY (2), BENCH_CELERY_QUEUES (celery,email).
BROKER=${BENCH_BROKER:-}
CELERY_CONCURRENCY=${BENCH_CELERY_CONCURRENCY:-2}
CELERY_QUEUES=${BENCH_CELERY_QUEUES:-celery,email}
LABEL=${1:-run}
shift || true
export DJANGO_SETTINGS_MODULE=bench.settings
# Older checkouts' bench settings predate the documents key.
export LOTSA_DOCUMENT_KEY=${LOTSA_DOCUMENT_KEY:-YmVuY2gtb25seS1ub3QtYS1zZWNyZXQtMDEyMzQ1Njc=}
export BENCH_SERVED_COMMIT
BENCH_SERVED_COMMIT=$(git -C "$CODE" rev-parse --short HEAD)
export BENCH_BACKGROUND="in the web request (no broker)"
if [ -n "$BROKER" ]; then
  export CELERY_BROKER_URL=$BROKER
  BENCH_BACKGROUND="Celery worker ($CELERY_CONCURRENCY processes, queues $CELERY_QUEUES), broker $BROKER"
fi
mkdir -p "$CODE/var" var
(cd "$CODE" && "$CODE_BIN/python" manage.py collectstatic --noinput -v 0)
"$CODE_BIN/gunicorn" config.wsgi --chdir "$CODE" --workers "$WORKERS" \
  --worker-class "$WORKER_CLASS" --threads "$THREADS" --bind "127.0.0.1:$PORT" --timeout 120 \
  --access-logfile /dev/null --error-logfile var/bench-gunicorn.log &
GUNICORN=$!
WORKER=
stop() {
  kill "$GUNICORN" 2>/dev/null || true
  if [ -n "$WORKER" ]; then
    # A warm shutdown lets a running task finish; after 10 s, a cold one.
    kill -TERM "$WORKER" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$WORKER" 2>/dev/null || break
      sleep 0.2
    done
    kill -QUIT "$WORKER" 2>/dev/null || true
  fi
}
trap stop EXIT
if [ -n "$BROKER" ]; then
  CELERY_LOG=$PWD/var/bench-celery-$PORT.log
  : >"$CELERY_LOG"
  (cd "$CODE" && exec "$CODE_BIN/celery" -A config worker --concurrency "$CELERY_CONCURRENCY" \
    --queues "$CELERY_QUEUES" --hostname "bench-$PORT@%h" --loglevel INFO >>"$CELERY_LOG" 2>&1) &
  WORKER=$!
  for _ in $(seq 1 150); do
    grep -q " ready\." "$CELERY_LOG" && break
    sleep 0.2
  done
  grep -q " ready\." "$CELERY_LOG" || { echo "the Celery worker did not start: $CELERY_LOG" >&2; exit 1; }
fi
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "gunicorn ($WORKERS $WORKER_CLASS workers x $THREADS threads) on port $PORT; background work: $BENCH_BACKGROUND; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BIN/python" -m bench.load --base-url "http://127.0.0.1:$PORT" --label "$LABEL" \
  --output "bench/results/$LABEL.json" "$@"
