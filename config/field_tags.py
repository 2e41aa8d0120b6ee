"""`{% load fields %}{{ form.status|filter_field }}`: one field of a list page's filter bar.

The same Bootstrap 5 markup as crispy-forms' `as_crispy_field` (label, control, help text,
errors, `is-invalid`, `aria-describedby`), written in Python. Filter bars are on every list
page and each of their fields costs about 1 ms through crispy's and Django's widget templates
(one template per `<option>`), which was a third of the case list's time at national scale
(bench/RESULTS.md). Widgets other than text-like inputs, selects and single check boxes are
handed to crispy unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.forms.boundfield import BoundField
from django.forms.widgets import Input
from django.utils.safestring import SafeString, mark_safe

from config.rows import escaped, html, html_join

register = template.Library()


def _options(choices: Iterable[Any], selected: set[str]) -> str:
    parts = []
    for value, label in choices:
        if isinstance(label, (list, tuple)):  # an option group
            parts.append(
                f'<optgroup label="{escaped(value)}">{_options(label, selected)}</optgroup>'
            )
            continue
        key = "" if value is None else str(value)
        chosen = " selected" if key in selected else ""
        parts.append(f'<option value="{escaped(key)}"{chosen}>{escaped(label)}</option>')
    return "".join(parts)


def _choices(form_field: forms.Field) -> Iterable[Any]:
    """The field's choices. A model choice field's rows in one query: iterating its choices
    reads them through a server-side cursor, four round trips to PostgreSQL."""
    if isinstance(form_field, forms.ModelChoiceField):
        empty = [] if form_field.empty_label is None else [("", form_field.empty_label)]
        return empty + [
            (form_field.prepare_value(row), form_field.label_from_instance(row))
            for row in (form_field.queryset or [])
        ]
    return getattr(form_field, "choices", ())


def _attributes(attrs: dict[str, Any]) -> SafeString:
    """Django's `flatatt`: ` name="value"` pairs in name order, then the true booleans."""
    pairs = sorted(
        (name, value)
        for name, value in attrs.items()
        if not isinstance(value, bool) and value is not None
    )
    flags = sorted(name for name, value in attrs.items() if value is True)
    return SafeString(
        "".join(f' {escaped(name)}="{escaped(value)}"' for name, value in pairs)
        + "".join(f" {escaped(name)}" for name in flags)
    )


def _control(field: BoundField, attrs: dict[str, Any]) -> SafeString:
    widget = field.field.widget
    name = field.html_name
    if isinstance(widget, forms.CheckboxInput):
        if widget.check_test(field.value()):
            attrs["checked"] = True
        return html('<input type="checkbox" name="{}"{}>', name, _attributes(attrs))
    if isinstance(widget, forms.Select):
        value = widget.format_value(field.value())
        if widget.allow_multiple_selected:
            attrs["multiple"] = True
        return html(
            '<select name="{}"{}>{}</select>',
            name,
            _attributes(attrs),
            mark_safe(_options(_choices(field.field), set(value))),
        )
    value = widget.format_value(field.value())
    value_attr = html(' value="{}"', value) if value not in (None, "") else ""
    return html(
        '<input type="{}" name="{}"{}{}>', widget.input_type, name, value_attr, _attributes(attrs)
    )


def _supported(widget: forms.Widget) -> bool:
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        return False
    if isinstance(widget, (forms.CheckboxInput, forms.Select)):
        return True
    return isinstance(widget, Input) and widget.input_type not in ("file", "hidden")


@register.filter
def filter_field(field: BoundField) -> SafeString:
    widget = field.field.widget
    if not _supported(widget):
        return mark_safe(str(as_crispy_field(field)))
    errors = field.errors if field.form.is_bound else []
    auto_id = field.auto_id
    described_by = []
    if field.help_text:
        described_by.append(f"{auto_id}_helptext")
    if errors:
        described_by.append(f"{auto_id}_error")
    attrs = field.build_widget_attrs(dict(widget.attrs))
    attrs["id"] = auto_id
    checkbox = isinstance(widget, forms.CheckboxInput)
    if checkbox:
        css = "form-check-input"
    elif isinstance(widget, forms.Select):
        css = "select form-select"
    else:
        css = "textinput form-control"
    attrs["class"] = " ".join(
        c for c in (str(attrs.get("class") or ""), css, "is-invalid" if errors else "") if c
    )
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if errors:
        attrs["aria-invalid"] = "true"
    required = field.field.required
    label = html(
        '<label for="{}" class="{}{}">{}{}</label>',
        auto_id,
        "form-check-label" if checkbox else "form-label",
        " requiredField" if required else "",
        field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    )
    control = _control(field, attrs)
    extra = ""
    if errors:
        extra += html(
            '<div id="{}_error" class="invalid-feedback">{}</div>',
            auto_id,
            html_join(
                "",
                '<span id="error_{}_{}"><strong>{}</strong></span>',
                ((i, auto_id, e) for i, e in enumerate(errors, 1)),
            ),
        )
    if field.help_text:
        extra += html(
            '<div id="{}_helptext" class="form-text">{}</div>',
            auto_id,
            SafeString(escaped(field.help_text)),
        )
    if checkbox:
        return html(
            '<div class="mb-3"><div id="div_{}" class="form-check">{}{}{}</div></div>',
            auto_id,
            control,
            label,
            mark_safe(extra),
        )
    return html(
        '<div id="div_{}" class="mb-3">{}{}{}</div>', auto_id, label, control, mark_safe(extra)
    )
