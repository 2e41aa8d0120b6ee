"""The real OpenID Connect provider of the single sign-on tests, and Lotsa pointed at it.

`oidc_provider` (once per test session) generates an RSA key, migrates a SQLite database of its
own and starts tests/oidc_provider (django-oauth-toolkit) with runserver on a free loopback
port, in a process of its own. `sso_settings` points Lotsa at it for one test: the issuer (the
endpoints come from its discovery document), a client registered for the test's Lotsa address.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sso.provider import forget_provider_metadata
from tests.helpers import ROOT
from tests.own_services import free_port

CLIENT_ID = "lotsa"
CLIENT_SECRET = "lotsa-client-secret-for-tests-only"
PROVIDER_PASSWORD = "provider-password-1"


@dataclass
class Provider:
    port: int
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    registered: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def issuer(self) -> str:
        return f"{self.url}/o"

    def manage(self, *args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "django", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def add_users(self, *users: dict[str, object]) -> None:
        """Provider accounts: {"username", "groups": [...], "active"}; password PROVIDER_PASSWORD."""
        spec = [{"password": PROVIDER_PASSWORD, **user} for user in users]
        self.manage("op_setup", json.dumps({"users": spec}))

    def register_client(self, lotsa_url: str, client_id: str = CLIENT_ID) -> None:
        """Lotsa at `lotsa_url` as a confidential client (redirect and post-logout URIs)."""
        if f"{lotsa_url} {client_id}" in self.registered:
            return
        client = {
            "client_id": client_id,
            "client_secret": CLIENT_SECRET,
            "redirect_uri": f"{lotsa_url}/sso/callback/",
            "post_logout_redirect_uri": f"{lotsa_url}/accounts/login/",
        }
        self.manage("op_setup", json.dumps({"clients": [client]}))
        self.registered.add(f"{lotsa_url} {client_id}")


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    directory = tmp_path_factory.mktemp("oidc-provider")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = directory / "signing-key.pem"
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OP_DATABASE": str(directory / "provider.sqlite3"),
        "OP_KEY_FILE": str(key_file),
        "OP_ISSUER": f"http://127.0.0.1:{port}/o",
    }
    provider = Provider(port=port, env=env)
    provider.manage("migrate", "--noinput")
    log = (directory / "runserver.log").open("wb")
    provider.process = subprocess.Popen(
        [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_discovery(provider)
        yield provider
    finally:
        provider.process.terminate()
        try:
            provider.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            provider.process.kill()
        log.close()


def _wait_for_discovery(provider: Provider, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    url = f"{provider.issuer}/.well-known/openid-configuration"
    while time.monotonic() < deadline:
        assert provider.process is not None
        if provider.process.poll() is not None:
            raise RuntimeError(f"the test provider stopped (exit {provider.process.returncode})")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the test provider did not answer at {url} within {timeout} s")


def point_lotsa_at(settings, provider: Provider, **overrides: object) -> None:
    """Lotsa's single sign-on settings for this test (pytest-django's `settings` fixture)."""
    settings.LOTSA_OIDC_ISSUER = provider.issuer
    settings.LOTSA_OIDC_ENABLED = True
    settings.LOTSA_OIDC_DISCOVERY_URL = f"{provider.issuer}/.well-known/openid-configuration"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_RP_SCOPES = "openid profile"
    for name, value in overrides.items():
        setattr(settings, name, value)
    forget_provider_metadata()
