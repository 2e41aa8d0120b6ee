"""A list page's filter bar, rendered once for everyone who sets its fields the same way.

The filter bar above a list (status, category, coordinator, year, sort, ...) costs more to
render than the list's 25 rows: crispy-forms renders each field through its templates, and
Django each option of a select through two more. On the case list the eight fields were 10 of
the page's 29 ms of CPU (bench/RESULTS.md). What a bar's fields show depends only on the
language, the day (the years offered), the values chosen and the choices offered (staff and
their roles, districts); so each field is rendered by crispy-forms as before (`as_crispy_field`),
and the rendered fields are cached under a generation (core/generation_cache.py) that any change
of a user, a role or a district retires (the apps that own those models watch them), keyed by
the language, the day and every value of the form.

A view names the fields its bar caches, and never a free-text field: a search may be a person's
name and a person's reference identifies them, neither may be kept in the cache. The page's
template renders those fields itself, `{{ filter.form.q|as_crispy_field }}`, and the bar has no
entry for them. A form with errors is rendered without the cache (its messages quote what was
sent). The bar is made when the template first reads it: an htmx request for the list alone
costs nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import cast

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from core.generation_cache import GenerationCache

FILTER_BARS = GenerationCache(
    "core:filter-bars",
    cache_setting="LOTSA_FILTER_BAR_CACHE",
    seconds_setting="LOTSA_FILTER_BAR_CACHE_SECONDS",
)


def filter_bar(form: forms.Form, names: Sequence[str]) -> Mapping[str, SafeString]:
    """The fields `names` of `form` (those it has), as crispy-forms renders them, by name
    (`{{ filter_bar.status }}` in the page's template); from the cache when a bar with the same
    values was rendered in this generation, language and day. Made when first read."""
    return cast(Mapping[str, SafeString], SimpleLazyObject(lambda: _rendered(form, names)))


def _rendered(form: forms.Form, names: Sequence[str]) -> dict[str, SafeString]:
    shown = [name for name in names if name in form.fields]

    def render() -> dict[str, SafeString]:
        return {name: as_crispy_field(form[name]) for name in shown}

    if form.is_bound and form.errors:
        return render()
    # A field's help text may name a setting (the publication threshold): part of the key too.
    values = [(name, form[name].value(), str(form.fields[name].help_text)) for name in shown]
    key = repr((type(form).__qualname__, get_language(), timezone.localdate().isoformat(), values))
    return FILTER_BARS.cached(hashlib.sha256(key.encode()).hexdigest(), render)
