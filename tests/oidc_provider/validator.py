"""What the test provider says about a user in the ID token, steered by the user's groups."""

from __future__ import annotations

import time
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


def _groups(request: Any) -> list[str]:
    return list(request.user.groups.values_list("name", flat=True))


class TestProviderValidator(OAuth2Validator):
    # Every claim below goes into the ID token, whatever the scopes (no scope filtering).
    oidc_claim_scope = None

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        groups = _groups(request)
        return {
            # A stable identifier of the person, as Entra ID's `oid` or a broker's HSA-id is.
            "sub": f"sub-{request.user.username}",
            "name": request.user.get_full_name() or request.user.username,
            "amr": ["pwd", "mfa"] if "mfa" in groups else ["pwd"],
            "groups": [group for group in groups if group.startswith("grp-")],
        }

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> Any:
        claims, expiration = super().get_id_token_dictionary(token, token_handler, request)
        groups = _groups(request)
        now = int(time.time())
        if "quirk-aud" in groups:
            claims["aud"] = "another-client"
        if "quirk-nonce" in groups:
            claims["nonce"] = "a-nonce-from-another-sign-in"
        if "quirk-expired" in groups:
            claims["iat"] = now - 3600
            claims["exp"] = now - 600
        if "quirk-iss" in groups:
            claims["iss"] = "http://127.0.0.1:9/another-issuer"
        return claims, expiration
