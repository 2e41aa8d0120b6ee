"""Forms of the retention app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ConfirmForm(forms.Form):
    """The manager's confirmation that the listed personal data is culled."""

    confirm = forms.BooleanField(
        label=_(
            "I have checked the list: cull the personal data of these individuals. "
            "This cannot be undone."
        ),
        error_messages={"required": _("Tick the box to confirm the culling.")},
    )
