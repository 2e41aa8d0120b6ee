"""Forms for outreach. They validate input; the services in services.py apply the rules.

The contact form is built for a phone: large controls, choices as big toggle buttons (radio
buttons and checkboxes styled with Bootstrap's `btn-check`, so it works without JavaScript).
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import CaseCreateForm
from casework.models import Category, Language, Sex
from casework.selectors import coordinators
from core.countries import countries
from core.dates import validate_work_moment
from core.search import SEARCH_MAX_LENGTH
from outreach.models import (
    AgeGroup,
    Environment,
    Indicator,
    Offer,
    OutreachContact,
    ReferralConsent,
)
from outreach.selectors import active_districts, outreach_staff

TOGGLE = {"class": "btn-check"}
LARGE_INPUT = {"class": "form-control-lg"}
LARGE_SELECT = {"class": "form-select-lg"}


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class LanguageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _now_to_the_minute() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class ContactForm(forms.Form):
    """A contact made in the field: everything on one screen, with sensible defaults."""

    contacted_at = forms.DateTimeField(
        label=_("When"),
        initial=_now_to_the_minute,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[validate_work_moment],
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local", **LARGE_INPUT}, format="%Y-%m-%dT%H:%M"
        ),
    )
    environment = forms.ChoiceField(
        label=_("Where"),
        choices=Environment.choices,
        widget=forms.RadioSelect(attrs=TOGGLE),
        error_messages={"required": _("Choose where the contact took place.")},
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=active_districts(),
        required=False,
        empty_label=_("Choose district"),
        help_text=_("Not needed for online contacts."),
        widget=forms.Select(attrs=LARGE_SELECT),
    )
    staff = UserMultipleChoiceField(
        label=_("Staff present"),
        queryset=outreach_staff(),
        widget=forms.CheckboxSelectMultiple(attrs=TOGGLE),
        error_messages={"required": _("Choose who was there.")},
    )
    alias = forms.CharField(
        label=_("Alias"),
        max_length=100,
        required=False,
        help_text=_("What the person is called. Never a full name."),
        widget=forms.TextInput(attrs={**LARGE_INPUT, "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("A few words to recognise the person by, if there is no alias."),
        widget=forms.TextInput(attrs={**LARGE_INPUT, "autocomplete": "off"}),
    )
    sex = forms.ChoiceField(
        label=_("Sex"),
        choices=Sex.choices,
        initial=Sex.UNKNOWN,
        widget=forms.RadioSelect(attrs=TOGGLE),
    )
    age_group = forms.ChoiceField(
        label=_("Age group"),
        choices=AgeGroup.choices,
        initial=AgeGroup.UNKNOWN,
        widget=forms.RadioSelect(attrs=TOGGLE),
    )
    language = LanguageChoiceField(
        label=_("Language"),
        queryset=Language.objects.filter(active=True),
        required=False,
        empty_label=_("Not known"),
        widget=forms.Select(attrs=LARGE_SELECT),
    )
    indicators = forms.MultipleChoiceField(
        label=_("Trafficking indicators"),
        choices=Indicator.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=TOGGLE),
    )
    offers = forms.MultipleChoiceField(
        label=_("Offered"),
        choices=Offer.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=TOGGLE),
    )
    consent = forms.ChoiceField(
        label=_("Consent to be referred to a coordinator"),
        choices=ReferralConsent.choices,
        initial=ReferralConsent.NOT_ASKED,
        widget=forms.RadioSelect(attrs=TOGGLE),
        help_text=_("A person presumed to be under 18 can be referred without consent."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Querysets evaluated per form, so a district or colleague added today is offered.
        cast(forms.ModelChoiceField, self.fields["district"]).queryset = active_districts()
        cast(forms.ModelChoiceField, self.fields["staff"]).queryset = outreach_staff()
        # The countries (with "unknown" and "stateless" first) without django-countries'
        # separator, which shares the blank value and would show as the selected choice.
        self.fields["presumed_nationality"] = forms.ChoiceField(
            label=_("Presumed nationality"),
            required=False,
            choices=[("", _("Not known")), *((c.code, c.name) for c in countries if c.code)],
            widget=forms.Select(attrs=LARGE_SELECT),
        )
        self.order_fields(
            [
                "contacted_at",
                "environment",
                "district",
                "staff",
                "alias",
                "description",
                "sex",
                "age_group",
                "language",
                "presumed_nationality",
                "indicators",
                "offers",
                "consent",
                "notes",
            ]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("environment") not in (None, "", Environment.ONLINE) and not data.get(
            "district"
        ):
            self.add_error(
                "district",
                _(
                    "Choose the district where the contact took place (only online contacts "
                    "may be without one)."
                ),
            )
        if Indicator.MINOR in data.get("indicators", []) and data.get("age_group") not in (
            None,
            AgeGroup.UNDER_18,
        ):
            self.add_error(
                "age_group",
                _('You ticked the indicator "minor": choose the age group "under 18" as well.'),
            )
        return data

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned data as the contact services take it."""
        data = dict(self.cleaned_data)
        data["language"] = data.get("language")
        data["presumed_nationality"] = data.get("presumed_nationality") or ""
        return data


class ContactEditForm(ContactForm):
    """Correcting a contact; carries the version it was opened on."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    @classmethod
    def initial_for(cls, contact: OutreachContact) -> dict[str, Any]:
        return {
            "version": contact.version,
            "contacted_at": timezone.localtime(contact.contacted_at),
            "environment": contact.environment,
            "district": contact.district_id,
            "staff": [user.pk for user in contact.staff.all()],
            "alias": contact.alias,
            "description": contact.description,
            "sex": contact.sex,
            "age_group": contact.age_group,
            "language": contact.language_id,
            "presumed_nationality": contact.presumed_nationality.code or "",
            "indicators": [i.indicator for i in contact.indicators.all()],
            "offers": [o.offer for o in contact.offers.all()],
            "consent": contact.consent,
            "notes": contact.notes,
        }


class ReferralForm(forms.Form):
    to_coordinator = UserChoiceField(
        label=_("Refer to"),
        queryset=coordinators(),
        required=False,
        empty_label=_("The unit's coordinators (common inbox)"),
        help_text=_("Choose a coordinator only when you have agreed with them."),
        widget=forms.Select(attrs=LARGE_SELECT),
    )
    note = forms.CharField(
        label=_("Message to the coordinator"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example when and how the person can be reached."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["to_coordinator"]).queryset = coordinators()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the referral declined?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The outreach worker who referred the person reads this."),
        error_messages={"required": _("Say why the referral is declined.")},
    )


class LinkSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the person's case"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Case number, reference, alias or name")}
        ),
    )


class ReferralCaseForm(CaseCreateForm):
    """Opening a case for a referral: the origin is always "referral from outreach"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["origin"]


def category_for(age_group: str) -> str:
    """The case category the contact's age group suggests ("": let Lotsa decide from the age)."""
    if age_group == AgeGroup.UNDER_18:
        return Category.MINOR
    if age_group in ("", AgeGroup.UNKNOWN):
        return ""
    return Category.ADULT
