from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    """The top layer: the role start pages, the navigation's counts and `seed_demo`, which
    compose every other app. No app imports this one."""

    name = "home"
    verbose_name = _("Start pages")
