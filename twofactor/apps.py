from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _


class TwoFactorConfig(AppConfig):
    name = "twofactor"
    verbose_name = _("Two-factor sign-in")

    def ready(self) -> None:
        # Imported here, not at the top: these modules use the models, loaded only by now.
        from twofactor import notifications  # noqa: F401  (registers the reset's notification)
        from twofactor.signin import remember_enrolment_at_sign_in

        user_logged_in.connect(remember_enrolment_at_sign_in, dispatch_uid="twofactor-sign-in")
