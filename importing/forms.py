"""The import page's form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from casework.forms import CaseCreateForm, IndividualForm, SupportMeasureForm


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        allow_empty_file=True,  # read_rows says so, with the other messages about the file
        help_text=_(
            "The filled-in template as an Excel workbook (.xlsx) or a CSV file (.csv, UTF-8, "
            "separated by semicolons or commas). Nothing is imported until you confirm."
        ),
        error_messages={"required": _("Choose the file to import.")},
    )


class ConfirmForm(forms.Form):
    """Which previewed file to import: its SHA-256 names the preview kept for this user."""

    file_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)


# --- The forms of a row, checked quickly ----------------------------------------------------------


class ModelChecksInServiceMixin:
    """A user-interface form whose model validation is left to the service that saves the row.

    A ModelForm validates its model instance after its own fields (`full_clean()` of the
    instance: the model's validators and every check and unique constraint, each a query in a
    savepoint of its own). An import hands the cleaned data to the services, which validate the
    same fields again and have the database enforce the constraints when they save
    (core.saving). So the import first checks a row with these forms; a row the forms or the
    services refuse is checked again from the start with the user interface's own forms, whose
    errors are the row's report (importing.services._Import.row): every row meets every check,
    and the report is the one a coordinator typing the row into Lotsa would see.
    """

    def _post_clean(self) -> None:
        # Django's hook for the model validation of a ModelForm (construct the instance, then
        # its full_clean and unique checks): the services do both (see the docstring).
        return None


class QuickIndividualForm(ModelChecksInServiceMixin, IndividualForm):
    pass


class QuickSupportMeasureForm(ModelChecksInServiceMixin, SupportMeasureForm):
    pass


class KnownCoordinatorField(forms.ModelChoiceField):
    """The responsible coordinator among those read once for the whole file, not a query per
    row; one not among them is refused (and the row checked again with the full form)."""

    def __init__(self, known: Mapping[int, User], **kwargs: Any) -> None:
        super().__init__(queryset=User.objects.none(), **kwargs)
        self.known = known

    def to_python(self, value: Any) -> User | None:
        if value in self.empty_values:
            return None
        try:
            return self.known[int(value)]
        except (KeyError, TypeError, ValueError):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from None


class QuickCaseCreateForm(ModelChecksInServiceMixin, CaseCreateForm):
    def __init__(self, *args: Any, coordinators: Mapping[int, User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["coordinator"]
        self.fields["coordinator"] = KnownCoordinatorField(
            coordinators, label=field.label, required=field.required
        )
