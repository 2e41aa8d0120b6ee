from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Helpers every app uses, with no knowledge of the domain: forms and htmx, paging, dates
    and digits as people type them, free-text search, rate limits, caches that fail soft, task
    queueing, spreadsheet export, security headers, and error reports without personal data."""

    name = "core"
    verbose_name = _("Shared helpers")
