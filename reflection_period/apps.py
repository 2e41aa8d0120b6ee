from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReflectionPeriodConfig(AppConfig):
    name = "reflection_period"
    verbose_name = _("Reflection period")

    def ready(self) -> None:
        # Imported here, not at the top: these modules use the models, loaded only by now.
        from reflection_period import notifications, timeline

        notifications.register()
        timeline.register_all()
