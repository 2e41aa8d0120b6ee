"""The templates themselves: Django's one-line comment tag `{# … #}` ends at the line's end, so
one spread over several lines is printed on the page (it was, on every page, from base.html)."""

from __future__ import annotations

import re

from tests.helpers import ROOT

UNCLOSED_COMMENT = re.compile(r"\{#(?:(?!#\}).)*$", re.MULTILINE)


def test_no_one_line_comment_spans_lines():
    templates = [
        path
        for path in ROOT.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "node_modules" not in path.parts
    ]
    assert len(templates) > 50
    spread = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in templates
        for text in [path.read_text(encoding="utf-8")]
        for match in UNCLOSED_COMMENT.finditer(text)
    ]
    assert not spread, "use {% comment %} for comments over several lines: " + ", ".join(spread)
