"""The data-subject export's form: the file format and the request it answers."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dsar.exports import ExportFormat

# Written to the access log's detail (200 characters) after a fixed text of about 40.
REFERENCE_MAX_LENGTH = 120


class SubjectExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("File format"),
        choices=[
            (ExportFormat.PDF, _("PDF (to read, print or send to the person)")),
            (ExportFormat.JSON, _("JSON (machine-readable)")),
        ],
        initial=ExportFormat.PDF,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose PDF or JSON.")},
    )
    include_documents = forms.BooleanField(
        label=_("Include the case documents' files"),
        required=False,
        help_text=_(
            "The export and every document file of the person's cases, in one ZIP file. Each "
            "file included is written to the access log."
        ),
    )
    request_reference = forms.CharField(
        label=_("Reason or reference of the request"),
        max_length=REFERENCE_MAX_LENGTH,
        help_text=_(
            "For example the registration number (diarienummer) of the person's request. "
            "It is written to the access log with the export: no names or other personal data."
        ),
        error_messages={
            "required": _(
                "State the reason or reference of the request, for example its registration "
                "number (diarienummer)."
            )
        },
    )
