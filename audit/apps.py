from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The access log's protection and review, and the change history on object pages."""

    name = "audit"
    verbose_name = _("Access log and change history")

    def ready(self) -> None:
        from audit import history

        history.register_case_panel()
