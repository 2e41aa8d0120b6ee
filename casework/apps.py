from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "casework"
    verbose_name = _("Casework")

    def ready(self) -> None:
        from casework import (
            counts,
            timeline,  # noqa: F401  (registers casework's timeline providers)
        )

        counts.connect()
