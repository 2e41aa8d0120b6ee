"""Real Celery worker processes, started with docker-compose.yml's commands, under faults: a
worker killed after the mail server's 250, a PostgreSQL outage, a mail server that hangs.

The workers run in processes of their own (prefork, as in production) against the test database
(or a PostgreSQL of the test's own), the test Redis on queues named for this test, and an SMTP
server the test controls (tests/smtp_server.py).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy

from accounts.models import Notification
from accounts.notifications import NotificationKind, notify, register_kind
from accounts.roles import Role
from accounts.tasks import send_notification_email, send_unsent_notification_emails
from reporting import services as reporting_services
from reporting.models import ExportFormat, ExportStatus, ReportExport
from tests.broker import forget_broker_connections, route_to_test_queues, wait_for
from tests.factories import UserFactory
from tests.helpers import PRODUCTION, ROOT, clean_env
from tests.own_services import PostgresServer, pg_bin
from tests.smtp_server import SMTPServer
from tests.test_production_stack import _json_list

register_kind("test.faults", NotificationKind(text=gettext_lazy("Something needs you.")))

pytestmark = [pytest.mark.broker, pytest.mark.postgres]


def _database_url(name: str | None = None) -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name or db['NAME']}"


class Workers:
    """The compose file's worker commands as processes, on the test's queues."""

    def __init__(self, queues: list[str], tmp_path: Path, **env: str) -> None:
        self.queues = queues
        self.log = tmp_path / "workers.log"
        self.env = clean_env(
            **{
                **PRODUCTION,
                "CELERY_BROKER_URL": settings.LOTSA_TEST_BROKER_URL,
                "DATABASE_URL": _database_url(),
                "LOTSA_DEFAULT_QUEUE": queues[0],
                "LOTSA_EMAIL_QUEUE": queues[1],
                **env,
            }
        )
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, *services: str) -> None:
        with self.log.open("ab") as log:
            for service in services:
                command = _json_list(service, "command")
                assert command[:4] == ["celery", "-A", "config", "worker"]
                queues = command[command.index("--queues") + 1]
                named = queues.replace("email", self.queues[1]).replace("celery", self.queues[0])
                args = [a if a != queues else named for a in command[1:]]
                args[args.index("--hostname") + 1] = f"{service}-{os.getpid()}@%h"
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "celery", *args],
                        cwd=ROOT,
                        env=self.env,
                        stdout=log,
                        stderr=log,
                        start_new_session=True,
                    )
                )
        assert wait_for(lambda: self.log.read_text().count(" ready.") >= len(self.processes), 90), (
            self.log.read_text()[-3000:]
        )

    def children(self) -> list[int]:
        """The pool processes (the tasks run in them)."""
        pids = []
        for process in self.processes:
            found = subprocess.run(
                ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
            ).stdout.split()
            pids += [int(pid) for pid in found]
        return pids

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


@pytest.fixture
def workers(settings, monkeypatch, tmp_path) -> Iterator[Workers]:
    queues = route_to_test_queues(settings.LOTSA_TEST_BROKER_URL, monkeypatch)
    settings.LOTSA_BROKER_CONFIGURED = True
    started: list[Workers] = []

    def make(**env: str) -> Workers:
        made = Workers(queues, tmp_path, **env)
        started.append(made)
        return made

    yield make  # type: ignore[misc]
    for made in started:
        made.stop()
    forget_broker_connections()


def _notifications(count: int) -> list[int]:
    users = [UserFactory.create(username=f"faults{n}") for n in range(count)]
    return [
        notify(recipients=[user], key=f"faults-{n}", kind="test.faults")[0].pk
        for n, user in enumerate(users)
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_after_the_servers_250_sends_again_with_the_same_message_id(workers):
    """The mail server accepted the message; the worker died before storing that it did. The
    e-mail is sent again once the dead attempt's claim has run out, with the same Message-ID.
    (Before: the repeat was a different message, indistinguishable from a new one.)"""
    held: list[psycopg.Connection] = []

    try:
        _killed_after_250(workers, held)
    finally:
        for conn in held:
            conn.close()


def _killed_after_250(workers, held: list[psycopg.Connection]) -> None:
    with SMTPServer() as smtp:

        def lock_the_row() -> None:
            # The claim is committed by now; hold the row so that the record step waits (once:
            # the second delivery goes through).
            smtp.on_data = None
            conn = psycopg.connect(_database_url())
            conn.execute("SET lock_timeout = '5s'")
            conn.execute("SELECT 1 FROM accounts_notification FOR UPDATE")
            held.append(conn)

        smtp.on_data = lock_the_row
        pool = workers(EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}", LOTSA_EMAIL_TIME_LIMIT="20")
        pool.start("mailer", "worker")
        (notification_id,) = _notifications(1)
        assert smtp.replied.wait(60), pool.log.read_text()[-3000:]
        time.sleep(1)  # the worker's UPDATE is now waiting for the row
        for pid in pool.children():
            os.kill(pid, signal.SIGKILL)
        # Its connection dies with it (the server would otherwise finish the UPDATE).
        with psycopg.connect(_database_url()) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
                "current_database() AND wait_event_type = 'Lock' AND query LIKE "
                "'UPDATE \"accounts_notification\"%%'"
            )
        held[0].rollback()
        held[0].close()
        notification = Notification.objects.get(pk=notification_id)
        assert notification.emailed_at is None
        assert notification.email_claimed_until is not None
        # The claim runs out (LOTSA_EMAIL_TIME_LIMIT + 30 s); then the sweep (beat's, here
        # every 5 s) sends it again.
        deadline = time.monotonic() + 120
        while not Notification.objects.filter(
            pk=notification_id, emailed_at__isnull=False
        ).exists():
            assert time.monotonic() < deadline, pool.log.read_text()[-3000:]
            send_unsent_notification_emails.delay()
            time.sleep(5)
        first, second = smtp.messages
    assert first["Message-ID"] == second["Message-ID"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_hung_mail_server_does_not_hold_up_the_other_work(workers, monkeypatch):
    """Three e-mails to a server that accepts connections and never answers, then an export: the
    export is made while the e-mails still hang (its own queue and worker), and each e-mail
    attempt is stopped by the task's time limit and recorded for a later try. (Before: one
    queue, two processes, no timeout: two e-mails held both processes and everything queued
    behind them waited.)"""
    manager = UserFactory.create(username="faults-manager", roles=[Role.MANAGER])
    # A task's time limits travel in its message, from the process that queues it (this one):
    # as LOTSA_EMAIL_TIME_LIMIT=20 would set them in every process of an installation.
    monkeypatch.setattr(send_notification_email, "time_limit", 20)
    monkeypatch.setattr(send_notification_email, "soft_time_limit", 10)
    # Celery caches a task's options (limits included) at its first publish in the process.
    monkeypatch.setattr(send_notification_email, "_exec_options", None)
    with SMTPServer(mode="hang", hold_seconds=300) as smtp:
        pool = workers(
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            EMAIL_TIMEOUT="120",  # longer than the test: only the time limit ends an attempt
            LOTSA_EMAIL_TIME_LIMIT="20",
        )
        pool.start("mailer", "worker")
        ids = _notifications(3)
        assert wait_for(lambda: smtp.connections >= 2, 60)
        export = reporting_services.export_request(
            by=manager,
            year=2024,
            as_of=date(2025, 3, 31),
            publication=False,
            format=ExportFormat.JSON,
        )
        assert wait_for(
            lambda: ReportExport.objects.filter(pk=export.pk, status=ExportStatus.DONE).exists(),
            60,
        ), pool.log.read_text()[-3000:]
        # Made while both e-mail processes still waited for the mail server.
        assert (
            not Notification.objects.filter(pk__in=ids, email_attempts__gt=0)
            .exclude(email_error="")
            .exists()
        )
        assert wait_for(
            lambda: Notification.objects.filter(pk__in=ids, email_error__gt="").count() == 3, 90
        ), pool.log.read_text()[-3000:]
    assert not Notification.objects.filter(pk__in=ids, emailed_at__isnull=False).exists()
    assert set(Notification.objects.filter(pk__in=ids).values_list("email_error", flat=True)) == {
        "SoftTimeLimitExceeded"
    }
    assert not Notification.objects.filter(pk__in=ids, email_claimed_until__isnull=False).exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_e_mail_tasks_survive_a_postgresql_outage(workers, tmp_path):
    """PostgreSQL (a cluster of the test's own) stops while e-mail tasks are queued and starts
    again 10 s later: every e-mail goes out by its own task's retries, without the sweep.
    (Before: a database error failed the task for good; the sweep sent it 10–25 min later.)"""
    with PostgresServer() as postgres, SMTPServer() as smtp:
        own = postgres.url("lotsa")
        subprocess.run(
            [
                pg_bin("createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(postgres.port),
                "-U",
                "postgres",
                "lotsa",
            ],
            check=True,
        )
        dump = subprocess.run(
            [pg_bin("pg_dump"), "--format=custom", _database_url()],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [pg_bin("pg_restore"), "--no-owner", "--exit-on-error", "-d", own],
            input=dump,
            check=True,
        )
        with psycopg.connect(own, autocommit=True) as conn:
            for n in range(5):
                row = conn.execute(
                    "INSERT INTO accounts_user (password, is_superuser, username, first_name, "
                    "last_name, email, is_staff, is_active, date_joined, oidc_subject) VALUES "
                    "('!', false, %s, '', '', %s, false, true, now(), '') RETURNING id",
                    [f"outage{n}", f"outage{n}@example.se"],
                ).fetchone()
                assert row is not None
                user_id = row[0]
                conn.execute(
                    "INSERT INTO accounts_notification (recipient_id, key, kind, params, url, "
                    "created_at, email_attempts, email_error) VALUES (%s, %s, 'test.faults', "
                    "'{}', '', now(), 0, '')",
                    [user_id, f"outage-{n}"],
                )
            ids = [row[0] for row in conn.execute("SELECT id FROM accounts_notification")]
        pool = workers(DATABASE_URL=own, EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}")
        pool.start("mailer")
        postgres.stop()
        for notification_id in ids:
            send_notification_email.delay(notification_id)
        assert wait_for(lambda: "OperationalError" in pool.log.read_text(), 60)
        time.sleep(10)
        postgres.start()
        assert wait_for(lambda: _unsent(own) == 0, 120), pool.log.read_text()[-3000:]
        assert len(smtp.messages) == len(ids)
        assert len(set(smtp.message_ids())) == len(ids)
        assert "Retry in" in pool.log.read_text()


def _unsent(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM accounts_notification WHERE emailed_at IS NULL"
        ).fetchone()
    return int(row[0]) if row else -1
