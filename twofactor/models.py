"""Two-factor sign-in's own table: the one-time enrolment links of an administrator's reset.

The authenticator apps and backup codes are django-otp's devices (see services.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentLink(models.Model):
    """A one-time link for adding an authenticator app after an administrator reset someone's
    two-factor sign-in. The administrator sees the link once and gives it to the person out of
    band; only a hash of its token is stored. While a user has a link not yet used to enrol,
    adding an app needs it: the password alone does not do."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("staff member"),
    )
    # SHA-256 of the token, hex: the link cannot be rebuilt from the database.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    expires_at = models.DateTimeField(_("valid until"))
    # The browser session that opened it first may enrol with it; no other can.
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("used to add an app"), null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment link")
        verbose_name_plural = _("enrolment links")
        default_permissions = ()
        constraints = [
            models.CheckConstraint(
                name="enrolment_link_enrolled_after_opened",
                condition=models.Q(enrolled_at__isnull=True) | models.Q(opened_at__isnull=False),
                violation_error_message=_("An enrolment link is opened before it is used."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
