"""Writes for two-factor sign-in: enrolling an authenticator app, backup codes, the reset.

The devices are django-otp's: one TOTP device (the authenticator app) and one static device
holding the backup codes. These services know nothing about requests or sessions; marking a
session as verified and counting failures for the lockout is `twofactor.signin`'s job.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.notifications import notify
from core.digits import number_text
from twofactor.models import EnrolmentLink

# One message for every refused code (wrong, expired, already used): it tells an attacker nothing.
WRONG_CODE = _(
    "The code is wrong or has expired. Enter the code the app shows right now, or one of your "
    "unused backup codes."
)
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def normalise_code(raw: str) -> str:
    """A code as typed (spaces, a dash, capitals, another script's digits or a full-width
    keyboard: core.digits) in the form the devices compare."""
    return "".join(number_text(raw).split()).replace("-", "").lower()


# One message for every link that does not work (used, expired, replaced, someone else's).
LINK_INVALID = _(
    "The link does not work: it has been used, has expired, was replaced by a newer one or "
    "belongs to another account. Ask the system administrator for a new enrolment link."
)
RESET_NOTICE = "twofactor.reset"


# --- Enrolment links (after an administrator's reset) -------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def enrolment_link_required(user: User) -> bool:
    """True while an administrator's reset waits for the user to add an app with its link:
    until then the password alone must not enrol."""
    return EnrolmentLink.objects.filter(user=user, enrolled_at__isnull=True).exists()


@transaction.atomic
def enrolment_link_issue(*, user: User, by: User | None) -> tuple[str, datetime]:
    """A new one-time enrolment link for `user` (the token, returned once, and until when it
    works). Earlier links not yet used stop working."""
    EnrolmentLink.objects.filter(user=user, enrolled_at__isnull=True).delete()
    token = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(hours=settings.LOTSA_ENROLMENT_LINK_HOURS)
    EnrolmentLink.objects.create(
        user=user, token_hash=_token_hash(token), created_by=by, expires_at=expires_at
    )
    return token, expires_at


@transaction.atomic
def enrolment_link_open(*, user: User, token: str) -> EnrolmentLink:
    """The signed-in user opens their link: it works once, for the browser session that opens
    it first (the caller keeps its id in that session), until it expires."""
    # Race: the link opened in two browsers at once. The row lock lets one open it; the other
    # then finds it opened.
    link = (
        EnrolmentLink.objects.select_for_update()
        .filter(token_hash=_token_hash(token), user=user, enrolled_at__isnull=True)
        .first()
    )
    if link is None or link.opened_at is not None or link.expires_at <= timezone.now():
        raise ValidationError(LINK_INVALID, code="link")
    link.opened_at = timezone.now()
    link.save(update_fields=["opened_at"])
    return link


def enrolment_link_opened(*, user: User, link_id: object) -> EnrolmentLink | None:
    """The link this browser session opened, while it still works."""
    if not isinstance(link_id, int):
        return None
    return EnrolmentLink.objects.filter(
        pk=link_id,
        user=user,
        opened_at__isnull=False,
        enrolled_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).first()


# --- The authenticator app ------------------------------------------------------------------------


@transaction.atomic
def totp_device_for_enrolment(*, user: User, link: EnrolmentLink | None = None) -> TOTPDevice:
    """The user's authenticator device waiting for its first code, created on the first visit.

    The same device (and key) comes back on every visit until it is confirmed, so reloading the
    page does not make a QR code already scanned useless. After an administrator's reset it
    needs the enrolment link this session opened (`link`): no key is made without it.
    """
    # Race: two tabs opening the enrolment page at once would each create a key, and the app
    # would hold the one that is not kept. The user's row lock makes the second tab wait.
    User.objects.select_for_update().only("pk").get(pk=user.pk)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Two-factor sign-in is already set up for this account."))
    _require_link(user, link)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice(user=user, name=APP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def _require_link(user: User, link: EnrolmentLink | None) -> None:
    if not enrolment_link_required(user):
        return
    opened = enrolment_link_opened(user=user, link_id=link.pk if link else None)
    if opened is None:
        raise PermissionDenied("enrolment after a reset needs its link")


@transaction.atomic
def totp_device_confirm(
    *, device: TOTPDevice, code: str, link: EnrolmentLink | None = None
) -> list[str]:
    """Switch the app on with the first code it shows; returns the new backup codes. After an
    administrator's reset it needs the enrolment link this session opened, which is then used.

    The codes are returned in plain text once, for the user to write down.
    """
    # Race: the form submitted twice (a double click) must confirm once and make one set of codes.
    locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if locked.confirmed:
        raise ValidationError(_("Two-factor sign-in is already set up for this account."))
    _require_link(locked.user, link)
    if not locked.verify_token(normalise_code(code)):
        raise ValidationError({"code": WRONG_CODE})
    locked.confirmed = True
    locked.save(update_fields=["confirmed"])
    EnrolmentLink.objects.filter(user_id=locked.user_id, enrolled_at__isnull=True).update(
        enrolled_at=timezone.now()
    )
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


@dataclass(frozen=True)
class Reset:
    """What an administrator's reset did, and the enrolment link to give the person (once)."""

    devices_removed: int
    token: str
    link_expires_at: datetime


@transaction.atomic
def two_factor_reset(*, user: User, by: User | None) -> Reset:
    """Remove the user's app and backup codes (a lost phone); they must enrol again, with the
    one-time enrolment link made here (earlier links stop working). The person is told in the
    bell and by e-mail, without the link, so that a reset nobody asked for does not go unseen.

    Sessions verified with a removed device lose their verification on their next request
    (django-otp's middleware no longer finds the device).
    """
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        device.delete()
    token, expires_at = enrolment_link_issue(user=user, by=by)
    notify(
        recipients=[user],
        key=f"two-factor-reset:{_token_hash(token)[:16]}",
        kind=RESET_NOTICE,
        params={"date": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    )
    return Reset(devices_removed=len(devices), token=token, link_expires_at=expires_at)
