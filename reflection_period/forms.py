"""Forms of the reflection period. They validate input; services.py applies the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import DateInput, VersionedForm
from casework.models import Purpose
from core.dates import PastDateField, PlannedDateField
from core.digits import NumberTextField
from reflection_period.models import (
    DueKind,
    NextStep,
    ReflectionPeriodApplication,
    Status,
)


def _model_field(name: str, **kwargs: Any) -> forms.Field:
    """The form field for a model field: its label, help text, choices and whether required."""
    model_field = ReflectionPeriodApplication._meta.get_field(name)
    field = model_field.formfield(**kwargs) if isinstance(model_field, models.Field) else None
    if field is None:  # not a plain model field: a programming error
        raise TypeError(name)
    return field


APPLICATION_FIELDS = (
    "applicant",
    "applicant_contact",
    "legal_basis",
    "offence",
    "purposes",
    "circumstances",
    "migration_agency_number",
    "notes",
)


class ApplicationForm(forms.Form):
    """The grounds of an application; prefilled from the case when it is started.

    A plain form (not a ModelForm): the service validates the application as a whole, with
    each constraint's message on the field it concerns.
    """

    applicant = _model_field("applicant")
    applicant_contact = _model_field("applicant_contact")
    legal_basis = _model_field(
        "legal_basis",
        help_text=_(
            "The social welfare committee applies for the 30-day reflection period. Record "
            "longer permits and extensions when the police or a prosecutor applies."
        ),
    )
    offence = _model_field("offence")
    purposes = forms.MultipleChoiceField(
        label=_("Suspected purposes of exploitation"),
        choices=Purpose.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    circumstances = _model_field("circumstances", widget=forms.Textarea(attrs={"rows": 6}))
    migration_agency_number = _model_field(
        "migration_agency_number",
        form_class=NumberTextField,
        help_text=_("If Migrationsverket has given one already."),
    )
    notes = _model_field(
        "notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Internal notes; not printed on the application."),
    )

    @staticmethod
    def initial_from(application: ReflectionPeriodApplication) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(application, name) for name in APPLICATION_FIELDS if name != "purposes"
        }
        initial["purposes"] = [p.purpose for p in application.purposes.all()]
        initial["version"] = application.version
        return initial


class ApplicationCreateForm(ApplicationForm):
    submitted_on = PastDateField(
        label=_("Already sent on"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Leave empty to save a draft. Fill in when recording an application that has "
            "already been sent, for example one made by the police."
        ),
    )


class ApplicationEditForm(ApplicationForm, VersionedForm):
    pass


class SubmitForm(VersionedForm):
    submitted_on = PastDateField(
        label=_("Sent to Migrationsverket on"), widget=DateInput(), initial=timezone.localdate
    )
    migration_agency_number = NumberTextField(
        label=_("Migrationsverket's case number"),
        max_length=40,
        required=False,
        help_text=_("If known already; it can be added with the decision."),
    )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Status.GRANTED, Status.GRANTED.label), (Status.REJECTED, Status.REJECTED.label)],
        widget=forms.RadioSelect,
    )
    decided_on = PastDateField(
        label=_("Decided on"), widget=DateInput(), initial=timezone.localdate
    )
    migration_agency_number = NumberTextField(
        label=_("Migrationsverket's case number"), max_length=40, required=False
    )
    valid_from = PlannedDateField(
        label=_("Permit valid from"),
        required=False,
        widget=DateInput(),
        help_text=_("Only for a granted permit."),
    )
    valid_to = PlannedDateField(
        label=_("Permit valid to"),
        required=False,
        widget=DateInput(),
        help_text=_(
            "Leave empty for 30 days in all (the first day + 29 days); change it if the "
            "decision says otherwise."
        ),
    )
    cost_responsibility_on = PlannedDateField(
        label=_("Cost responsibility passed to Migrationsverket on"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the first day of the permit."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Status.GRANTED and not data.get("valid_from"):
            self.add_error("valid_from", _("A granted permit needs the day it is valid from."))
        if data.get("decision") == Status.REJECTED and (
            data.get("valid_from") or data.get("valid_to") or data.get("cost_responsibility_on")
        ):
            self.add_error("valid_from", _("A rejected application has no permit dates."))
        return data


class PermitForm(VersionedForm):
    valid_from = PlannedDateField(label=_("Permit valid from"), widget=DateInput())
    valid_to = PlannedDateField(label=_("Permit valid to"), widget=DateInput())
    cost_responsibility_on = PlannedDateField(
        label=_("Cost responsibility passed to Migrationsverket on"),
        required=False,
        widget=DateInput(),
    )


class NextStepForm(VersionedForm):
    next_step = forms.ChoiceField(label=_("Next step"), choices=NextStep.choices)
    next_step_on = PastDateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class WithdrawForm(VersionedForm):
    withdrawn_on = PastDateField(
        label=_("Withdrawn on"), widget=DateInput(), initial=timezone.localdate
    )
    reason = forms.CharField(
        label=_("Why is the application withdrawn?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class BoardFilterForm(forms.Form):
    """The deadline board's filters (in the URL, so a filtered board can be shared)."""

    scope = forms.ChoiceField(
        label=_("Show"),
        choices=[("mine", _("My cases")), ("unit", _("The whole unit"))],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Waiting for"),
        choices=[("", _("Everything")), *DueKind.choices],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)
