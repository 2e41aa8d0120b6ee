from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReflectionPeriodConfig(AppConfig):
    name = "reflection_period"
    verbose_name = _("Reflection period")
