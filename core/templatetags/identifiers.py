"""Identifiers inside running text (a deadline's sentence, whose dates are variables of a
translated sentence): `nowrap` renders one value through `core/_nowrap.html`, so "4 dec" or
"2026-12-11" never breaks across lines on a phone."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

register = template.Library()


@register.filter
def nowrap(value: object) -> str:
    """The value, escaped, kept on one line (the markup is the template's)."""
    # A template's output is a SafeString: the sentence puts it in as it is, not escaped twice.
    return render_to_string("core/_nowrap.html", {"value": value})
