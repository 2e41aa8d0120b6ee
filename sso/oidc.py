"""mozilla-django-oidc, configured from the discovery document and checking more of the ID token.

The library does the protocol: the authorization request with state, nonce and PKCE (S256), the
code exchange, the signature against the provider's published keys (JWKS) and the nonce. Its
endpoints come from `sso.provider` here instead of settings. Its own check of the token leaves
out the audience and the issuer; `CityIdentityClient` adds them, and requires an expiry.
"""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from sso.provider import provider_metadata

# The library's setting names for what the discovery document says.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
}


def oidc_setting(attr: str, *default: Any) -> Any:
    """The library's settings: endpoints from the discovery document, the rest from settings."""
    if attr in _DISCOVERED:
        return getattr(provider_metadata(), _DISCOVERED[attr])
    return import_from_settings(attr, *default)


class AuthorizationRequestView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider with a new state, nonce and PKCE challenge (kept in
    the session under the state)."""

    get_settings = staticmethod(oidc_setting)


class CityIdentityClient(OIDCAuthenticationBackend):
    """Exchanges the code for tokens and returns the ID token's claims once they are verified.

    Not an authentication backend of its own (it is not in AUTHENTICATION_BACKENDS): the
    callback view decides who signs in (sso.services), and the session is then kept by
    sso.backends.SignedInByProvider.
    """

    get_settings = staticmethod(oidc_setting)

    def __init__(self) -> None:  # the library's reads settings it has from discovery here
        super().__init__()
        self.OIDC_OP_ISSUER = provider_metadata().issuer
        self.UserModel = get_user_model()

    def claims_for_code(
        self, request: HttpRequest, *, code: str, nonce: str | None, code_verifier: str | None
    ) -> tuple[dict[str, Any], str]:
        """The verified claims of the ID token the provider gives for `code`, and the token.

        Raises SuspiciousOperation for a token that fails a check, and requests' exceptions when
        the provider does not answer or refuses the code."""
        self.request = request
        payload = {
            "client_id": self.OIDC_RP_CLIENT_ID,
            "client_secret": self.OIDC_RP_CLIENT_SECRET,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": request.build_absolute_uri(reverse("sso:callback")),
        }
        if code_verifier is not None:
            payload["code_verifier"] = code_verifier
        token_info = self.get_token(payload)
        id_token = token_info.get("id_token") if isinstance(token_info, dict) else None
        if not isinstance(id_token, str) or not id_token:
            raise SuspiciousOperation("The token response has no ID token.")
        try:
            claims: dict[str, Any] = self.verify_token(id_token, nonce=nonce)
        except (jwt.PyJWTError, KeyError, TypeError) as error:
            # Not a JWT, no key id, or no key of the provider's that fits it.
            raise SuspiciousOperation(
                f"The ID token is unreadable: {type(error).__name__}"
            ) from error
        return claims, id_token

    def _verify_jws(self, payload: str, key: Any) -> dict[str, Any]:
        """The signature (with the key from the provider's JWKS), and what the library leaves
        out: the token is for this client (aud, and azp when there are several audiences), from
        the configured issuer, and not expired (exp and iat required)."""
        header = jwt.get_unverified_header(payload)
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("The ID token is signed with another algorithm.")
        try:
            claims: dict[str, Any] = jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=self.OIDC_OP_ISSUER,
                leeway=settings.LOTSA_OIDC_CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise SuspiciousOperation("The ID token has expired.") from error
        except jwt.InvalidAudienceError as error:
            raise SuspiciousOperation("The ID token is for another client.") from error
        except jwt.InvalidIssuerError as error:
            raise SuspiciousOperation("The ID token is from another issuer.") from error
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"The ID token is invalid: {type(error).__name__}") from error
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The ID token was issued to another party (azp).")
        return claims
