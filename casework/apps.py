from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        # Imported here, not at the top: these modules use the models, loaded only by now.
        from accounts.audit import register_responsibility
        from casework import (
            counts,
            exports,  # noqa: F401  (registers the case list's background export)
            notifications,  # noqa: F401  (registers casework's notification kinds)
            timeline,  # noqa: F401  (registers casework's timeline providers)
        )
        from casework.selectors import RESPONSIBILITY

        counts.connect()
        register_responsibility(RESPONSIBILITY)
