"""Error reports without personal data.

With DEBUG off, Django's error e-mails to ADMINS (and any handler that formats a request) show
the request's POST data and the local variables of every frame: for Lotsa that would be names,
ID numbers and journal texts sent by e-mail. This filter hides all of them; the traceback, the
path (ids only) and the exception's type stay, which is what finding the bug needs.
"""

from __future__ import annotations

import logging
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame: Any) -> Any:
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]


class ForbiddenWithoutTraceback(logging.Filter):
    """A refused request (403) is a user going where their role does not reach, not a bug:
    Django logs it with the PermissionDenied's traceback, which buried the log. Keep the one
    line ("Forbidden (Permission denied): /reports/") and drop the traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info = None
            record.exc_text = None
        return True
