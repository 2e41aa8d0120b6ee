"""Admin: system administrators see who has two-factor sign-in on and reset it (a lost phone).

The staff-member admin of accounts is extended here rather than edited, so the two-factor
parts stay in this app. django-otp's own device admins are removed: they would show the keys
of the authenticator apps and the backup codes, which nobody but the user should ever see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.admin import UserAdmin as AccountsUserAdmin
from accounts.models import User
from twofactor import services
from twofactor.selectors import two_factor_status

for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AccountsUserAdmin):
    change_form_template = "twofactor/admin/user_change_form.html"
    actions = ["reset_two_factor"]
    list_display = [*AccountsUserAdmin.list_display, "two_factor_on"]
    readonly_fields = [*AccountsUserAdmin.readonly_fields, "two_factor"]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:  # the add form
            return fieldsets
        return [*fieldsets, (gettext_lazy("Two-factor sign-in"), {"fields": ["two_factor"]})]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        apps = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        return super().get_queryset(request).annotate(two_factor_enabled=Exists(apps))

    @admin.display(
        description=gettext_lazy("two-factor"), boolean=True, ordering="two_factor_enabled"
    )
    def two_factor_on(self, obj: User) -> bool:
        return bool(getattr(obj, "two_factor_enabled", False))

    @admin.display(description=gettext_lazy("Status"))
    def two_factor(self, obj: User) -> str:
        status = two_factor_status(obj)
        if status.app_added_at is None:
            return _("Off: no authenticator app added.")
        added = formats.date_format(status.app_added_at, "SHORT_DATE_FORMAT")
        return ngettext(
            "On: app added on %(date)s, %(count)d unused backup code.",
            "On: app added on %(date)s, %(count)d unused backup codes.",
            status.backup_codes_left,
        ) % {"date": added, "count": status.backup_codes_left}

    def get_urls(self) -> list[URLPattern]:
        reset = path(
            "<path:object_id>/two-factor-reset/",
            self.admin_site.admin_view(self.two_factor_reset_view),
            name="accounts_user_two_factor_reset",
        )
        return [reset, *super().get_urls()]

    def two_factor_reset_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The button on a staff member's page: confirm, then reset."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        if request.method == "POST":
            return self._reset(request, [user])
        return self._confirmation(request, [user], from_action=False)

    @admin.action(description=gettext_lazy("Reset two-factor sign-in"), permissions=["change"])
    def reset_two_factor(
        self, request: HttpRequest, queryset: QuerySet[User]
    ) -> TemplateResponse | None:
        """The action on the list of staff members: confirm, then reset each selected one."""
        if request.POST.get("post") == "yes":
            return self._reset(request, list(queryset))
        return self._confirmation(request, list(queryset), from_action=True)

    def _confirmation(
        self, request: HttpRequest, users: Sequence[User], *, from_action: bool
    ) -> TemplateResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": _("Reset two-factor sign-in"),
            "opts": self.opts,
            "users": users,
            "from_action": from_action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "twofactor/admin/reset_confirm.html", context)

    def _reset(self, request: HttpRequest, users: Sequence[User]) -> TemplateResponse:
        """Reset each one, and show the enrolment links: this once, never again (only their
        hashes are kept). The page is not cached (Cache-Control: no-store on every page)."""
        by = request.user if isinstance(request.user, User) else None
        done = []
        for user in users:
            reset = services.two_factor_reset(user=user, by=by)
            self.log_change(request, user, _("Reset two-factor sign-in."))
            address = reverse("twofactor:enrol_link", args=[reset.token])
            done.append(
                {
                    "user": user,
                    "had_devices": reset.devices_removed > 0,
                    "link": settings.LOTSA_BASE_URL.rstrip("/") + address,
                    "expires_at": reset.link_expires_at,
                }
            )
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": _("Two-factor sign-in reset: enrolment links"),
            "opts": self.opts,
            "done": done,
            "required": settings.LOTSA_REQUIRE_2FA,
            "hours": settings.LOTSA_ENROLMENT_LINK_HOURS,
        }
        return TemplateResponse(request, "twofactor/admin/reset_done.html", context)
