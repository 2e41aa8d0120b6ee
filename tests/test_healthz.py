"""/healthz: database and broker reachability, 200 or 503, never 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.celery import app as celery_app


def test_healthy_without_a_broker_configured(client, db, settings):
    settings.LOTSA_BROKER_CONFIGURED = False
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "in-process"}}


@pytest.fixture
def broker_url(settings, monkeypatch):
    def use(url: str) -> None:
        settings.LOTSA_BROKER_CONFIGURED = True
        monkeypatch.setattr(celery_app.conf, "broker_url", url)

    return use


@pytest.mark.broker
def test_healthy_with_the_real_redis_broker(client, db, settings, broker_url):
    broker_url(settings.LOTSA_TEST_BROKER_URL)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "broker": "ok"}


def test_unreachable_broker_gives_503(client, db, broker_url):
    broker_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_healthz_needs_no_login_and_shows_no_data(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert set(response.json()) == {"status", "checks"}
