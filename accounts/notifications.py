"""In-app notifications (the bell) and their e-mails: one mechanism for every app.

An app registers the kinds of notification it sends, with a translatable text, in its
AppConfig.ready(); `notify()` stores one row per recipient (idempotent: a key notifies a
recipient once) and e-mails each new row after the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Notification, User
from accounts.roles import Role
from accounts.tasks import send_notification_email
from core.queueing import enqueue_on_commit


@dataclass(frozen=True)
class NotificationKind:
    """How a kind of notification reads. `text` is a lazy translation with %(name)s params."""

    text: Promise
    icon: str = "bell"


_kinds: dict[str, NotificationKind] = {}


def register_kind(name: str, kind: NotificationKind) -> None:
    _kinds[name] = kind


ROLES_CHANGED = "accounts.roles_changed"
register_kind(
    ROLES_CHANGED,
    NotificationKind(text=_("%(by)s changed the roles of %(user)s: from %(before)s to %(after)s.")),
)


def notification_text(notification: Notification) -> str:
    kind = _kinds.get(notification.kind)
    if kind is None:
        return str(_("You have a new notification."))
    try:
        return str(kind.text) % dict(notification.params)
    except (KeyError, TypeError, ValueError):
        return str(kind.text)


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    key: str,
    kind: str,
    params: Mapping[str, Any] | None = None,
    url: str = "",
) -> list[Notification]:
    """Notify each recipient once per `key`; returns the notifications created now.

    Safe to call again with the same key (a retry, a second worker): existing rows are left
    alone and nothing is e-mailed twice. Params must not hold names or other identity data:
    they are shown to the recipient only, but e-mails never contain them.
    """
    if kind not in _kinds:
        raise ValueError(f"unknown notification kind: {kind}")
    wanted = {user.pk: user for user in recipients if user.is_active}
    if not wanted:
        return []
    existing = set(
        Notification.objects.filter(key=key, recipient_id__in=wanted).values_list(
            "recipient_id", flat=True
        )
    )
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, key=key, kind=kind, params=dict(params or {}), url=url)
            for pk, user in wanted.items()
            if pk not in existing
        ],
        ignore_conflicts=True,  # a concurrent notify() with the same key won the race
    )
    created = list(
        Notification.objects.filter(
            key=key, recipient_id__in=wanted, emailed_at__isnull=True
        ).exclude(recipient_id__in=existing)
    )
    for notification in created:
        # If the broker cannot take it, the e-mail sweep (accounts/emails.py) sends it later.
        enqueue_on_commit(send_notification_email, notification.pk)
    return created


def notify_managers(
    *,
    key: str,
    kind: str,
    params: Mapping[str, Any] | None = None,
    url: str = "",
    besides: User | None = None,
) -> list[Notification]:
    """Notify every active manager (but `besides`, who did what the notification is about)."""
    managers = User.objects.filter(is_active=True, groups__name=Role.MANAGER).distinct()
    if besides is not None:
        managers = managers.exclude(pk=besides.pk)
    return notify(recipients=list(managers), key=key, kind=kind, params=params, url=url)


def notification_acknowledge(*, notification: Notification, by: User) -> Notification:
    if notification.recipient_id != by.pk:
        raise PermissionError("only the recipient acknowledges a notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_retire(*, key: str) -> int:
    """Mark every unread notification sent under `key` as read: what it asked for is done
    (a colleague accepted the referral the whole inbox was told about)."""
    return Notification.objects.filter(key=key, read_at__isnull=True).update(read_at=timezone.now())


def notifications_acknowledge_all(*, by: User) -> int:
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("read_at", "-created_at")
