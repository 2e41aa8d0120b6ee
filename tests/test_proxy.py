"""The production setup's TLS proxy, for real: Debian's Caddy with the committed Caddyfile in
front of a real gunicorn serving Lotsa with its production settings, on loopback ports.

Reached directly, gunicorn believed any X-Forwarded-For (LOTSA_PROXY_COUNT=1 trusts one proxy):
rotating forged addresses got round the sign-in lockout, and plain HTTP was served. Behind the
proxy a forged X-Forwarded-For or X-Forwarded-Proto changes nothing Lotsa sees, and plain HTTP
is redirected to HTTPS. The compose file publishes only the proxy.

The Caddyfile is used as committed; only its ports, certificate paths and upstream come from
the environment variables it reads (the compose file sets the same ones).
"""

from __future__ import annotations

import http.client
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import yaml
from axes.models import AccessAttempt
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory
from tests.helpers import PRODUCTION, ROOT, clean_env, collect_static
from tests.own_services import free_ports

CADDY = shutil.which("caddy") or "/usr/bin/caddy"
CADDYFILE = ROOT / "deploy" / "caddy" / "Caddyfile"
LOCKED_OUT = "Inloggningen är spärrad en stund"


def _wait_for_port(
    port: int, process: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited early: {log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass
class Setup:
    gunicorn_port: int
    http_port: int
    https_port: int
    tls: ssl.SSLContext


@pytest.fixture
def certificate(tmp_path) -> tuple[Path, Path]:
    """A certificate for localhost, as the operator would supply one (./certs in compose)."""
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture(scope="module")
def static_root(tmp_path_factory) -> Path:
    """The static files, collected as for production, into a folder of this module's own."""
    return collect_static(tmp_path_factory.mktemp("static"))


@pytest.fixture
def served(transactional_db, certificate, static_root, tmp_path) -> Iterator[Setup]:
    """gunicorn (production settings, one proxy trusted) behind Caddy, both on loopback."""
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    gunicorn_port, http_port, https_port = free_ports(3)
    app_env = clean_env(
        **{**PRODUCTION, "ALLOWED_HOSTS": "localhost"},
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="0",
        LOTSA_PROXY_COUNT="1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        LOTSA_REQUIRE_2FA="false",
        LOTSA_LOGIN_RATE_LIMIT="0",  # the lockout alone decides here
        STATIC_ROOT=str(static_root),
    )
    gunicorn = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "config.wsgi:application",
            "--bind", f"127.0.0.1:{gunicorn_port}", "--workers", "1",
        ],
        cwd=ROOT,
        env=app_env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("wb"),
    )  # fmt: skip
    cert, key = certificate
    caddy_env = clean_env(
        HOME=str(tmp_path),
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        LOTSA_SITE="localhost",
        LOTSA_BIND="127.0.0.1",
        LOTSA_UPSTREAM=f"127.0.0.1:{gunicorn_port}",
        LOTSA_HTTP_PORT=str(http_port),
        LOTSA_HTTPS_PORT=str(https_port),
        LOTSA_TLS="operator",
        LOTSA_TLS_CERT=str(cert),
        LOTSA_TLS_KEY=str(key),
    )
    caddy = subprocess.Popen(
        [CADDY, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        cwd=tmp_path,
        env=caddy_env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "caddy.log").open("wb"),
    )
    try:
        _wait_for_port(gunicorn_port, gunicorn, tmp_path / "gunicorn.log")
        _wait_for_port(https_port, caddy, tmp_path / "caddy.log")
        _wait_for_port(http_port, caddy, tmp_path / "caddy.log")
        tls = ssl.create_default_context(cafile=str(cert))
        yield Setup(gunicorn_port, http_port, https_port, tls)
    finally:
        _stop(caddy)
        _stop(gunicorn)


class Browser:
    """One client's cookies, over HTTPS through the proxy or over HTTP straight to gunicorn."""

    def __init__(self, setup: Setup, *, direct: bool = False) -> None:
        self.setup = setup
        self.direct = direct
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        if self.direct:
            return http.client.HTTPConnection("localhost", self.setup.gunicorn_port, timeout=30)
        return http.client.HTTPSConnection(
            "localhost", self.setup.https_port, context=self.setup.tls, timeout=30
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        # Straight to gunicorn the attacker claims HTTPS too (X-Forwarded-Proto), so the
        # origin it shows is an HTTPS one.
        port = self.setup.gunicorn_port if self.direct else self.setup.https_port
        origin = f"https://localhost:{port}"
        sent = {"Referer": origin + path, "Origin": origin, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self._connection()
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            conn.close()

    def sign_in(self, username: str, password: str, headers: dict[str, str]) -> tuple[int, str]:
        status, _headers, page = self.request("GET", "/accounts/login/", headers=headers)
        assert status == 200, page[:2000]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token is not None
        status, _headers, page = self.request(
            "POST",
            "/accounts/login/",
            form={
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": password,
            },
            headers=headers,
        )
        return status, page


def _staff(username: str) -> None:
    """A coordinator whose password gunicorn's production settings can check (the suite's own
    hasher, MD5 for speed, is not among them)."""
    user = UserFactory.create(username=username, roles=[Role.COORDINATOR])
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(TEST_PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


def _forged(number: int) -> dict[str, str]:
    """What an attacker sends to look like another client, over plain HTTP, each time."""
    return {
        "X-Forwarded-For": f"203.0.113.{number}",
        "X-Forwarded-Proto": "https",
        "X-Real-IP": f"203.0.113.{number}",
        "Forwarded": f"for=203.0.113.{number};proto=https",
    }


@pytest.mark.proxy
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_forged_forwarded_for_does_not_get_round_the_lockout_behind_the_proxy(served):
    _staff("karin")
    browser = Browser(served)
    for attempt in range(4):
        status, page = browser.sign_in("karin", "wrong password", _forged(attempt))
        assert status == 200, page[:2000]
        assert LOCKED_OUT not in page
    # The fifth failure (LOTSA_LOGIN_FAILURE_LIMIT) locks the user name from the one real client.
    status, page = browser.sign_in("karin", "wrong password", _forged(4))
    assert LOCKED_OUT in page, status
    # The right password from yet another forged address: still that client, still locked.
    status, page = browser.sign_in("karin", TEST_PASSWORD, _forged(99))
    assert LOCKED_OUT in page, status
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.proxy
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_the_proxy_the_same_forgery_would_work(served):
    """The control: the same requests straight to gunicorn (what the old compose file allowed
    with its published port) are taken for five different clients, and the sixth signs in."""
    _staff("samira")
    browser = Browser(served, direct=True)
    for attempt in range(5):
        status, page = browser.sign_in("samira", "wrong password", _forged(attempt))
        assert status == 200, page[:2000]
        assert LOCKED_OUT not in page
    status, _page = browser.sign_in("samira", TEST_PASSWORD, _forged(99))
    assert status == 302  # signed in: the lockout never saw one client
    assert "203.0.113.0" in set(AccessAttempt.objects.values_list("ip_address", flat=True))


@pytest.mark.proxy
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_plain_http_is_redirected_to_https(served):
    conn = http.client.HTTPConnection("localhost", served.http_port, timeout=30)
    try:
        conn.request("GET", "/accounts/login/?next=/cases/", headers=_forged(1))
        response = conn.getresponse()
        response.read()
    finally:
        conn.close()
    assert response.status in (301, 308)
    target = urlsplit(response.getheader("Location") or "")
    assert (target.scheme, target.hostname) == ("https", "localhost")
    # Caddy names the port only when it is not 443 in the site's address (production: 443).
    assert target.port in (None, served.https_port)
    assert (target.path, target.query) == ("/accounts/login/", "next=/cases/")


@pytest.mark.proxy
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_forged_forwarded_proto_does_not_change_the_scheme_lotsa_sees(served):
    """Over HTTPS with a forged `X-Forwarded-Proto: http`: Lotsa still sees HTTPS (it would
    redirect to HTTPS otherwise), and the proxy does not say what it is."""
    status, headers, page = Browser(served).request(
        "GET", "/accounts/login/", headers={"X-Forwarded-Proto": "http"}
    )
    assert status == 200, page[:2000]
    assert "Logga in" in page
    assert "strict-transport-security" in headers
    assert "server" not in headers


# --- The compose file -------------------------------------------------------------------------


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return loaded


def test_compose_publishes_only_the_proxy_and_keeps_gunicorn_internal():
    services = _compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    assert services["proxy"]["ports"] == ["80:80", "443:443"]
    assert "expose" not in services["web"]
    # The proxy runs the committed Caddyfile and the certificate the operator supplies.
    assert "./deploy/caddy:/etc/caddy:ro" in services["proxy"]["volumes"]
    assert services["proxy"]["environment"]["LOTSA_UPSTREAM"] == "web:8000"
    # PostgreSQL and Redis sit on a network without any route outside compose.
    networks = _compose()["networks"]
    assert networks["data"]["internal"] is True
    for name in ("postgres", "redis"):
        assert services[name]["networks"] == ["data"], name
    assert set(services["web"]["networks"]) == {"app", "data"}
    assert services["proxy"]["networks"] == ["app"]
    # One proxy of our own in front: the setting the Caddyfile's X-Forwarded-For matches.
    assert services["web"]["environment"]["LOTSA_PROXY_COUNT"] == "${LOTSA_PROXY_COUNT:-1}"
