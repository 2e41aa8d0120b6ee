"""Redis down (the cache and the broker, as in docker-compose.yml): the app stays up, nothing is
lost, and everything catches up when Redis is back.

The test runs a Redis of its own (tests/own_services.py) with the compose file's persistence,
stops it for the outage and starts it again with its data; never the shared one. Before this
was fixed, with Redis stopped: the case list answered 500 (its count cache), a sign-in 500 (the
rate-limit cache), an export 500 after its row was committed (left "queued" forever), and a new
notification's e-mail was never queued.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import Notification
from accounts.notifications import NotificationKind, notify, register_kind
from accounts.tasks import send_unsent_notification_emails
from config.celery import app as celery_app
from core import soft_cache
from reporting.models import ExportStatus, ReportExport
from reporting.tasks import sweep_exports
from tests.broker import forget_broker_connections, route_to_test_queues, wait_for
from tests.factories import TEST_PASSWORD, UserFactory
from tests.own_services import RedisServer
from tests.reflection_period_helpers import open_case
from tests.smtp_server import SMTPServer, use_smtp

register_kind("test.outage", NotificationKind(text=gettext_lazy("Something needs you.")))


def _shown_count(client: Client) -> str:
    response = client.get(reverse("casework:case_list"), {"status": "open"})
    assert response.status_code == 200
    shown = re.search(r"<span>([\d\s]+) ärende", response.content.decode())
    assert shown is not None
    return shown.group(1).strip()


@pytest.fixture
def redis_server(tmp_path):
    with RedisServer(tmp_path / "redis") as server:
        yield server


@pytest.fixture
def on_own_redis(settings, monkeypatch, redis_server):
    """Cache (db 1) and broker (db 0) on the test's own Redis, the caches switched on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url(1),
            "KEY_PREFIX": "lotsa",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.LOTSA_LIST_COUNT_CACHE_SECONDS = 600
    settings.LOTSA_REPORT_CACHE_SECONDS = 3600
    settings.LOTSA_FILTER_BAR_CACHE_SECONDS = 3600
    settings.LOTSA_LOGIN_RATE_LIMIT = 5
    settings.LOTSA_BROKER_CONFIGURED = True
    monkeypatch.setattr(soft_cache, "RETRY_SECONDS", 0.5)
    soft_cache.reset()
    queues = route_to_test_queues(redis_server.url(0), monkeypatch)
    yield queues
    soft_cache.reset()
    forget_broker_connections()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_redis_down_pages_keep_working_and_everything_catches_up(
    settings, redis_server, on_own_redis, coordinator, manager
):
    open_case(coordinator)
    coordinator_client, manager_client = Client(), Client()
    coordinator_client.force_login(coordinator)
    manager_client.force_login(manager)
    assert _shown_count(coordinator_client) == "1"  # counted, and cached in Redis

    redis_server.stop()

    # The case list: counted without the cache, also after a change.
    assert _shown_count(coordinator_client) == "1"
    open_case(coordinator)
    assert _shown_count(coordinator_client) == "2"

    # Sign-in works; the address limit still counts (in this process) ...
    UserFactory.create(username="eva")
    assert (
        Client().post(reverse("accounts:login"), {"username": "eva", "password": TEST_PASSWORD})
    ).status_code == 302
    stranger = Client()
    statuses = [
        stranger.post(reverse("accounts:login"), {"username": f"u{n}", "password": "x"}).status_code
        for n in range(6)
    ]
    assert statuses[:4] == [200] * 4  # the sign-in page again, with its error
    assert statuses[-1] == 429

    # ... the export is saved and its page says what is happening ...
    response = manager_client.post(
        reverse("reporting:export_create"),
        {"year": "2024", "as_of": "2025-03-31", "format": "json"},
    )
    assert response.status_code == 302
    export = ReportExport.objects.get()
    assert (export.status, export.queued_at) == (ExportStatus.QUEUED, None)
    page = manager_client.get(response["Location"]).content.decode()
    assert "Tjänsten som skapar filerna går inte att nå just nu" in page

    # ... a notification is stored, its e-mail waits ...
    (notification,) = notify(recipients=[coordinator], key="outage", kind="test.outage")

    # ... and the health check says "degraded", not "unavailable".
    health = Client().get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "degraded"

    # Redis is back after a minute (the rows are made a minute older than they are).
    ReportExport.objects.update(requested_at=timezone.now() - timedelta(minutes=1))
    Notification.objects.update(created_at=timezone.now() - timedelta(minutes=2))
    redis_server.start()
    forget_broker_connections()
    with SMTPServer() as smtp:
        use_smtp(settings, smtp)
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=on_own_redis,
            shutdown_timeout=30,
        ):
            # What beat sends every minute.
            sweep_exports.delay()
            send_unsent_notification_emails.delay()
            assert wait_for(
                lambda: ReportExport.objects.filter(status=ExportStatus.DONE).exists(), 60
            ), ReportExport.objects.values("status", "error").get()
            assert wait_for(
                lambda: Notification.objects.filter(
                    pk=notification.pk, emailed_at__isnull=False
                ).exists(),
                60,
            )
    assert len(smtp.messages) == 1
    detail = manager_client.get(reverse("reporting:export_detail", args=[export.pk])).content
    assert reverse("reporting:export_download", args=[export.pk]).encode() in detail

    # The count cached before the outage is not shown again: the change made during it counts.
    assert _shown_count(coordinator_client) == "2"
    open_case(coordinator)
    assert _shown_count(coordinator_client) == "3"
