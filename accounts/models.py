"""Staff accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of staff who signs in to Lotsa; what they may do follows from their roles."""

    # Single sign-on (sso app): the value of the identity provider's claim that names this person
    # (LOTSA_OIDC_MATCH_CLAIM, e.g. `sub` or Entra ID's `oid`). Signing in never creates an
    # account: a person whose claim matches no active account here is refused.
    oidc_subject = models.CharField(
        _("identity at the city's sign-in service"),
        max_length=255,
        blank=True,
        default="",
        help_text=_(
            "The value of the city's sign-in service that identifies this person (for example "
            "the object ID in Entra ID). Empty: the person can only sign in with a password."
        ),
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["first_name", "last_name", "username"]
        constraints = [
            models.UniqueConstraint(
                fields=["oidc_subject"],
                condition=~models.Q(oidc_subject=""),
                name="user_oidc_subject_unique",
                violation_error_message=_(
                    "Another staff member already has this identity at the city's sign-in service."
                ),
            )
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class AccessLogAppendOnlyError(Exception):
    """Raised when code tries to change or delete an access-log row."""


class AccessLogQuerySet(models.QuerySet["AccessLogEntry"]):
    """Reads and inserts only: a bulk UPDATE or DELETE of the access log is refused.

    On PostgreSQL a trigger refuses them too (migration audit.0001), also for raw SQL.
    """

    def update(self, **kwargs: Any) -> int:
        raise AccessLogAppendOnlyError("The access log is append-only: rows cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AccessLogAppendOnlyError("The access log is append-only: rows cannot be deleted.")

    def bulk_update(self, objs: Any, fields: Any, batch_size: int | None = None) -> int:
        raise AccessLogAppendOnlyError("The access log is append-only: rows cannot be changed.")


class AccessAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    SEARCH = "search", _("Searched")
    EXPORT = "export", _("Exported")
    PRINT = "print", _("Printed (PDF)")
    # Not reads: changes to who may read (never flagged).
    GRANT = "grant", _("Authorisation granted")
    REVOKE = "revoke", _("Authorisation revoked")
    REFUSED = "refused", _("Refused: needs an authorisation")
    ROLES = "roles", _("Roles changed")
    # Not reads: sign-ins with the city's account (single sign-on), and refusals of a known but
    # deactivated account.
    SSO_SIGN_IN = "sso_in", _("Signed in with the city's account")
    SSO_REFUSED = "sso_denied", _("Sign-in with the city's account refused")
    # Not a read either: personal data written by an import of past records (importing app).
    IMPORT = "import", _("Imported")


class AccessLogEntry(models.Model):
    """One read of personal data: who, when, what, through which page, from where.

    Written only by `accounts.audit.access_log_record`, never changed or deleted: `save()` of
    an existing row, `delete()` and the queryset's `update()`/`delete()` raise
    `AccessLogAppendOnlyError`, and on PostgreSQL a trigger refuses UPDATE and DELETE.
    """

    # A default rather than auto_now_add, which would give each row of a list read its own time
    # in bulk_create (SQLite's path): a page view's rows share theirs.
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=_("staff member")
    )
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    object_type = models.CharField(_("kind of object"), max_length=60)
    object_id = models.CharField(_("object"), max_length=40, blank=True)
    # The individual the data is about, when there is one: the log review filters on it.
    individual_id = models.BigIntegerField(_("individual"), null=True, blank=True)
    view_name = models.CharField(_("page"), max_length=100)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    # Decided when the row is written and never recomputed (see accounts.audit): a read of an
    # individual by someone who was not then the responsible coordinator of any of their cases.
    flagged = models.BooleanField(
        _("flagged: not a responsible coordinator"), default=False, db_default=False
    )
    # Read in a list (a list page, a start page, a search result, an export): the rows of one
    # page view share the reader, the page and the time (`at`), one row per object shown. A
    # flagged list row is told apart from a flagged opening of one person's record.
    listed = models.BooleanField(_("read in a list"), default=False, db_default=False)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log entries")
        ordering = ["-at"]
        indexes = [
            # Log review: one person's reads over a period; reads concerning one individual.
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
            models.Index(fields=["individual_id", "-at"], name="accesslog_individual_idx"),
            # Log review, "only flagged reads", newest first: the flagged rows are a small part.
            models.Index(
                fields=["-at"], condition=models.Q(flagged=True), name="accesslog_flagged_idx"
            ),
            # Log review, flagged openings of one person's record (not lists): the few rows a
            # data-protection officer looks for first.
            models.Index(
                fields=["-at"],
                condition=models.Q(flagged=True, listed=False),
                name="accesslog_flagged_record_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_id} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if args:
            raise TypeError("AccessLogEntry.save() takes keyword arguments only.")
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AccessLogAppendOnlyError("The access log is append-only: rows cannot be changed.")
        # Always an INSERT: a new object given an existing row's pk must not overwrite that row.
        kwargs["force_insert"] = True
        super().save(**kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AccessLogAppendOnlyError("The access log is append-only: rows cannot be deleted.")


class Notification(models.Model):
    """An in-app message to one staff member (a deadline reminder, a new referral), also sent
    by e-mail. The text is rendered from `kind` and `params` in the reader's language."""

    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # Idempotency: the sender names each notification; the same key never notifies twice.
    key = models.CharField(_("key"), max_length=120)
    kind = models.CharField(_("kind"), max_length=60)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    # The e-mail's delivery (accounts.emails): at least once, never under a lock held across SMTP.
    # An attempt claims the row until this moment (longer than an e-mail task may run), so that
    # two workers do not send at once; a claim left by a lost worker runs out by itself.
    email_claimed_until = models.DateTimeField(_("e-mail being sent until"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    # After a failure: the next attempt not before this moment (backoff).
    email_retry_at = models.DateTimeField(_("e-mail retried at"), null=True, blank=True)
    # The last failure's kind (an SMTP code or an exception's type; never an address).
    email_error = models.CharField(_("e-mail error"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                name="notification_once_per_recipient_and_key",
                violation_error_message=_("This notification was already sent."),
            )
        ]
        indexes = [
            # The bell: a user's unread notifications.
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
            # The e-mail sweep (accounts.emails.notifications_email_due): the few unsent ones.
            models.Index(
                fields=["created_at"],
                name="notification_unsent_idx",
                condition=models.Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
