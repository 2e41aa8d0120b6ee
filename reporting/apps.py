from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self) -> None:
        # Imported here, not at the top: these modules use the models, loaded only by now.
        from reporting import cache

        cache.connect()
