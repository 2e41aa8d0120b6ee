"""What django-axes records of a sign-in attempt.

Django's sign-in form shows a maximum length for the user name but does not enforce it, so any
text reaches `authenticate()`, and axes then stores it in a column of 255 characters: a 100 kB
"user name" was a 500. No account has a longer name than the user model allows, so the name is
recorded cut to that length (an attempt is still counted, under the cut name).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest


def attempted_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str:
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    source: Any = credentials if credentials else getattr(request, "data", request.POST)
    value = source.get(field) if source is not None else None
    limit = get_user_model()._meta.get_field("username").max_length or 150
    return str(value or "")[:limit]
