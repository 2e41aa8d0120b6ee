"""The template helpers written for speed (bench/RESULTS.md) must show what the slower originals
showed: the filter bars' fields (config/field_tags.py, in place of crispy-forms) and the `date`
filter (config/format_tags.py, in place of Django's)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django import forms
from django.template import Context, Template
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from config.field_tags import filter_field


class _Filters(forms.Form):
    q = forms.CharField(
        label="Sök", required=False, widget=forms.TextInput(attrs={"type": "search"})
    )
    status = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Alla"), ("open", "Öppet")]
    )
    place = forms.ChoiceField(
        label="Plats",
        required=False,
        choices=[("", "–"), ("Norr", [("1", "Norrmalm <b>"), ("2", "Vasastan")])],
    )
    mine = forms.BooleanField(label="Bara mina", required=False)
    year = forms.IntegerField(label="År", required=False, help_text="Till exempel 2024")
    since = forms.DateField(
        label="Från", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(
        label="Sort", required=False, choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect
    )


def _render(form: forms.Form, name: str) -> str:
    return str(filter_field(form[name]))


def test_a_select_keeps_its_label_choice_and_groups_and_escapes_labels():
    form = _Filters({"status": "open", "place": "1"})
    status = _render(form, "status")
    assert '<label for="id_status" class="form-label">Status</label>' in status
    assert '<select name="status" class="select form-select" id="id_status">' in status
    assert '<option value="open" selected>Öppet</option>' in status
    assert '<option value="">Alla</option>' in status
    place = _render(form, "place")
    assert '<optgroup label="Norr">' in place
    assert '<option value="1" selected>Norrmalm &lt;b&gt;</option>' in place
    assert "<b>" not in place


def test_a_check_box_a_search_box_and_a_date_keep_their_values():
    form = _Filters({"mine": "on", "q": 'Anna "A"', "since": "2024-05-01"})
    mine = _render(form, "mine")
    assert 'type="checkbox" name="mine" class="form-check-input" id="id_mine" checked' in mine
    assert '<label for="id_mine" class="form-check-label">Bara mina</label>' in mine
    assert 'value="Anna &quot;A&quot;"' in _render(form, "q")
    assert 'type="search"' in _render(form, "q")
    since = _render(form, "since")
    assert 'type="date"' in since
    assert 'value="2024-05-01"' in since
    assert "checked" not in _render(_Filters({}), "mine")


def test_errors_and_help_text_are_shown_and_tied_to_the_field():
    form = _Filters({"year": "tjugo"})
    html = _render(form, "year")
    assert "is-invalid" in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_year_helptext id_year_error"' in html
    assert '<div id="id_year_error" class="invalid-feedback">' in html
    assert "<strong>Fyll i ett heltal.</strong>" in html
    assert '<div id="id_year_helptext" class="form-text">Till exempel 2024</div>' in html
    # Not bound: no errors shown, the help text still is.
    unbound = _render(_Filters(), "year")
    assert "is-invalid" not in unbound
    assert "Till exempel 2024" in unbound


def test_other_widgets_are_left_to_crispy_forms():
    html = _render(_Filters({"kind": "b"}), "kind")
    assert 'type="radio"' in html
    assert "form-check-input" in html


# --- The date filter --------------------------------------------------------------------------

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")

_values = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=5),
    st.dates(min_value=datetime.date(1, 1, 1)),
    st.datetimes(),
    # hypothesis wants a naive bound; 1900 keeps the conversion to local time in range.
    st.datetimes(min_value=datetime.datetime(1900, 1, 1), timezones=st.just(datetime.UTC)),  # noqa: DTZ001
)


@settings(max_examples=300, deadline=None)
@given(value=_values, fmt=st.sampled_from(["Y-m-d", "Y-m-d H:i", "j/n", "SHORT_DATE_FORMAT"]))
def test_the_date_filter_writes_what_djangos_writes(value, fmt):
    template = Template("{{ value|date:fmt }}")
    local = value
    with translation.override("sv"), timezone.override(STOCKHOLM):
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            local = timezone.localtime(value)
        try:
            theirs = escape(django_date(local, fmt))
        except TypeError as error:  # Django's: a time format for a date
            with pytest.raises(type(error)):
                template.render(Context({"value": value, "fmt": fmt}))
            return
        assert template.render(Context({"value": value, "fmt": fmt})) == theirs


def test_a_model_choice_field_lists_its_rows_with_one_plain_query(
    coordinator, other_coordinator, django_assert_num_queries
):
    """Django iterates a model choice field's rows through a server-side cursor (DECLARE, FETCH,
    CLOSE: four round trips on PostgreSQL); the filter bar reads them with one query."""
    from accounts.models import User

    class Form(forms.Form):
        who = forms.ModelChoiceField(
            User.objects.order_by("first_name"), required=False, empty_label="Alla"
        )

    form = Form({"who": str(other_coordinator.pk)})
    with django_assert_num_queries(2):  # validating the chosen row, then all rows
        html = _render(form, "who")
    assert '<option value="">Alla</option>' in html
    assert f'<option value="{coordinator.pk}">{coordinator}</option>' in html
    assert f'<option value="{other_coordinator.pk}" selected>{other_coordinator}</option>' in html
