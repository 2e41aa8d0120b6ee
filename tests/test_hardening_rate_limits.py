"""Rate limits: free-text searches per user, sign-in attempts per address (on top of the
lockout django-axes does per user name and address). Over a limit: 429, in Swedish, with
Retry-After; the next minute counts afresh. Counted in the Django cache, which is Redis in
production: the Redis test shows that several processes share the count and that concurrent
requests are never let through beyond the limit.
"""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from core.ratelimit import rate_limit_hit
from tests.factories import TEST_PASSWORD, CaseFactory, UserFactory

LIMITED = "Du har sökt väldigt ofta på kort tid."
START = datetime(2026, 11, 27, 10, 0, 5, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def limits(settings):
    """Limits on (the test settings switch them off), small, with an empty cache."""
    settings.LOTSA_SEARCH_RATE_LIMIT = 3
    settings.LOTSA_LOGIN_RATE_LIMIT = 4
    caches["default"].clear()
    yield settings
    caches["default"].clear()


def _search(client, text="Rosa", **extra):
    return client.post(reverse("casework:case_list"), {"status": "", "q": text}, **extra)


@time_machine.travel(START, tick=False)
def test_searches_over_the_limit_get_429_in_swedish_until_the_next_minute(
    client, limits, coordinator
):
    CaseFactory.create(coordinator=coordinator, individual__alias="Rosa")
    client.force_login(coordinator)
    for _ in range(3):
        assert _search(client).status_code == 200
    refused = _search(client)
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "För många förfrågningar" in page
    assert LIMITED in page
    assert "Vänta 55 sekunder" in page
    assert refused["Retry-After"] == "55"
    # Lists without search text are not searches: not counted, not refused.
    assert client.get(reverse("casework:case_list")).status_code == 200
    assert client.post(reverse("casework:case_list"), {"status": ""}).status_code == 200
    with time_machine.travel(START + timedelta(seconds=60), tick=False):
        assert _search(client).status_code == 200


def test_the_limit_is_per_user_and_shared_by_every_search(client, limits, coordinator, manager):
    case = CaseFactory.create(coordinator=coordinator)
    from outreach import services as outreach_services
    from tests.factories import OutreachContactFactory

    worker = UserFactory.create(username="jonas", roles=[Role.OUTREACH])
    contact = OutreachContactFactory.create(created_by=worker)
    referral = outreach_services.referral_create(contact=contact, by=worker)
    client.force_login(coordinator)
    with time_machine.travel(START, tick=False):
        assert _search(client, case.number).status_code == 200
        assert client.post(reverse("casework:case_export"), {"q": case.number}).status_code == 200
        found = client.post(
            reverse("outreach:referral_detail", args=[referral.pk]),
            {"q": case.number},
            HTTP_HX_REQUEST="true",
        )
        assert found.status_code == 200
        refused = client.post(
            reverse("outreach:referral_detail", args=[referral.pk]),
            {"q": case.number},
            HTTP_HX_REQUEST="true",
        )
        # htmx gets the explanation as a partial, shown where the results would go.
        assert refused.status_code == 429
        assert LIMITED in refused.content.decode()
        assert "<html" not in refused.content.decode()
        # Another user has their own count.
        other = Client()
        other.force_login(manager)
        assert _search(other).status_code == 200
        assert other.post(reverse("outreach:contact_list"), {"q": "x"}).status_code == 200


def test_a_refused_search_reads_nothing_and_logs_nothing(client, limits, coordinator):
    from accounts.models import AccessLogEntry

    CaseFactory.create(coordinator=coordinator, individual__alias="Rosa")
    client.force_login(coordinator)
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            _search(client)
        logged = AccessLogEntry.objects.count()
        refused = _search(client)
    assert refused.status_code == 429
    assert "Rosa" not in refused.content.decode().replace('value="Rosa"', "")
    assert AccessLogEntry.objects.count() == logged


WRONG_PASSWORD = "wrong-password-1234"


def _sign_in(client, username, password=WRONG_PASSWORD, address="10.0.0.1"):
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_sign_in_attempts_from_one_address_are_limited_across_user_names(client, db, limits):
    """Password spraying: one password tried on many user names from one address."""
    with time_machine.travel(START, tick=False):
        for number in range(4):
            assert _sign_in(client, f"user{number}").status_code == 200
        refused = _sign_in(client, "user5")
        assert refused.status_code == 429
        page = refused.content.decode()
        assert "För många inloggningsförsök från din adress." in page
        assert refused["Retry-After"] == "55"
        # Another address is not affected.
        assert _sign_in(client, "user5", address="10.0.0.2").status_code == 200
    with time_machine.travel(START + timedelta(minutes=1), tick=False):
        assert _sign_in(client, "user6").status_code == 200


def test_the_sign_in_limit_lets_the_right_password_through_below_it(client, db, limits):
    UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    with time_machine.travel(START, tick=False):
        response = _sign_in(client, "karin", password=TEST_PASSWORD)
    assert response.status_code == 302


def test_lockout_still_counts_an_absurdly_long_user_name(client, db, settings):
    """axes records the user name cut to what a user may have: the lockout still works."""
    name = "x" * 5000
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, name).status_code == 200
    locked = _sign_in(client, name)
    assert locked.status_code == 429
    from axes.models import AccessAttempt

    assert AccessAttempt.objects.get().username == "x" * 150


@pytest.mark.broker
def test_redis_counts_for_every_process_and_never_lets_a_race_through(settings):
    """With CACHE_URL on Redis: 50 concurrent requests, 20 allowed, exactly."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.LOTSA_TEST_BROKER_URL,
            "KEY_PREFIX": f"lotsa-test-{uuid.uuid4().hex}",
        }
    }
    assert "Redis" in type(caches["default"]).__name__
    allowed = []
    lock = threading.Lock()
    start = threading.Barrier(50)

    def attempt() -> None:
        start.wait()
        result = rate_limit_hit(scope="search", identity="7", limit=20, window=3600)
        with lock:
            allowed.append(result is None)

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == 20
    # A second "process" (a new connection to the same Redis) sees the same count.
    caches["default"].close()
    assert rate_limit_hit(scope="search", identity="7", limit=20, window=3600) is not None
    caches["default"].clear()


def _via_proxy(client, username, client_address, spoof):
    """A request through our one TLS proxy: it appends the address it saw to the client's
    X-Forwarded-For (which the client may have filled with anything)."""
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": WRONG_PASSWORD},
        REMOTE_ADDR="192.168.1.1",
        HTTP_X_FORWARDED_FOR=f"{spoof}, {client_address}",
    )


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, db, limits):
    limits.LOTSA_PROXY_COUNT = 1
    with time_machine.travel(START, tick=False):
        for number in range(4):
            assert (
                _via_proxy(client, f"u{number}", "10.0.0.9", f"1.2.3.{number}").status_code == 200
            )
        # A forged X-Forwarded-For does not make a new address.
        assert _via_proxy(client, "u9", "10.0.0.9", "8.8.8.8").status_code == 429
        # Another client behind the same proxy is counted apart.
        assert _via_proxy(client, "u9", "10.0.0.8", "8.8.8.8").status_code == 200


def test_lockout_behind_a_proxy_is_per_client_not_for_the_whole_unit(client, db, settings):
    """django-axes resolves the address the same way: one client's failures lock the user
    name for that client, not for every colleague behind the proxy."""
    settings.LOTSA_PROXY_COUNT = 1
    UserFactory.create(username="karin", roles=[Role.COORDINATOR])
    for number in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _via_proxy(client, "karin", "10.0.0.9", f"1.2.3.{number}").status_code == 200
    assert _via_proxy(client, "karin", "10.0.0.9", "9.9.9.9").status_code == 429
    elsewhere = client.post(
        reverse("accounts:login"),
        {"username": "karin", "password": TEST_PASSWORD},
        REMOTE_ADDR="192.168.1.1",
        HTTP_X_FORWARDED_FOR="10.0.0.8",
    )
    assert elsewhere.status_code == 302  # signed in


def test_an_address_that_is_not_one_is_never_used(rf, settings):
    from core.ratelimit import client_address

    settings.LOTSA_PROXY_COUNT = 1
    assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="not-an-address")) == "127.0.0.1"
    assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="")) == "127.0.0.1"
    assert client_address(rf.get("/", REMOTE_ADDR="")) == "unknown"
    settings.LOTSA_PROXY_COUNT = 0
    assert client_address(rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.9")) == "127.0.0.1"
