"""Forms for signing in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User


def password_sign_in_allowed(user: User) -> bool:
    """With single sign-on on, LOTSA_LOCAL_SIGN_IN_USERS can keep passwords for named
    superusers only (break glass, for when the city's sign-in service is down); empty, everyone
    may sign in with a password as before."""
    allowed: list[str] = settings.LOTSA_LOCAL_SIGN_IN_USERS
    if not allowed:
        return True
    return user.is_superuser and user.get_username() in allowed


class LoginForm(AuthenticationForm):
    """Django's login form with one message for every failure: it never tells whether the
    user name exists, is inactive or locked."""

    error_messages = {
        "invalid_login": _(
            "The user name or password is wrong. Check both and try again; after repeated "
            "failures the account is locked for a while."
        ),
        "inactive": _(
            "The user name or password is wrong. Check both and try again; after repeated "
            "failures the account is locked for a while."
        ),
        "sso_only": _(
            "Signing in with a password is switched off for your account. Use “Sign in with "
            "the city's account” above."
        ),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)
        # Checked once the password was right: a wrong one gets the usual message and counts
        # towards the lockout as before.
        if not password_sign_in_allowed(user):
            raise ValidationError(self.error_messages["sso_only"], code="sso_only")
