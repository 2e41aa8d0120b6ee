"""Forms of the reporting app."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from casework.forms import DateInput, VersionedForm
from reporting.models import ExportFormat, ReportNarrative, Training

FIRST_YEAR = 2015


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["held_on", "title", "audience", "organiser", "participants"]
        widgets = {"held_on": DateInput()}

    def clean_held_on(self) -> Any:
        value = self.cleaned_data["held_on"]
        if value and value.year < FIRST_YEAR:
            raise ValidationError(_("Give a date from %(year)s on.") % {"year": FIRST_YEAR})
        return value


class NarrativeForm(forms.ModelForm, VersionedForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = ReportNarrative
        fields = ["introduction", "outreach_routine", "organisational_changes"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "outreach_routine": forms.Textarea(attrs={"rows": 6}),
            "organisational_changes": forms.Textarea(attrs={"rows": 6}),
        }


# The report pages' parameter fields as their filter bar renders them (core.filter_bars).
PARAMETER_FIELDS = ("year", "as_of", "publication")


class ReportParametersForm(forms.Form):
    """Which report: the year, the day states are evaluated on, and the mode."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int, choices=[])
    as_of = forms.DateField(
        label=_("As of"),
        widget=DateInput(),
        required=False,
        help_text=_("Decisions and other states are counted as they stood on this day."),
    )
    publication = forms.BooleanField(
        label=_("Publication mode"),
        required=False,
        help_text=_("Counts below %(k)s are shown as “<%(k)s”, as in published reports."),
    )

    def __init__(self, *args: Any, k: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        year_field = cast(forms.TypedChoiceField, self.fields["year"])
        year_field.choices = [(y, y) for y in range(this_year, FIRST_YEAR - 1, -1)]
        # Forms print help text as HTML (Django's and crispy's templates): the "<" escaped here.
        self.fields["publication"].help_text = escape(
            str(self.fields["publication"].help_text) % {"k": k}
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        as_of = data.get("as_of") or today
        year = data.get("year")
        if as_of > today:
            self.add_error("as_of", _("The as-of date cannot be in the future."))
        elif year and as_of.year < year:
            self.add_error("as_of", _("The as-of date cannot be before the report year."))
        data["as_of"] = as_of
        return data


class ExportForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=FIRST_YEAR)
    as_of = forms.DateField(widget=forms.HiddenInput)
    publication = forms.BooleanField(widget=forms.HiddenInput, required=False)
    format = forms.ChoiceField(choices=ExportFormat.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        today = timezone.localdate()
        year, as_of = data.get("year"), data.get("as_of")
        if year and (year > today.year):
            self.add_error("year", _("The year cannot be in the future."))
        if as_of and (as_of > today or (year and as_of.year < year)):
            self.add_error("as_of", _("The as-of date must lie between the report year and today."))
        return data
