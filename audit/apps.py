from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The access log's protection and its review by the managers ("Logguppföljning")."""

    name = "audit"
    verbose_name = _("Access log")
