"""The city's OpenID Connect provider as its discovery document describes it.

Only the issuer is configured (LOTSA_OIDC_ISSUER); the endpoints and the signing keys' address
come from `<issuer>/.well-known/openid-configuration`, read when someone first signs in and
kept for LOTSA_OIDC_DISCOVERY_CACHE_SECONDS in the process. `make run` and a Lotsa without single
sign-on never read it.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read, or does not describe the issuer
    Lotsa is configured for."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    userinfo_endpoint: str
    end_session_endpoint: str


_lock = threading.Lock()
_cache: dict[str, tuple[float, ProviderMetadata]] = {}

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _secure(url: str) -> bool:
    """HTTPS, except on this machine (a provider in the tests)."""
    parts = urlsplit(url)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in _LOOPBACK)


def provider_metadata() -> ProviderMetadata:
    """The provider's endpoints; raises ProviderUnavailable when they cannot be had."""
    url: str = settings.LOTSA_OIDC_DISCOVERY_URL
    now = time.monotonic()
    with _lock:
        cached = _cache.get(url)
        if cached and cached[0] > now:
            return cached[1]
    metadata = _read(url)
    with _lock:
        _cache[url] = (now + settings.LOTSA_OIDC_DISCOVERY_CACHE_SECONDS, metadata)
    return metadata


def forget_provider_metadata() -> None:
    """Read the discovery document again on the next sign-in (tests, a provider's key change)."""
    with _lock:
        _cache.clear()


def _read(url: str) -> ProviderMetadata:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document: dict[str, Any] = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailable(
            f"discovery document not readable: {type(error).__name__}"
        ) from error
    if not isinstance(document, dict):
        raise ProviderUnavailable("discovery document is not a JSON object")
    # OpenID Connect Discovery 1.0, section 4.3: the issuer must be exactly the one asked for,
    # or a provider could pass off another issuer's tokens as its own.
    if document.get("issuer") != settings.LOTSA_OIDC_ISSUER:
        raise ProviderUnavailable("discovery document names another issuer")
    endpoints: dict[str, str] = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        value = document.get(name)
        if not isinstance(value, str) or not _secure(value):
            raise ProviderUnavailable(f"{name} missing or not HTTPS")
        endpoints[name] = value
    optional = {}
    for name in ("userinfo_endpoint", "end_session_endpoint"):
        value = document.get(name)
        optional[name] = value if isinstance(value, str) and _secure(value) else ""
    return ProviderMetadata(issuer=document["issuer"], **endpoints, **optional)
