"""Writes for two-factor sign-in: enrolling an authenticator app, backup codes, the reset.

The devices are django-otp's: one TOTP device (the authenticator app) and one static device
holding the backup codes. These services know nothing about requests or sessions; marking a
session as verified and counting failures for the lockout is `twofactor.signin`'s job.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from hardening.digits import number_text

# One message for every refused code (wrong, expired, already used): it tells an attacker nothing.
WRONG_CODE = _(
    "The code is wrong or has expired. Enter the code the app shows right now, or one of your "
    "unused backup codes."
)
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def normalise_code(raw: str) -> str:
    """A code as typed (spaces, a dash, capitals, another script's digits or a full-width
    keyboard: hardening.digits) in the form the devices compare."""
    return "".join(number_text(raw).split()).replace("-", "").lower()


@transaction.atomic
def totp_device_for_enrolment(*, user: User) -> TOTPDevice:
    """The user's authenticator device waiting for its first code, created on the first visit.

    The same device (and key) comes back on every visit until it is confirmed, so reloading the
    page does not make a QR code already scanned useless.
    """
    # Race: two tabs opening the enrolment page at once would each create a key, and the app
    # would hold the one that is not kept. The user's row lock makes the second tab wait.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Two-factor sign-in is already set up for this account."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=APP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, code: str) -> list[str]:
    """Switch the app on with the first code it shows; returns the new backup codes.

    The codes are returned in plain text once, for the user to write down.
    """
    # Race: the form submitted twice (a double click) must confirm once and make one set of codes.
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if locked.confirmed:
        raise ValidationError(_("Two-factor sign-in is already set up for this account."))
    if not locked.verify_token(normalise_code(code)):
        raise ValidationError({"code": WRONG_CODE})
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user_id=locked.user_id, confirmed=False).delete()
    return backup_codes_replace(user=locked.user)


@transaction.atomic
def backup_codes_replace(*, user: User) -> list[str]:
    """Throw away the user's backup codes and make a new set; returns them (shown once)."""
    # Race: two regenerations at once would each delete the other's codes and leave a mix; the
    # device's row lock makes the second wait and then replace the first's set entirely.
    device = (
        StaticDevice.objects.select_for_update().filter(user=user).order_by("pk").first()
    ) or StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.token_set.all().delete()
    codes: set[str] = set()
    while len(codes) < settings.LOTSA_BACKUP_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return sorted(codes)


@transaction.atomic
def second_step_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (an app code or an unused backup code), or None.

    A backup code is deleted when used; an app code is not accepted twice (django-otp keeps the
    time step of the last accepted code).
    """
    token = normalise_code(code)
    if not token:
        return None
    # for_verify locks the devices (select_for_update): the same code sent twice at the same
    # moment is accepted once.
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if device.verify_token(token):
            return device
    return None


@transaction.atomic
def two_factor_reset(*, user: User) -> int:
    """Remove the user's app and backup codes (a lost phone); they must enrol again.

    Sessions verified with a removed device lose their verification on their next request
    (django-otp's middleware no longer finds the device). Returns the number of devices removed.
    """
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    return len(devices)
