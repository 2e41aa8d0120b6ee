"""Admin for staff accounts: system administrators create users and give them roles.

Roles are given through accounts.services.user_set_roles, never by the form itself: nobody may
change their own roles (on one's own page the roles are shown, not offered), and every change
is written to the access log and told to the managers.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import ManyToManyField, QuerySet
from django.forms import BaseInlineFormSet, ModelForm, ModelMultipleChoiceField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import RoleModelAdmin
from accounts.audit import access_source
from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_roles

admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(RoleModelAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "role_names", "is_active"]
    list_filter = ["groups", "is_active"]
    fieldsets = (
        (None, {"fields": ("username", "password", "oidc_subject")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Roles"), {"fields": ("is_active", "groups")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "oidc_subject",
                    "groups",
                ),
            },
        ),
        (None, {"fields": ("password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined", "own_roles"]
    filter_horizontal = ()

    @admin.display(description=_("roles"))
    def role_names(self, obj: User) -> str:
        return ", ".join(str(Role(group.name).label) for group in obj.groups.all())

    @admin.display(description=_("Roles"))
    def own_roles(self, obj: User) -> str:
        roles = self.role_names(obj) or _("no role")
        refusal = _("Nobody can change their own roles. Ask another system administrator.")
        return f"{roles}. {refusal}"

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or obj.pk != request.user.pk:
            return fieldsets
        # One's own page: the roles are shown, not offered (the form then has no roles field,
        # and a roles field posted anyway is ignored).
        return [
            (
                name,
                {
                    **options,
                    "fields": tuple("own_roles" if f == "groups" else f for f in options["fields"]),
                },
            )
            for name, options in fieldsets
        ]

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm,
        formsets: list[BaseInlineFormSet],
        change: bool,
    ) -> None:
        """The roles through the service (refused for one's own account, logged, told)."""
        groups = form.cleaned_data.pop("groups", None)
        super().save_related(request, form, formsets, change)
        if groups is None:
            return
        user_set_roles(
            user=form.instance,
            roles=[Role(group.name) for group in groups if group.name in Role.values],
            by=request.user,  # type: ignore[arg-type]  # the admin site lets only staff in
            source=access_source(request),
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by("name")
            kwargs["label"] = _("Roles")
            kwargs["help_text"] = _(
                "What the person works with. One person can have several roles."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
