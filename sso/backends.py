"""The authentication backend that keeps a session signed in with the city's account."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest


class SignedInByProvider(ModelBackend):
    """Loads the signed-in user on each request (an inactive account is signed out, as with
    a password) and never checks credentials itself: who may sign in with the city's account
    is decided by sso.views.callback."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> None:  # type: ignore[override]  # never a user
        return None
