"""/healthz: database, broker and cache reachability; 503 only without the database, never 500,
and answered whatever the Host header (the compose health check asks for 127.0.0.1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from config.celery import app as celery_app


def test_healthy_without_a_broker_configured(client, db, settings):
    settings.LOTSA_BROKER_CONFIGURED = False
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "in-process", "cache": "in-process"},
    }


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
    assert response.json()["checks"] == {"database": "ok", "broker": "ok", "cache": "in-process"}


def test_unreachable_broker_is_degraded_not_unavailable(client, db, broker_url):
    """Lotsa keeps working without its broker (tasks wait in the database and are queued again
    when it is back), so a load balancer must not take the web servers out of service: 200,
    "degraded". (It answered 503 before, which would have taken the whole site down with
    Redis.)"""
    broker_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error")


def test_unreachable_cache_is_degraded(client, db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["cache"].startswith("error")


def test_unreachable_database_gives_503(client, db, monkeypatch):
    monkeypatch.setattr("config.views._database_status", lambda: "error: OperationalError")
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


def test_healthz_answers_any_host_and_other_pages_still_check_it(client, db, settings):
    """The compose health check asks http://127.0.0.1:8000/healthz, with ALLOWED_HOSTS set to the
    real name only (before: 400 DisallowedHost, so `web` was never healthy)."""
    settings.ALLOWED_HOSTS = ["lotsa.example.se"]
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/healthz", HTTP_HOST="localhost").status_code == 200
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/healthz/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/accounts/login/", HTTP_HOST="lotsa.example.se").status_code == 200


def test_healthz_needs_no_login_and_shows_no_data(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert set(response.json()) == {"status", "checks"}
