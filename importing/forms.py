"""The import page's form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
