"""Identifiers inside running text (a deadline's sentence, whose dates are variables of a
translated sentence): `nowrap` wraps one value in a `text-nowrap` span, so "4 dec" or
"2026-12-11" never breaks across lines on a phone."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def nowrap(value: object) -> SafeString:
    """The value, escaped, in one `<span class="text-nowrap">` element."""
    return format_html('<span class="text-nowrap">{}</span>', value)
