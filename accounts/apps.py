from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Staff and roles")

    def ready(self) -> None:
        # Imported here, not at the top: the models are loaded only by now.
        from django.contrib.auth.models import Group

        # Lotsa's own, for the same reason.
        from accounts.models import User
        from core.filter_bars import FILTER_BARS

        # The filter bars offer staff by role (coordinators, outreach workers, everyone).
        FILTER_BARS.watch([User, Group], m2m_through=[User.groups.through])
