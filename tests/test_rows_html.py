"""config.rows.html / html_join / escaped give exactly what Django's format_html,
format_html_join and conditional_escape give: the Python-written rows use them for every value a
list page shows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy, override

from config.rows import escaped, html, html_join


class HasHtml:
    def __html__(self) -> str:
        return "<b>own markup</b>"


VALUES = [
    "plain",
    "",
    "Ali & <Popescu> \"quoted\" 'single'",
    "<script>alert(1)</script>",
    mark_safe("<span>safe</span>"),
    SafeString("<i>safe too</i>"),
    gettext_lazy("Open"),
    mark_safe(gettext_lazy("Closed")),
    0,
    12345,
    Decimal("1.50"),
    None,
    date(2024, 3, 4),
    ["a", "<b>"],
    HasHtml(),
]


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_escaped_is_conditional_escape(value, language) -> None:
    with override(language):
        assert escaped(value) == str(conditional_escape(value))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_html_and_html_join_are_format_html_and_format_html_join(language) -> None:
    template = '<td title="{}">{}</td><td>{}</td>'
    rows = [VALUES[i : i + 3] for i in range(0, len(VALUES) - 2)]
    with override(language):
        for args in rows:
            mine, django = html(template, *args), format_html(template, *args)
            assert mine == django
            assert isinstance(mine, SafeString)
        joined = html_join("\n", template, rows)
        assert joined == format_html_join("\n", template, rows)
        assert isinstance(joined, SafeString)
        assert html_join("<br>", "{}", [("x",), ("y",)]) == format_html_join(
            "<br>", "{}", [("x",), ("y",)]
        )
        assert html_join(", ", "{}", []) == format_html_join(", ", "{}", []) == ""
