from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        # Registers outreach's notification kinds and its items on the case timeline (imported
        # here, not at the top: they use the models, loaded only by now).
        from core.filter_bars import FILTER_BARS
        from outreach import counts, notifications, timeline  # noqa: F401
        from outreach.models import District

        counts.connect()
        # The contact list's filter bar offers the active districts.
        FILTER_BARS.watch([District])
