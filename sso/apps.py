from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    """Single sign-on with the city's OpenID Connect provider, beside the local sign-in."""

    name = "sso"
    verbose_name = _("Single sign-on")
