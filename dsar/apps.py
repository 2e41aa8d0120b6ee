from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DsarConfig(AppConfig):
    """The data-subject export (registerutdrag, GDPR art. 15): everything Lotsa holds about one
    individual, as PDF or JSON, for managers. No models of its own: it reads the other apps."""

    name = "dsar"
    verbose_name = _("Data-subject export")

    def ready(self) -> None:
        # Imported here, not at the top: the module reads the models, loaded only by now.
        from dsar import background  # noqa: F401  (registers the registerutdrag's kind)
