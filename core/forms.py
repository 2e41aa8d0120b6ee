"""Form helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest

Result = TypeVar("Result")


def is_htmx(request: HttpRequest) -> bool:
    """True for a request made by htmx (it then gets a partial template)."""
    return bool(getattr(request, "htmx", False))


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field where the form has
    that field, at the top otherwise."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for message in errors:
                form.add_error(target, message)
    else:
        form.add_error(None, error)


def run_service(
    form: forms.BaseForm, service: Callable[..., Result], **kwargs: Any
) -> Result | None:
    """Call a service; on ValidationError put the messages on `form` and return None.

    Nothing is half-saved: every service runs in one transaction.
    """
    try:
        return service(**kwargs)
    except ValidationError as error:
        add_service_errors(form, error)
        return None


def run_action(service: Callable[..., Result], **kwargs: Any) -> tuple[Result | None, list[str]]:
    """Call a service for a button without a form (sign, delete): (result, error messages).

    Nothing is half-saved: every service runs in one transaction.
    """
    try:
        return service(**kwargs), []
    except ValidationError as error:
        return None, [str(message) for message in error.messages]
