"""Forms for case documents. They validate input; documents.services checks, scans and stores."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casework.forms import DateInput
from core.dates import PastDateField
from documents.filetypes import ACCEPTED_EXTENSIONS
from documents.models import Direction, DocumentKind


class DocumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, JPEG, PNG, DOCX or ODT. The type is read from the file's content and must "
            "match its name."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        error_messages={"required": _("Choose a file.")},
    )
    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    direction = forms.ChoiceField(
        label=_("Received or drawn up"),
        choices=Direction.choices,
        widget=forms.RadioSelect,
        initial=Direction.RECEIVED,
    )
    dated_on = PastDateField(
        label=_("Received or drawn up on"),
        widget=DateInput(),
        initial=timezone.localdate,
        help_text=_("The day the document came in, or the day it was drawn up."),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        help_text=_(
            "What the document is, for example “Beslut om betänketid”. No names are needed: "
            "the document belongs to the case."
        ),
    )

    def __init__(self, *args: Any, too_large: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._too_large = too_large
        if too_large:
            self.fields["file"].required = False  # so that clean_file says why it is missing

    def clean_file(self) -> Any:
        # The upload handler stopped reading a file over the limit (documents.uploads): the
        # field is then empty, and the user is told why rather than "choose a file".
        if self._too_large:
            raise forms.ValidationError(self._too_large, code="too_large")
        return self.cleaned_data["file"]


class DocumentVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Why was the document registered by mistake?"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: wrong case, or the wrong file. The document stays in the case."),
        error_messages={"required": _("Give the reason.")},
    )
