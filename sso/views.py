"""Signing in with the city's account: to the provider, and back.

`start` sends the browser to the provider (mozilla-django-oidc: state, nonce, PKCE). `callback`
takes the provider's answer: the state must be one this browser session was given, the code is
exchanged for an ID token whose signature, issuer, audience, expiry and nonce are checked
(sso.oidc), and the person it names must have an active account (sso.services). Every refusal is
a Swedish page with a 4xx status, and is logged; a known account's refusal also goes to the
access log and, like a wrong password, to django-axes' count of failed sign-ins.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.audit import access_source
from accounts.models import User
from accounts.views import SESSION_PROVIDER_LOGOUT_URL
from sso import services
from sso.oidc import AuthorizationRequestView, CityIdentityClient
from sso.provider import ProviderUnavailable, provider_metadata
from twofactor import signin

logger = logging.getLogger(__name__)

BACKEND = "sso.backends.SignedInByProvider"
# Where mozilla-django-oidc keeps the state, nonce and PKCE verifier of each sign-in under way,
# and the page to go to afterwards.
SESSION_STATES = "oidc_states"
SESSION_NEXT = "oidc_login_next"


def _sso_on() -> None:
    if not settings.LOTSA_OIDC_ENABLED:
        raise Http404


def _failed(request: HttpRequest, reason: str, *, status: int = 400) -> HttpResponse:
    """The sign-in could not be completed (a check failed, or the provider refused the code)."""
    logger.warning("single sign-on failed: %s", reason)
    return render(request, "sso/failed.html", status=status)


def _unavailable(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning("single sign-on: the provider did not answer: %s", reason)
    return render(request, "sso/unavailable.html", status=503)


@never_cache
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """ "Sign in with the city's account": off to the provider."""
    _sso_on()
    if request.user.is_authenticated:
        return redirect("home")
    try:
        provider_metadata()
    except ProviderUnavailable as error:
        return _unavailable(request, str(error))
    response: HttpResponse = AuthorizationRequestView.as_view()(request)
    return response


def _take_state(request: HttpRequest, state: str) -> dict[str, Any] | None:
    """The nonce and PKCE verifier this session was given with `state`; each works once."""
    states = request.session.get(SESSION_STATES)
    if not isinstance(states, dict) or state not in states:
        return None
    entry = states.pop(state)
    request.session.modified = True
    if not isinstance(entry, dict):
        return None
    added_on = entry.get("added_on")
    if not isinstance(added_on, int | float) or (
        time.time() - added_on > settings.LOTSA_OIDC_STATE_MAX_AGE_SECONDS
    ):
        return None
    return entry


def _record_failure(request: HttpRequest, username: str) -> None:
    """Count a refusal with django-axes, as a wrong password is counted."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def _provider_logout_url(request: HttpRequest, id_token: str) -> str:
    """Where signing out of Lotsa continues: the provider's end-session endpoint
    (RP-initiated logout), which comes back to Lotsa's sign-in page."""
    endpoint = provider_metadata().end_session_endpoint
    if not endpoint:
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("accounts:login")),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


@never_cache
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here with a code (or an error) and the state."""
    _sso_on()
    state = request.GET.get("state", "")
    entry = _take_state(request, state) if state else None
    if request.GET.get("error"):
        return _failed(request, f"the provider answered {request.GET['error'][:50]!r}")
    code = request.GET.get("code", "")
    if entry is None or not code:
        return _failed(request, "unknown, used or expired state, or no code")
    try:
        claims, id_token = CityIdentityClient().claims_for_code(
            request,
            code=code,
            nonce=entry.get("nonce"),
            code_verifier=entry.get("code_verifier"),
        )
    except SuspiciousOperation as error:
        return _failed(request, str(error))
    except requests.HTTPError as error:
        status = error.response.status_code if error.response is not None else 0
        if 400 <= status < 500:  # e.g. a code used twice, or a wrong PKCE verifier
            return _failed(request, f"the token endpoint refused the code ({status})")
        return _unavailable(request, f"token endpoint answered {status}")
    except (requests.RequestException, ProviderUnavailable, ValueError) as error:
        return _unavailable(request, type(error).__name__)

    source = access_source(request)
    match = services.sso_match(claims)
    if match.outcome is not services.Outcome.SIGNED_IN or match.user is None:
        services.sso_refusal_record(match=match, reason=match.outcome.value, source=source)
        _record_failure(request, match.user.username if match.user else f"sso:{match.subject}")
        return render(
            request,
            "sso/refused.html",
            {"subject": match.subject, "claim": settings.LOTSA_OIDC_MATCH_CLAIM},
            status=403,
        )
    user: User = match.user
    if signin.is_locked_out(request, user):
        services.sso_refusal_record(match=match, reason="locked out", source=source)
        return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)

    if services.group_mapping_on():
        services.sso_roles_update(user=user, claims=claims, source=source)
    next_url = request.session.pop(SESSION_NEXT, None) or reverse("home")
    login(request, user, backend=BACKEND)
    signin.signed_in_by_provider(request, user, multi_factor=match.multi_factor)
    logout_url = _provider_logout_url(request, id_token)
    if logout_url:
        request.session[SESSION_PROVIDER_LOGOUT_URL] = logout_url
    services.sso_sign_in_record(user=user, multi_factor=match.multi_factor, source=source)
    return redirect(next_url)
