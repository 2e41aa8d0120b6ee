"""Template filters shared by the PDFs (`{% load pdf %}`)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_CSS_PLAIN = frozenset(" .,:;()·–-/")


@register.filter
def css_string(value: Any) -> SafeString:
    """Text for a CSS string in a PDF's page margins ("content: ..."): every character that
    is not a letter, a digit or plain punctuation becomes a CSS escape (`escapejs` gives
    JavaScript escapes, which CSS prints as they are: "Anna\\u002DKarin"). Safe: nothing left
    can end the string, the rule or the <style> element."""
    text = "".join(
        char if char.isalnum() or char in _CSS_PLAIN else f"\\{ord(char):x} " for char in str(value)
    )
    return mark_safe(text)  # every special character is escaped above
