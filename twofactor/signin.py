"""The second step of signing in, as seen from a request: who must pass it, marking a session
as verified, and counting wrong codes with django-axes.

django-axes counts failed sign-ins per (user name, address) and locks after the limit. A wrong
code is sent to axes as a failed sign-in (the `user_login_failed` signal, as a wrong password
is), so passwords and codes share one counter, one limit and one cool-off. The counter is reset
only when the whole sign-in succeeded: after the password when no second step is needed, else
after the code (settings: AXES_RESET_ON_SUCCESS is off).
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device

from accounts.models import User
from twofactor.selectors import has_confirmed_device

# Whether the user had two-factor sign-in on when this session signed in. Read on every request
# instead of asking the device tables each time.
SESSION_ENROLLED = "lotsa_two_factor_enrolled"
# Backup codes just made, to be shown once on the next page.
SESSION_NEW_CODES = "lotsa_two_factor_new_codes"
# An enrolment link's token, from opening the link until the enrolment page opens it for the
# signed-in user; then the id of the link this session opened.
SESSION_LINK_PENDING = "lotsa_two_factor_link_token"
SESSION_LINK = "lotsa_two_factor_link"
# Single sign-on (sso app): this session was signed in by the city's identity provider, and
# whether the provider said it used more than one factor (then Lotsa asks for no code of its own).
SESSION_BY_PROVIDER = "lotsa_signed_in_by_provider"
SESSION_PROVIDER_MFA = "lotsa_provider_multi_factor"


def _credentials(user: User) -> dict[str, str]:
    return {"username": user.get_username()}


def second_step_needed(request: HttpRequest) -> bool:
    """True if this session must pass the second step: always when LOTSA_REQUIRE_2FA is on,
    otherwise when the user had switched it on themselves. A sign-in with the city's account
    whose provider used more than one factor needs none; a password sign-in while passwords are
    kept for break-glass accounts only (LOTSA_LOCAL_SIGN_IN_USERS) always needs it."""
    if request.session.get(SESSION_BY_PROVIDER, False):
        if request.session.get(SESSION_PROVIDER_MFA, False):
            return False
    elif settings.LOTSA_LOCAL_SIGN_IN_USERS:
        return True
    return bool(settings.LOTSA_REQUIRE_2FA or request.session.get(SESSION_ENROLLED, False))


def is_verified(request: HttpRequest) -> bool:
    """True if this session passed the second step: with a code (django-otp's OTPMiddleware
    decides), or at the city's identity provider with more than one factor."""
    if request.session.get(SESSION_BY_PROVIDER, False) and request.session.get(
        SESSION_PROVIDER_MFA, False
    ):
        return True
    return bool(request.user.is_verified())  # type: ignore[union-attr]  # set by OTPMiddleware


def remember_enrolment_at_sign_in(
    sender: object, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """On every sign-in (the password step): note whether the user has two-factor on, and reset
    the lockout counter when the password was the whole sign-in."""
    if request is None or not hasattr(request, "session"):
        return
    enrolled = has_confirmed_device(user)
    request.session[SESSION_ENROLLED] = enrolled
    if not second_step_needed(request):
        _reset_failures(request, user)


def signed_in_by_provider(request: HttpRequest, user: User, *, multi_factor: bool) -> None:
    """Called right after a sign-in with the city's account (the sso app): remember how this
    session signed in, and reset the lockout counter when no code of Lotsa's own follows."""
    request.session[SESSION_BY_PROVIDER] = True
    request.session[SESSION_PROVIDER_MFA] = multi_factor
    if not second_step_needed(request):
        _reset_failures(request, user)


def _reset_failures(request: HttpRequest, user: User) -> None:
    AxesProxyHandler.update_request(request)
    AxesProxyHandler.get_implementation().reset_user_attempts(request, _credentials(user))


def complete(request: HttpRequest, user: User, device: Device) -> None:
    """The second step succeeded: mark the session verified by `device`."""
    # A new session key for the raised privilege, so a key seen before the code is worth nothing.
    request.session.cycle_key()
    otp_login(request, device)
    request.session[SESSION_ENROLLED] = True
    _reset_failures(request, user)


def is_locked_out(request: HttpRequest, user: User) -> bool:
    return not AxesProxyHandler.is_allowed(request, _credentials(user))


def record_wrong_code(request: HttpRequest, user: User) -> bool:
    """Count a wrong code as a failed sign-in; True if the user is now locked out."""
    user_login_failed.send(sender=__name__, credentials=_credentials(user), request=request)
    return bool(getattr(request, "axes_locked_out", False))


def sign_out_locked(request: HttpRequest, user: User) -> None:
    """Sign a locked-out user out. AxesMiddleware (last in MIDDLEWARE) then answers this request
    with the same lockout page as for the password step."""
    request.axes_locked_out = True  # type: ignore[attr-defined]  # read by AxesMiddleware
    request.axes_credentials = _credentials(user)  # type: ignore[attr-defined]
    logout(request)
