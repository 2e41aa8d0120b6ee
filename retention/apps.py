from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Culling personal data of old cases (gallring), confirmed by a manager."""

    name = "retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        # Registers the notification managers get when a proposal is waiting (imported here, not
        # at the top: it uses the models, loaded only by now).
        from retention import (
            background,  # noqa: F401  (registers the proposal made in the background)
            notifications,  # noqa: F401
        )
