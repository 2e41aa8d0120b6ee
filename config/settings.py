"""Lotsa's settings: the one module that reads the environment.

Every value that differs between a laptop, CI and production comes from an environment variable
(or a `.env` file in the project root). The defaults give the zero-install setup: SQLite under
`var/`, tasks run in-process, e-mail printed to the console. With DEBUG off, the settings that
protect people (SECRET_KEY, ALLOWED_HOSTS) are required and the start-up fails loudly without them.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.country_names import NAMES as COUNTRY_NAMES
from core.env import RecordingEnv

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


env = RecordingEnv()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment; in DEBUG only, a key generated once into var/."""
    key: str = env.str("SECRET_KEY", default="")
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Lotsa refuses to start with DEBUG off and no SECRET_KEY: "
            "set the SECRET_KEY environment variable to a long random string (for example the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS: list[str] = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. With DEBUG off, set ALLOWED_HOSTS to the host names Lotsa is "
        "served under, separated by commas (for example `lotsa.example.se`)."
    )
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Every installed app, in one list. The order matters where a comment says so; Lotsa's own apps
# follow the layers (pyproject.toml [tool.importlinter]) from the bottom up, which is also the
# order their AppConfig.ready() hooks register timeline items, panels and notification kinds.
INSTALLED_APPS = [
    # Before staticfiles: runserver then serves static files through WhiteNoise, as production.
    "whitenoise.runserver_nostatic",
    # The admin site opened to the admin role (accounts/admin_site.py), in place of Django's.
    "config.apps.LotsaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "django_countries",
    "simple_history",
    "axes",
    # Two-factor sign-in's devices: an authenticator app (TOTP) and backup codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "accounts",
    "casework",
    # Case documents: scanned, encrypted, read only through Lotsa's views.
    "documents",
    "reflection_period",
    "outreach",
    "reporting",
    # The national figures (NSPM) and the HTCDS/CTDC exports: read across the domain apps.
    "national",
    # After accounts and django_otp: its admin extends the staff-member admin with the
    # two-factor reset and removes django-otp's device admins.
    "twofactor",
    # Single sign-on with the city's provider (off unless LOTSA_OIDC_ISSUER is set).
    "sso",
    # The access log's review, and its append-only trigger (PostgreSQL).
    "audit",
    # Data-subject export (registerutdrag, GDPR art. 15), for managers.
    "dsar",
    # Culling personal data of old cases (gallring).
    "retention",
    # Files made in the background (the case list's large CSV, registerutdrag) and their pages.
    "exportjobs",
    # Backup and restore; the database roles (db_grants).
    "operations",
    # Importing past records from spreadsheets, through the domain apps' services.
    "importing",
    "home",
]

# Every middleware, in the order a request passes them (a response passes them backwards).
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware: the security headers go on every response, static files
    # included (core/middleware.py).
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # /healthz for the compose health check and load balancers, before anything reads the host.
    "config.middleware.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language the switch's cookie chose (Swedish otherwise), before anything renders text.
    "accounts.locale.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after AuthenticationMiddleware: marks request.user as verified by a second step or not.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: signing out an idle user leaves a message saying why.
    "accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # The second sign-in step's gate: after everything that may sign a user out or mark an htmx
    # request.
    "twofactor.middleware.SecondStepMiddleware",
    # Sign-in attempts per address (password spraying); axes locks per user name.
    "accounts.middleware.LoginRateLimitMiddleware",
    # Near the view, so it sees a view's exception before the others: a database still locked
    # after waiting (SQLite) answers 409 with an explanation, as a conflict with a colleague does.
    "core.middleware.DatabaseBusyMiddleware",
    # django-axes must come last: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "home.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'lotsa.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Lotsa's queries are many and small, from several requests at once: PostgreSQL's parallel
    # workers then cost more CPU than they save (measured at national scale: bench/RESULTS.md).
    # 0 turns them off for Lotsa's connections only. Empty: send no option and keep the server's
    # setting (a connection pooler such as PgBouncer refuses startup options it does not know).
    _parallel_workers = env.str("DATABASE_PARALLEL_WORKERS", default="0").strip()
    # Nor does just-in-time compilation pay for a query of Lotsa's: PostgreSQL compiles when a
    # plan's estimated cost passes jit_above_cost, and a count over the unit's contacts spent
    # 75 ms of its 161 ms compiling (bench/RESULTS.md). Same rule for an empty value.
    _jit = env.str("DATABASE_JIT", default="off").strip().lower()
    _startup_options = []
    if _parallel_workers:
        _startup_options.append(f"-c max_parallel_workers_per_gather={int(_parallel_workers)}")
    if _jit:
        _startup_options.append(f"-c jit={'on' if _jit in ('on', 'true', '1') else 'off'}")
    if _startup_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_startup_options)
else:
    # The demo server and the reminder loop share the SQLite file: wait for a lock, don't fail.
    # A transaction takes the write lock when it starts (BEGIN IMMEDIATE), so two requests that
    # write at once queue for up to `timeout` seconds instead of failing with "database is
    # locked" (a deferred transaction that read first cannot wait for the lock); the second then
    # sees the first's work, as with PostgreSQL's row locks (e.g. a referral accepted twice gets
    # the same 409). Write-ahead logging lets pages read while someone writes.
    _sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    _sqlite_options.setdefault("timeout", 20)
    _sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    _sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, login and sessions ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Minutes without a request after which a signed-in user is signed out.
LOTSA_SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("LOTSA_SESSION_IDLE_MINUTES", default=30))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(LOTSA_SESSION_IDLE_TIMEOUT.total_seconds()) + 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AXES_FAILURE_LIMIT = env.int("LOTSA_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOTSA_LOGIN_COOLOFF_MINUTES", default=15))
# Lock the user name from the address that guessed; a colleague at another desk is not locked out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# --- Security (production defaults follow DEBUG; each can be overridden) -----------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The load balancer's health check talks plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.str("SECURE_PROXY_SSL_HEADER", default=""):
    # e.g. "HTTP_X_FORWARDED_PROTO,https" behind a TLS-terminating proxy
    _header, _value = env.list("SECURE_PROXY_SSL_HEADER")
    SECURE_PROXY_SSL_HEADER = (_header, _value)

# --- Internationalisation -----------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="sv")
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Stockholm")
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------------
STATIC_URL = "/static/"
# Where `collectstatic` puts the files WhiteNoise serves (tests collect into a folder of their own).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (none yet; case documents will be): under var/media on the file system. The
# backup (operations/backup.py) keeps this folder; another storage (S3) is backed up there.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Citizenship: the ISO 3166 list (names translated by django-countries, completed and brought up
# to date by core.country_names) plus two codes from the user-assigned range for what the list
# lacks, shown first. No separator line: it would be a choice of its own, with an empty value.
COUNTRIES_OVERRIDE = {"XS": _("Stateless"), "XU": _("Unknown citizenship"), **COUNTRY_NAMES}
COUNTRIES_FIRST = ["XU", "XS"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -------------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Lotsa <lotsa@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = "[Lotsa] "
# Seconds one SMTP operation (connect, each command, each reply) may take before it fails and
# the e-mail is tried again later. Without it a server that holds its reply holds a worker.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
# An e-mail task is stopped after this many seconds (hard limit; a soft limit 10 s earlier lets
# it record the failure): a server that trickles its replies cannot hold a worker longer. The
# limits travel in each task's message from the process that queues it: give web and workers
# the same value (the compose file does).
LOTSA_EMAIL_TIME_LIMIT = env.int("LOTSA_EMAIL_TIME_LIMIT", default=60)
# How often unsent e-mails (a failure, a lost task, a broker that was down) are tried again.
LOTSA_EMAIL_SWEEP_SECONDS = env.int("LOTSA_EMAIL_SWEEP_SECONDS", default=60)
if EMAIL_TIMEOUT < 1 or LOTSA_EMAIL_TIME_LIMIT < 20 or LOTSA_EMAIL_SWEEP_SECONDS < 10:
    raise ImproperlyConfigured(
        "EMAIL_TIMEOUT must be at least 1, LOTSA_EMAIL_TIME_LIMIT at least 20 and "
        "LOTSA_EMAIL_SWEEP_SECONDS at least 10 (seconds)."
    )
# Absolute links in e-mails (reminders) point here.
LOTSA_BASE_URL = env.str("LOTSA_BASE_URL", default="http://127.0.0.1:8000")

# --- Celery -------------------------------------------------------------------------------------
# No broker configured: tasks run in-process (the zero-install default). With a broker (Redis),
# they go to the workers.
LOTSA_BROKER_CONFIGURED = bool(env.str("CELERY_BROKER_URL", default=""))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://localhost/")
CELERY_TASK_ALWAYS_EAGER = not LOTSA_BROKER_CONFIGURED
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker whose broker went away reconnects for as long as it takes (default: gives up after
# 100 attempts, about 50 minutes, and exits).
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A broker that does not answer fails a publish within seconds (the web request goes on; the
# row that asked for the task stays in the database and a sweep queues it again).
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3}
# Queues: e-mail has its own, consumed by its own worker (docker-compose.yml), so that an SMTP
# server that hangs never holds up reminders, exports or retention; everything else goes to the
# default queue.
CELERY_TASK_DEFAULT_QUEUE = env.str("LOTSA_DEFAULT_QUEUE", default="celery")
LOTSA_EMAIL_QUEUE = env.str("LOTSA_EMAIL_QUEUE", default="email")
CELERY_TASK_ROUTES = {"accounts.tasks.send_notification_email": {"queue": LOTSA_EMAIL_QUEUE}}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Every periodic task of Lotsa, in one place. The database scheduler copies these into its
# tables at start; exactly one beat process runs per installation.
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}

# --- Logging: no personal data is ever logged; messages name objects by id only. ------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        "forbidden_one_line": {"()": "core.errors.ForbiddenWithoutTraceback"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
        # Django's own: the 500s e-mailed to ADMINS (without personal data: core.errors).
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default adds a console handler of its own to "django" with DEBUG on, so
        # every Django record was printed twice (there and by the root's): only the e-mails.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        "django.request": {"filters": ["forbidden_one_line"]},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},  # axes logs every start and attempt at INFO
        "weasyprint": {"level": "WARNING"},  # the PDFs: it logs every layout step at INFO
    },
}

# --- Reflection period (reflection_period app): deadline thresholds and reminders ---------------
# Migrationsverket has no statutory time limit; these are the unit's own thresholds, shown on the
# deadline board. Working days skip weekends and Swedish public holidays.
LOTSA_DECISION_REMINDER_WORKING_DAYS = env.int("LOTSA_DECISION_REMINDER_WORKING_DAYS", default=2)
LOTSA_DECISION_ESCALATION_WORKING_DAYS = env.int(
    "LOTSA_DECISION_ESCALATION_WORKING_DAYS", default=5
)
# Two reminders before the permit's last day (days before valid_to), first then second.
LOTSA_PERMIT_ENDING_REMINDER_DAYS: list[int] = env.list(
    "LOTSA_PERMIT_ENDING_REMINDER_DAYS", cast=int, default=[7, 2]
)
LOTSA_DRAFT_REMINDER_DAYS = env.int("LOTSA_DRAFT_REMINDER_DAYS", default=2)
# How often the reminder scan runs (Celery beat, and `run_reminders --loop` without a broker).
LOTSA_REMINDER_SCAN_MINUTES = env.int("LOTSA_REMINDER_SCAN_MINUTES", default=15)
if not (
    0 < LOTSA_DECISION_REMINDER_WORKING_DAYS < LOTSA_DECISION_ESCALATION_WORKING_DAYS
    and len(LOTSA_PERMIT_ENDING_REMINDER_DAYS) == 2
    and LOTSA_PERMIT_ENDING_REMINDER_DAYS[0] > LOTSA_PERMIT_ENDING_REMINDER_DAYS[1] > 0
    and LOTSA_DRAFT_REMINDER_DAYS > 0
    and LOTSA_REMINDER_SCAN_MINUTES > 0
):
    raise ImproperlyConfigured(
        "Reflection-period thresholds are inconsistent: need 0 < "
        "LOTSA_DECISION_REMINDER_WORKING_DAYS < LOTSA_DECISION_ESCALATION_WORKING_DAYS, "
        "LOTSA_PERMIT_ENDING_REMINDER_DAYS as two numbers, larger first (e.g. 7,2), and positive "
        "LOTSA_DRAFT_REMINDER_DAYS and LOTSA_REMINDER_SCAN_MINUTES."
    )
# The applicant authority as printed on the application to Migrationsverket (blankett 195011).
LOTSA_APPLICANT_AUTHORITY = env.str("LOTSA_APPLICANT_AUTHORITY", default="Socialnämnden")
LOTSA_UNIT_NAME = env.str("LOTSA_UNIT_NAME", default="Enheten mot prostitution och människohandel")
LOTSA_UNIT_ADDRESS = env.str("LOTSA_UNIT_ADDRESS", default="")
LOTSA_UNIT_PHONE = env.str("LOTSA_UNIT_PHONE", default="")
LOTSA_UNIT_EMAIL = env.str("LOTSA_UNIT_EMAIL", default="")
CELERY_BEAT_SCHEDULE["reflection-period-reminder-scan"] = {
    "task": "reflection_period.tasks.scan_reminders",
    "schedule": timedelta(minutes=LOTSA_REMINDER_SCAN_MINUTES),
    # A scan that waited longer than one interval (workers down) is replaced by the next one.
    "options": {"expires": LOTSA_REMINDER_SCAN_MINUTES * 60 - 30},
}
# E-mails of notifications not sent yet: never queued (a crash after commit, the broker down),
# lost with a worker, or failed and due for another try.
CELERY_BEAT_SCHEDULE["notification-email-sweep"] = {
    "task": "accounts.tasks.send_unsent_notification_emails",
    "schedule": timedelta(seconds=LOTSA_EMAIL_SWEEP_SECONDS),
    "options": {"expires": LOTSA_EMAIL_SWEEP_SECONDS},
}

# --- Reporting ----------------------------------------------------------------------------------
# Publication mode shows counts from 1 to k-1 as "<k" (and hides what would give them away).
LOTSA_PUBLICATION_THRESHOLD = env.int("LOTSA_PUBLICATION_THRESHOLD", default=3)
if LOTSA_PUBLICATION_THRESHOLD < 2:
    raise ImproperlyConfigured("LOTSA_PUBLICATION_THRESHOLD must be at least 2.")
# The CTDC-style microdata export releases a row only when at least this many rows share its
# year, gender, age band and citizenship (CTDC publishes with k = 11).
LOTSA_CTDC_K = env.int("LOTSA_CTDC_K", default=11)
if LOTSA_CTDC_K < 2:
    raise ImproperlyConfigured("LOTSA_CTDC_K must be at least 2.")

# Exports whose task never reached a worker (the broker was down) are queued again, and exports
# a lost worker left unfinished are retried once or given up (reporting.services.exports_sweep).
CELERY_BEAT_SCHEDULE["report-export-sweep"] = {
    "task": "reporting.tasks.sweep_exports",
    "schedule": timedelta(minutes=1),
    "options": {"expires": 60},
}

# --- Two-factor sign-in (twofactor app: django-otp, an authenticator app plus backup codes) ----
# Required for everyone in production; the demo (`make run`, DEBUG on) lets users opt in.
LOTSA_REQUIRE_2FA = env.bool("LOTSA_REQUIRE_2FA", default=not DEBUG)
# How many backup codes a user gets at a time (each works once).
LOTSA_BACKUP_CODE_COUNT = 10
# How long the one-time links an administrator gives work: the enrolment link of a two-factor
# reset, and a new account's link to choose a password (Django's password-reset tokens).
LOTSA_ENROLMENT_LINK_HOURS = env.int("LOTSA_ENROLMENT_LINK_HOURS", default=48)
if not 1 <= LOTSA_ENROLMENT_LINK_HOURS <= 24 * 14:
    raise ImproperlyConfigured("LOTSA_ENROLMENT_LINK_HOURS must be between 1 and 336 (14 days).")
PASSWORD_RESET_TIMEOUT = LOTSA_ENROLMENT_LINK_HOURS * 3600
# The name the authenticator app shows beside the user name.
OTP_TOTP_ISSUER = env.str("LOTSA_OTP_ISSUER", default="Lotsa")
# django-axes counts wrong codes with the same limit and cool-off as wrong passwords; django-otp's
# own exponential delay would make a correct code fail right after a typo, so it is off.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
# A correct password must not wipe the failures of the code step (otherwise password, four wrong
# codes, password again, ... would guess codes forever): the twofactor app resets the counter
# only when the whole sign-in succeeded (twofactor.signin).
AXES_RESET_ON_SUCCESS = False
# Axes stores the form data of failed attempts; never a code.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]

# --- Security headers, rate limits, the cache, error reports (core app) -------------------------
# Nothing but Lotsa's own files: no inline script or style, no other origin, no framing. An
# optional report URI lets the operator collect violations (e.g. from a reverse proxy).
LOTSA_CSP_REPORT_URI = env.str("LOTSA_CSP_REPORT_URI", default="")
LOTSA_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
        *([f"report-uri {LOTSA_CSP_REPORT_URI}"] if LOTSA_CSP_REPORT_URI else []),
    ]
)
LOTSA_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# The cache holds the rate-limit counters. The default (memory of one process) suits one
# process; with several web processes use Redis, so that they count together.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
CACHES["default"].setdefault("KEY_PREFIX", "lotsa")
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # The cache fails soft (core/soft_cache.py): a Redis that does not answer must cost a
    # request a second at most, not the system's TCP timeout.
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 1, "socket_timeout": 1}
    )
# The annual statistics are cached until the data they read changes (reporting/cache.py), at
# most this long; 0 switches the cache off. A change clears the cache it is made through, so
# the cache must be shared by every process: on by default only with a shared cache (Redis),
# since with one process's memory another web process would go on showing old figures.
LOTSA_REPORT_CACHE = "default"
LOTSA_REPORT_CACHE_SECONDS = env.int(
    "LOTSA_REPORT_CACHE_SECONDS",
    default=0 if CACHES[LOTSA_REPORT_CACHE]["BACKEND"].endswith("LocMemCache") else 24 * 3600,
)
# The case list's counts, cached until a case or its purposes change (casework/counts.py); as
# for the statistics, on by default only with a shared cache. 0 switches the cache off.
LOTSA_LIST_COUNT_CACHE = "default"
LOTSA_LIST_COUNT_CACHE_SECONDS = env.int(
    "LOTSA_LIST_COUNT_CACHE_SECONDS",
    default=0 if CACHES[LOTSA_LIST_COUNT_CACHE]["BACKEND"].endswith("LocMemCache") else 600,
)
# The list pages' filter bars, rendered once per language, day and values, until a user, a role
# or a district changes (core/filter_bars.py); on by default only with a shared cache. 0: off.
LOTSA_FILTER_BAR_CACHE = "default"
LOTSA_FILTER_BAR_CACHE_SECONDS = env.int(
    "LOTSA_FILTER_BAR_CACHE_SECONDS",
    default=0 if CACHES[LOTSA_FILTER_BAR_CACHE]["BACKEND"].endswith("LocMemCache") else 3600,
)
LOTSA_RATE_LIMIT_CACHE = "default"
# Free-text searches (names) per user and minute; sign-in attempts per address and minute.
# 0 switches a limit off.
LOTSA_SEARCH_RATE_LIMIT = env.int("LOTSA_SEARCH_RATE_LIMIT", default=30)
LOTSA_LOGIN_RATE_LIMIT = env.int("LOTSA_LOGIN_RATE_LIMIT", default=30)
# The sign-in steps the address limit covers (a later step, e.g. a one-time code, goes here).
LOTSA_LOGIN_RATE_LIMIT_VIEWS = ["accounts:login", "twofactor:verify"]
if LOTSA_SEARCH_RATE_LIMIT < 0 or LOTSA_LOGIN_RATE_LIMIT < 0:
    raise ImproperlyConfigured(
        "LOTSA_SEARCH_RATE_LIMIT and LOTSA_LOGIN_RATE_LIMIT must be 0 (off) or a positive number."
    )
# The client's address behind our own proxies (X-Forwarded-For counted from the right), for the
# sign-in limit and for django-axes (django-ipware, which would read the proxy count, is not
# installed: without this, axes saw every client behind a proxy as the proxy's address).
LOTSA_PROXY_COUNT = env.int("LOTSA_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
# Error reports (e-mails to ADMINS) never carry form data or local variables: personal data.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.errors.PersonalDataExceptionReporterFilter"
# django-axes records sign-in attempts under the user name cut to the longest a user can have
# (an absurd "user name" would not fit its column).
AXES_USERNAME_CALLABLE = "accounts.signin.attempted_username"

# --- Import of past records (importing app) -----------------------------------------------------
# At most this many rows per file (the whole file is checked, and imported, in one transaction).
LOTSA_IMPORT_MAX_ROWS = env.int("LOTSA_IMPORT_MAX_ROWS", default=20_000)
# The largest upload, read in memory only (never a temporary file), and the most an .xlsx may
# unpack to (a zip bomb is refused from the archive's directory, before anything is unpacked).
LOTSA_IMPORT_MAX_BYTES = env.int("LOTSA_IMPORT_MAX_BYTES", default=20_000_000)
LOTSA_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int(
    "LOTSA_IMPORT_MAX_UNCOMPRESSED_BYTES", default=200_000_000
)
# How long a checked file's rows wait in the cache (a large file's: in its ImportJob) for the
# manager to confirm the import.
LOTSA_IMPORT_PREVIEW_SECONDS = env.int("LOTSA_IMPORT_PREVIEW_SECONDS", default=30 * 60)
# A file of more rows than this is checked and imported by a Celery task (in-process without a
# broker), with a page that shows the progress; a smaller one within its request.
LOTSA_IMPORT_BACKGROUND_ROWS = env.int("LOTSA_IMPORT_BACKGROUND_ROWS", default=200)
# The longest a worker may take over one check or import (bench/RESULTS.md: 5,000 rows).
LOTSA_IMPORT_TASK_SECONDS = env.int("LOTSA_IMPORT_TASK_SECONDS", default=3600)
# Import jobs whose task never reached a worker are queued again, lost ones given up, finished
# ones deleted after LOTSA_IMPORT_PREVIEW_SECONDS (importing.services.import_jobs_sweep).
CELERY_BEAT_SCHEDULE["import-job-sweep"] = {
    "task": "importing.tasks.sweep_import_jobs",
    "schedule": timedelta(minutes=1),
    "options": {"expires": 60},
}

# --- Background exports (exportjobs app): files made by a worker, with a progress page ------------
# A case-list export of more cases than this is made by a Celery task (in-process without a
# broker) and downloaded from its progress page; a smaller one within its request. A
# registerutdrag is always made by a task.
LOTSA_EXPORT_BACKGROUND_ROWS = env.int("LOTSA_EXPORT_BACKGROUND_ROWS", default=2000)
# How long a made file is kept for its download; then it is deleted (file and job).
LOTSA_EXPORT_KEEP_SECONDS = env.int("LOTSA_EXPORT_KEEP_SECONDS", default=24 * 3600)
# The longest a worker may take over one file.
LOTSA_EXPORT_TASK_SECONDS = env.int("LOTSA_EXPORT_TASK_SECONDS", default=1800)
# Jobs whose task never reached a worker are queued again, lost ones given up, expired ones
# deleted with their files (exportjobs.services.jobs_sweep).
CELERY_BEAT_SCHEDULE["export-job-sweep"] = {
    "task": "exportjobs.tasks.sweep_export_jobs",
    "schedule": timedelta(minutes=1),
    "options": {"expires": 60},
}

# --- Retention (retention app): culling personal data of old cases (gallring) ------------------
# An individual's personal data is culled when all their cases are closed and the last activity
# (last journal entry, or the closing date) is more than this many years old.
LOTSA_RETENTION_YEARS = env.int("LOTSA_RETENTION_YEARS", default=5)
# Individuals born on these days of a month are kept (the research sample).
LOTSA_RETENTION_KEEP_BIRTH_DAYS: list[int] = env.list(
    "LOTSA_RETENTION_KEEP_BIRTH_DAYS", cast=int, default=[5, 15, 25]
)
if LOTSA_RETENTION_YEARS < 1 or not all(1 <= day <= 31 for day in LOTSA_RETENTION_KEEP_BIRTH_DAYS):
    raise ImproperlyConfigured(
        "LOTSA_RETENTION_YEARS must be at least 1 and LOTSA_RETENTION_KEEP_BIRTH_DAYS days of a "
        "month (1-31), separated by commas (e.g. 5,15,25), or empty."
    )
# Once a month (the 1st, at 03:30) a proposal is made; nothing is culled before a manager
# confirms it.
CELERY_BEAT_SCHEDULE["retention-monthly-proposal"] = {
    "task": "retention.tasks.propose_retention",
    "schedule": crontab(minute="30", hour="3", day_of_month="1"),
    # A proposal that waited a day for a worker is replaced by next month's.
    "options": {"expires": 24 * 60 * 60},
}

# --- Case documents (documents app): uploads checked, scanned, encrypted, stored ---------------
# Where the encrypted files go: STORAGES["documents"]. By default the file system under
# var/documents (LOTSA_DOCUMENT_ROOT); with LOTSA_DOCUMENT_S3_BUCKET set, any S3-compatible
# object store through django-storages. Files are only ever read through Lotsa (the download
# view decrypts them): never serve this folder or bucket directly.
LOTSA_DOCUMENT_ROOT = Path(env.str("LOTSA_DOCUMENT_ROOT", default=str(VAR_DIR / "documents")))
LOTSA_DOCUMENT_S3_BUCKET = env.str("LOTSA_DOCUMENT_S3_BUCKET", default="")
if LOTSA_DOCUMENT_S3_BUCKET:
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": LOTSA_DOCUMENT_S3_BUCKET,
            "endpoint_url": env.str("LOTSA_DOCUMENT_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("LOTSA_DOCUMENT_S3_REGION", default="") or None,
            "access_key": env.str("LOTSA_DOCUMENT_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("LOTSA_DOCUMENT_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("LOTSA_DOCUMENT_S3_PREFIX", default="documents"),
            # Private objects, never overwritten; Lotsa never hands out the bucket's URLs.
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": LOTSA_DOCUMENT_ROOT,
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }


def _document_keys() -> list[str]:
    """LOTSA_DOCUMENT_KEY: one key, or several separated by commas, the current one first (see
    documents.encryption for the format and docs/operations.md for rotating). With DEBUG on and
    none set, a key is generated once into var/ (as SECRET_KEY is)."""
    keys: list[str] = env.list("LOTSA_DOCUMENT_KEY", default=[])
    keys = [key.strip() for key in keys if key.strip()]
    if keys:
        return keys
    if not DEBUG:
        raise ImproperlyConfigured(
            "LOTSA_DOCUMENT_KEY is not set. Lotsa encrypts case documents with it and refuses to "
            "start with DEBUG off without one: generate a key with `python -c 'import base64, "
            "secrets; print(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())'` and "
            "keep it as safely as the database backups (docs/operations.md)."
        )
    key_file = VAR_DIR / "document_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        key_file.chmod(0o600)
    return [key_file.read_text().strip()]


LOTSA_DOCUMENT_KEY: list[str] = _document_keys()
# The largest file a user may upload, in megabytes (the proxy in front must allow a little more).
LOTSA_DOCUMENT_MAX_MB = env.int("LOTSA_DOCUMENT_MAX_MB", default=20)
# At most this many documents per case (those marked as registered by mistake count too).
LOTSA_DOCUMENT_CASE_LIMIT = env.int("LOTSA_DOCUMENT_CASE_LIMIT", default=100)
# Virus scanning through ClamAV's clamd: "clamd" (the default) scans every upload and refuses it
# when clamd cannot be reached (fails closed); "off" stores files unscanned, and the pages say
# so. Only an explicit "off" turns it off (the demo, `make run`, sets it).
LOTSA_DOCUMENT_SCAN = env.str("LOTSA_DOCUMENT_SCAN", default="clamd").strip().lower()
# clamd's address: host:port (TCP) or the path of its Unix socket.
LOTSA_CLAMD_ADDRESS = env.str("LOTSA_CLAMD_ADDRESS", default="127.0.0.1:3310")
# Seconds clamd may take to answer before the upload is refused (fail closed).
LOTSA_CLAMD_TIMEOUT = env.int("LOTSA_CLAMD_TIMEOUT", default=60)
if (
    LOTSA_DOCUMENT_SCAN not in ("clamd", "off")
    or not 1 <= LOTSA_DOCUMENT_MAX_MB <= 500
    or LOTSA_DOCUMENT_CASE_LIMIT < 1
    or LOTSA_CLAMD_TIMEOUT < 1
):
    raise ImproperlyConfigured(
        "LOTSA_DOCUMENT_SCAN must be 'clamd' or 'off', LOTSA_DOCUMENT_MAX_MB between 1 and 500, "
        "LOTSA_DOCUMENT_CASE_LIMIT and LOTSA_CLAMD_TIMEOUT at least 1."
    )

# --- Single sign-on (sso app): OpenID Connect with the city's identity provider ----------------
# Off unless LOTSA_OIDC_ISSUER is set. Accounts and roles stay in Lotsa: a person signs in only
# if their staff account's `oidc_subject` holds the value of LOTSA_OIDC_MATCH_CLAIM from the ID
# token. The library (mozilla-django-oidc) reads its OIDC_* settings below; the endpoints come
# from the issuer's discovery document (sso.provider).
LOTSA_OIDC_ISSUER = env.str("LOTSA_OIDC_ISSUER", default="")
LOTSA_OIDC_ENABLED = bool(LOTSA_OIDC_ISSUER)
LOTSA_OIDC_DISCOVERY_URL = env.str(
    "LOTSA_OIDC_DISCOVERY_URL",
    default=LOTSA_OIDC_ISSUER.rstrip("/") + "/.well-known/openid-configuration"
    if LOTSA_OIDC_ISSUER
    else "",
)
# How long the discovery document is kept before it is read again.
LOTSA_OIDC_DISCOVERY_CACHE_SECONDS = env.int("LOTSA_OIDC_DISCOVERY_CACHE_SECONDS", default=3600)
OIDC_RP_CLIENT_ID = env.str("LOTSA_OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("LOTSA_OIDC_CLIENT_SECRET", default="")
OIDC_RP_SCOPES = env.str("LOTSA_OIDC_SCOPES", default="openid profile")
OIDC_RP_SIGN_ALGO = env.str("LOTSA_OIDC_SIGN_ALGO", default="RS256")
# client_secret_basic (the secret in an Authorization header) instead of client_secret_post.
OIDC_TOKEN_USE_BASIC_AUTH = env.bool("LOTSA_OIDC_TOKEN_BASIC_AUTH", default=False)
OIDC_TIMEOUT = env.int("LOTSA_OIDC_TIMEOUT", default=10)
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_VERIFY_KID = True
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:callback"
# The claim that names a person, compared with User.oidc_subject: `sub` (stable per client), or
# e.g. Entra ID's `oid`, or an HSA-id claim a broker sends. It must be in the ID token.
LOTSA_OIDC_MATCH_CLAIM = env.str("LOTSA_OIDC_MATCH_CLAIM", default="sub")
# Multi-factor at the provider, so Lotsa asks for no code of its own: an `amr` value among these
# (RFC 8176), or the `acr` among LOTSA_OIDC_MFA_ACR (e.g. a LoA 3 URI from a Swedish e-ID broker).
LOTSA_OIDC_MFA_AMR: list[str] = env.list("LOTSA_OIDC_MFA_AMR", default=["mfa"])
LOTSA_OIDC_MFA_ACR: list[str] = env.list("LOTSA_OIDC_MFA_ACR", default=[])
# Optional, off by default: roles from the provider's groups. LOTSA_OIDC_GROUPS_CLAIM names the
# claim (e.g. `groups`), LOTSA_OIDC_GROUP_ROLES maps group ids to roles:
# "<group id>=coordinator,<group id>=manager". With both set, each sign-in replaces the person's
# roles with those of their groups.
LOTSA_OIDC_GROUPS_CLAIM = env.str("LOTSA_OIDC_GROUPS_CLAIM", default="")
LOTSA_OIDC_GROUP_ROLES: dict[str, str] = env.dict("LOTSA_OIDC_GROUP_ROLES", default={})
# Break glass: when set, only these user names (superusers) may still sign in with a password,
# always with their authenticator app as well; everyone else signs in with the city's account.
LOTSA_LOCAL_SIGN_IN_USERS: list[str] = env.list("LOTSA_LOCAL_SIGN_IN_USERS", default=[])
# Tolerated clock difference with the provider, and how long a sign-in started may take.
LOTSA_OIDC_CLOCK_SKEW_SECONDS = env.int("LOTSA_OIDC_CLOCK_SKEW_SECONDS", default=60)
LOTSA_OIDC_STATE_MAX_AGE_SECONDS = env.int("LOTSA_OIDC_STATE_MAX_AGE_SECONDS", default=600)
# The session of a person signed in with the city's account is kept by this backend.
AUTHENTICATION_BACKENDS.append("sso.backends.SignedInByProvider")
if LOTSA_OIDC_ENABLED:
    _oidc_problems = [
        problem
        for problem, present in [
            ("LOTSA_OIDC_CLIENT_ID is not set", OIDC_RP_CLIENT_ID),
            ("LOTSA_OIDC_CLIENT_SECRET is not set", OIDC_RP_CLIENT_SECRET),
            ("LOTSA_OIDC_SCOPES must include openid", "openid" in OIDC_RP_SCOPES.split()),
            (
                "LOTSA_OIDC_SIGN_ALGO must be an asymmetric algorithm (RS256, ES256, PS256, ...)",
                OIDC_RP_SIGN_ALGO[:2] in ("RS", "ES", "PS"),
            ),
            ("LOTSA_OIDC_MATCH_CLAIM is empty", LOTSA_OIDC_MATCH_CLAIM),
            (
                "LOTSA_OIDC_GROUP_ROLES maps to roles other than coordinator, outreach, manager, "
                "admin",
                set(LOTSA_OIDC_GROUP_ROLES.values())
                <= {"coordinator", "outreach", "manager", "admin"},
            ),
        ]
        if not present
    ]
    if _oidc_problems:
        raise ImproperlyConfigured(
            "Single sign-on (LOTSA_OIDC_ISSUER is set): " + "; ".join(_oidc_problems) + "."
        )
elif LOTSA_LOCAL_SIGN_IN_USERS:
    raise ImproperlyConfigured(
        "LOTSA_LOCAL_SIGN_IN_USERS keeps passwords for break-glass accounts only, which needs "
        "single sign-on: set LOTSA_OIDC_ISSUER (and its client), or leave it empty."
    )
