"""Identifiers inside running text (a deadline's sentence): the template wraps each in a
`text-nowrap` span, so "2026-12-11" never breaks at its hyphens on a phone."""

from __future__ import annotations

import re

from django import template

register = template.Library()

# Dates (with a time), case numbers and the individuals' references.
IDENTIFIER = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|\b\d{4}-\d{4,}\b|\bIND-\d+\b")


@register.filter
def identifier_parts(text: object) -> list[tuple[str, bool]]:
    """The text as (part, is an identifier) pairs, in order."""
    value = str(text)
    parts: list[tuple[str, bool]] = []
    position = 0
    for match in IDENTIFIER.finditer(value):
        if match.start() > position:
            parts.append((value[position : match.start()], False))
        parts.append((match.group(), True))
        position = match.end()
    if position < len(value):
        parts.append((value[position:], False))
    return parts
