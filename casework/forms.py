"""Forms for casework. They validate input; the services in services.py apply the rules."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.codes import ACCOMPANYING_KINDS, MeansOfControl, Recruitment, RelationKind
from casework.models import (
    Case,
    Category,
    ClosingReason,
    Consent,
    Individual,
    JournalEntry,
    Language,
    Purpose,
    SupportMeasure,
)
from casework.personal_number import (
    birth_date_from_personal_number,
    normalise_personal_number,
)
from casework.selectors import active_organisations, coordinators, may_see_identity
from core.dates import PastDateField, PlannedDateField
from core.digits import NumberTextField, number_text

# Shown before anyone tries what only a manager or an authorised user may do for a person with
# a protected identity (the service refuses it, with its own message, if they try anyway).
MANAGER_NEEDED = _(
    "A manager must do this. Only a manager, or someone a manager has authorised to see this "
    "person's protected identity, may open a case for them, accept a referral into their case "
    "or make someone responsible coordinator of it."
)

# What a user is told when the person they are registering may be someone whose protected
# identity they may not see: that there is a possible match, never who.
MATCH_NEEDS_MANAGER = _(
    "Lotsa found a possible match that only a manager can check. Ask a manager for help: "
    "nothing was saved, and the managers have been told."
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class CoordinatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class VersionedForm(forms.Form):
    """Carries the version of the object the form was opened on (see services.StaleEditError)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class IndividualForm(forms.ModelForm):
    personal_number = NumberTextField(
        label=_("Personal identity or coordination number"),
        required=False,
        max_length=20,
        help_text=_("YYYYMMDD-NNNN. Leave empty if the person has none or it is not known."),
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages"),
        queryset=Language.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "language-choices"}),
    )

    class Meta:
        model = Individual
        fields = [
            "alias",
            "given_name",
            "family_name",
            "sex",
            "date_of_birth",
            "birth_year",
            "citizenship",
            "languages",
            "personal_number",
            "phone",
            "protection",
            "notes",
            "interpreter_needed",
            "interpreter_language",
            "interpreter_dialect",
            "interpreter_gender",
            "interpreter_note",
        ]
        widgets = {
            "date_of_birth": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "interpreter_needed": forms.NullBooleanSelect(),
            "interpreter_note": forms.Textarea(attrs={"rows": 2}),
        }
        field_classes = {"phone": NumberTextField}
        help_texts = {
            "protection": _(
                "With protected personal data, name, date of birth, ID number and phone are "
                "hidden from everyone except managers and the staff a manager authorises. The "
                "responsible coordinators of the person's open cases are authorised when the "
                "protection is recorded."
            ),
            "alias": _("Use an alias when the name is unknown or must not be used."),
        }

    def __init__(self, *args: Any, viewer: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Who is typing: a number held by someone whose protected identity they may not see
        # must not say so (see clean_personal_number). The view logs and reports the match.
        self.viewer = viewer
        self.hidden_match: Individual | None = None

    def clean_personal_number(self) -> str | None:
        value = self.cleaned_data["personal_number"].strip()
        if not value:
            return None
        normalised = normalise_personal_number(value)
        others = Individual.objects.filter(personal_number=normalised)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        holder = others.first()
        if holder is None:
            return normalised
        if self.viewer is not None and not may_see_identity(self.viewer, holder):
            self.hidden_match = holder
            raise ValidationError(MATCH_NEEDS_MANAGER, code="protected_match")
        raise ValidationError(
            _(
                "Another individual already has this number. Search for them instead of "
                "registering the person twice."
            ),
            code="unique",
        )

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data["date_of_birth"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The date of birth cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        born = data.get("date_of_birth")
        number = data.get("personal_number")
        if born and data.get("birth_year"):
            self.add_error(
                "birth_year",
                _("Give either the date of birth or an estimated birth year, not both."),
            )
        if data.get("interpreter_needed") is False and (
            data.get("interpreter_language") or data.get("interpreter_gender")
        ):
            self.add_error(
                "interpreter_needed",
                _("An interpreter's language or gender is given: say that one is needed."),
            )
        if number:
            from_number = birth_date_from_personal_number(number)
            if born and born != from_number:
                self.add_error(
                    "date_of_birth",
                    _("The date of birth does not match the personal identity number."),
                )
            elif not born and not data.get("birth_year"):
                data["date_of_birth"] = from_number
        return data


class IndividualEditForm(IndividualForm, VersionedForm):
    pass


class CaseForm(forms.ModelForm):
    coordinator = CoordinatorChoiceField(
        label=_("Responsible coordinator"), queryset=coordinators()
    )
    purposes = forms.MultipleChoiceField(
        label=_("Suspected purposes of exploitation"),
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Case
        fields = ["category", "opened_on", "coordinator", "offence", "purposes", "origin"]
        widgets = {"opened_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["purposes"].initial = list(
                self.instance.purposes.values_list("purpose", flat=True)
            )

    def clean_opened_on(self) -> Any:
        value = self.cleaned_data["opened_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("A case cannot be opened in the future."))
        return value


class CaseCreateForm(CaseForm):
    """Opening a case: the category may be left for Lotsa to suggest from the age."""

    class Meta(CaseForm.Meta):
        help_texts = {
            "category": _(
                "Leave empty and Lotsa chooses adult or minor victim from the age on the "
                "opening date."
            )
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        category = cast(forms.TypedChoiceField, self.fields["category"])
        category.required = False
        category.choices = [("", _("Suggest from age")), *Category.choices]
        self.fields["opened_on"].initial = timezone.localdate


class CaseEditForm(CaseForm, VersionedForm):
    """Editing a case, with the facts national reporting needs (all optional)."""

    means_of_control = forms.MultipleChoiceField(
        label=_("Means of control"),
        choices=MeansOfControl.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    recruitment = forms.MultipleChoiceField(
        label=_("Method of recruitment"),
        choices=Recruitment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta(CaseForm.Meta):
        fields = [
            "category",
            "opened_on",
            "offence",
            "purposes",
            "origin",
            "suspicion_on",
            "industry",
            "means_of_control",
            "recruitment",
            "trafficker_relationship",
            "exploitation_country",
            "trafficking_status",
            "status_decided_by",
        ]
        widgets = {"opened_on": DateInput(), "suspicion_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["coordinator"]
        for name in ("means_of_control", "recruitment"):
            self.fields[name].initial = getattr(self.instance, name) or []

    def clean_suspicion_on(self) -> Any:
        value = self.cleaned_data["suspicion_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The suspicion cannot be established in the future."))
        if value and self.instance.closed_on and value > self.instance.closed_on:
            raise ValidationError(_("The suspicion cannot be established after the case closed."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("industry") and Purpose.LABOUR not in (data.get("purposes") or []):
            self.add_error(
                "industry",
                _("An industry is recorded for labour exploitation: tick that purpose too."),
            )
        if data.get("status_decided_by") and not data.get("trafficking_status"):
            self.add_error(
                "status_decided_by",
                _("Say which trafficking status was decided, or leave who decided it empty."),
            )
        return data


class DuplicateChoiceForm(forms.Form):
    """After a duplicate check: open the case for an existing person, or register a new one."""

    use_individual = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)


class CaseCloseForm(VersionedForm):
    closed_on = PastDateField(label=_("Closed on"), widget=DateInput(), initial=timezone.localdate)
    reason = forms.ChoiceField(label=_("Closing reason"), choices=ClosingReason.choices)
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseReopenForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why is the case reopened?"), widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseReassignForm(VersionedForm):
    coordinator = CoordinatorChoiceField(
        label=_("New responsible coordinator"), queryset=coordinators()
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class JournalEntryForm(forms.ModelForm):
    class Meta:
        model = JournalEntry
        fields = ["entry_date", "kind", "text"]
        widgets = {"entry_date": DateInput(), "text": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entry_date"].initial = timezone.localdate


class SupportMeasureForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=active_organisations(), required=False
    )

    class Meta:
        model = SupportMeasure
        fields = ["type", "started_on", "ended_on", "organisation", "notes"]
        widgets = {
            "started_on": DateInput(),
            "ended_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate


class SupportEndForm(forms.Form):
    ended_on = PlannedDateField(label=_("Ended on"), widget=DateInput(), initial=timezone.localdate)


class OrganisationLinkForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=active_organisations())
    linked_on = PlannedDateField(label=_("Date"), widget=DateInput(), initial=timezone.localdate)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=300,
        help_text=_("For example: placement in protected housing, contact about safe return."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ConsentForm(forms.ModelForm):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=active_organisations())

    class Meta:
        model = Consent
        fields = ["organisation", "given_on", "notes"]
        widgets = {"given_on": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = PastDateField(
        label=_("Withdrawn on"), widget=DateInput(), initial=timezone.localdate
    )


class IdentityAuthorisationForm(forms.Form):
    """A manager authorises a coordinator to see one person's protected identity."""

    user = CoordinatorChoiceField(label=_("Coordinator"), queryset=coordinators())
    reason = forms.CharField(
        label=_("Why"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For example: takes over the case during the holidays. Never the person's name."
        ),
        error_messages={"required": _("Say why the authorisation is needed.")},
    )


class IdentityAuthorisationRevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it revoked?"),
        max_length=500,
        error_messages={"required": _("Say why the authorisation is revoked.")},
    )


class RelationForm(forms.Form):
    """Link another registered person, named by their reference (IND-000147)."""

    kind = forms.ChoiceField(label=_("This person is"), choices=RelationKind.choices)
    related = forms.CharField(
        label=_("Reference of the other person"),
        max_length=12,
        help_text=_("For example IND-000147. The link is shown on both persons."),
    )

    def __init__(self, *args: Any, individual: Individual, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.individual = individual

    def clean_related(self) -> Individual:
        reference = number_text(self.cleaned_data["related"]).strip().upper()
        if reference.isdigit():
            reference = f"IND-{int(reference):06d}"
        try:
            other = Individual.objects.get(reference=reference)
        except Individual.DoesNotExist:
            raise ValidationError(
                _("No person has the reference %(reference)s.") % {"reference": reference},
                code="unknown",
            ) from None
        if other.pk == self.individual.pk:
            raise ValidationError(_("A person cannot be related to themselves."), code="self")
        return other


class AccompanyingChildForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("The new person is"),
        choices=[(kind.value, kind.label) for kind in ACCOMPANYING_KINDS],
        initial=RelationKind.ACCOMPANYING_CHILD_OF,
    )
