"""Settings for the test suite: the real settings, with the few changes tests need.

The database and the broker still come from the environment (`scripts/test` points them at the
local PostgreSQL and Redis); only what would make tests slow or flaky is changed here.
"""

import os
import tempfile

# The tests run with DEBUG off, as production does; these two are then required.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-used-anywhere-else-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Case documents' key (base64 of 32 bytes): tests that rotate keys set their own.
os.environ.setdefault("LOTSA_DOCUMENT_KEY", "test:bG90c2EtdGVzdC1vbmx5LWRvY3VtZW50LWtleS0zMmI=")

from django.core.exceptions import ImproperlyConfigured

from config.settings import *  # noqa: F403  (the test settings extend the real ones)
from config.settings import env

# Manifest storage needs `collectstatic`; tests render templates without it.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    # Case documents in a folder of this test process's own (never var/documents).
    "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": tempfile.mkdtemp(prefix="lotsa-test-documents-"),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
WHITENOISE_AUTOREFRESH = True

# Hashing passwords the production way would cost a second per test user.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Celery reads its configuration once; tests that need a real broker and worker start one with
# Celery's pytest fixtures and switch eager mode off for their duration.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LOTSA_TEST_BROKER_URL = env.str("LOTSA_TEST_BROKER_URL", default="")


def _redis_database_of_this_worker(url: str, worker: str) -> str:
    """A parallel run (pytest-xdist) gives each worker a Redis database of its own, counting
    down from the URL's: gw0 keeps it, gw1 takes the one below, and so on. Tests empty the
    database (the cache tests' `cache.clear()` is FLUSHDB), which would take another worker's
    queued tasks; database 0, an installation's default, is never used."""
    if not url or not worker.startswith("gw"):
        return url
    base, _, number = url.rpartition("/")
    database = int(number or 0) - int(worker[2:])
    if database < 1:
        raise ImproperlyConfigured(
            f"pytest worker {worker} would need Redis database {database} (counting down from "
            f"{url}): run fewer workers (LOTSA_TEST_WORKERS) or start from a higher database"
        )
    return f"{base}/{database}"


LOTSA_TEST_BROKER_URL = _redis_database_of_this_worker(
    LOTSA_TEST_BROKER_URL, os.environ.get("PYTEST_XDIST_WORKER", "")
)

EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

# Tests run over plain HTTP against the test client and a local live server.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Two-factor sign-in is off, so the suite signs in with force_login alone; the twofactor tests
# switch it on.
LOTSA_REQUIRE_2FA = False

# Rate-limit counters live in the process's cache and would carry over from one test to the
# next (a test signing in often would find another's count); the rate-limit tests
# (tests/test_hardening_rate_limits.py) switch the limits on for themselves.
LOTSA_SEARCH_RATE_LIMIT = 0
LOTSA_LOGIN_RATE_LIMIT = 0

# The annual statistics' cache lives in the process's cache too, and a test's rolled-back data
# would leave figures behind for the next; tests/test_reporting_cache.py switches it on.
LOTSA_REPORT_CACHE_SECONDS = 0

# The case list's counts likewise (tests/test_list_counts.py switches the cache on).
LOTSA_LIST_COUNT_CACHE_SECONDS = 0

# Uploads are not scanned unless a test starts its own clamd (tests/test_documents_scanning.py
# and the other document tests switch scanning on against it).
LOTSA_DOCUMENT_SCAN = "off"
