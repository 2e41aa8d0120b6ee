"""Forms for signing in."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
