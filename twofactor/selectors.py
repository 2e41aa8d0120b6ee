"""Reads for two-factor sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


@dataclass(frozen=True)
class TwoFactorStatus:
    """What a user (or an administrator) is shown about someone's two-factor sign-in."""

    enrolled: bool
    app_added_at: datetime | None
    app_last_used_at: datetime | None
    backup_codes_left: int


def has_confirmed_device(user: User) -> bool:
    """True once the user has switched two-factor sign-in on (an app or backup codes)."""
    return bool(user_has_device(user, confirmed=True))


def two_factor_status(user: User) -> TwoFactorStatus:
    app = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    backup_codes_left = StaticToken.objects.filter(
        device__user=user, device__confirmed=True
    ).count()
    return TwoFactorStatus(
        enrolled=app is not None,
        app_added_at=app.created_at if app else None,
        app_last_used_at=app.last_used_at if app else None,
        backup_codes_left=backup_codes_left,
    )
