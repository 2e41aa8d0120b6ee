from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DsarConfig(AppConfig):
    """The data-subject export (registerutdrag, GDPR art. 15): everything Lotsa holds about one
    individual, as PDF or JSON, for managers. No models of its own: it reads the other apps."""

    name = "dsar"
    verbose_name = _("Data-subject export")
