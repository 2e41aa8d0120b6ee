"""Admin for staff accounts: system administrators create users and give them roles.

Roles are given through accounts.services.user_set_roles, never by the form itself: nobody may
change their own roles (on one's own page the roles are shown, not offered), and every change
is written to the access log and told to the managers. The roles are checkboxes with their
Swedish names.

A new account has no password: the administrator gets a one-time link (shown once) with which
the person chooses their own (accounts.views.PasswordSetView, Django's password-reset tokens).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db.models import Case, ManyToManyField, Model, QuerySet, Value, When
from django.forms import (
    BaseInlineFormSet,
    CheckboxSelectMultiple,
    ModelForm,
    ModelMultipleChoiceField,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from accounts.admin_site import RoleModelAdmin
from accounts.audit import access_source
from accounts.models import User
from accounts.roles import Role
from accounts.services import user_set_roles

admin.site.unregister(Group)


class RoleChoiceField(ModelMultipleChoiceField):
    """The roles' groups, each named as the role is in Swedish (not its code)."""

    def label_from_instance(self, obj: Model) -> str:
        return str(Role(obj.name).label)  # type: ignore[attr-defined]  # a Group


class RoleFilter(admin.SimpleListFilter):
    """The list's filter by role, with the roles' Swedish names (not the groups' codes)."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(role.value), str(role.label)) for role in Role]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() in Role.values:
            return queryset.filter(groups__name=self.value())
        return queryset


class AccountCreationForm(ModelForm):
    """A new staff account without a password: the person chooses it with a one-time link."""

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "oidc_subject", "groups"]

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
            self.save_m2m()
        return user


def password_link(user: User) -> str:
    """The one-time address where `user` chooses a password (works until the token expires or
    the password is set)."""
    address = reverse(
        "accounts:password_set",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    base: str = settings.LOTSA_BASE_URL
    return base.rstrip("/") + address


@admin.register(User)
class UserAdmin(RoleModelAdmin, DjangoUserAdmin):
    add_form = AccountCreationForm
    add_form_template = "accounts/admin/account_add_form.html"
    change_form_template = "accounts/admin/user_change_form.html"
    list_display = ["username", "full_name", "role_names", "is_active"]
    list_filter = [RoleFilter, "is_active"]
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
    )
    readonly_fields = ["last_login", "date_joined", "own_roles"]
    filter_horizontal = ()

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

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

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        # Saving always leads to the page with the link (response_add), never elsewhere.
        extra = {
            **(extra_context or {}),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
        }
        return super().add_view(request, form_url, extra)

    def response_add(
        self, request: HttpRequest, obj: User, post_url_continue: str | None = None
    ) -> HttpResponse:
        """The new account's one-time link to choose a password: shown this once."""
        self.message_user(
            request, _("The account %(username)s was created.") % {"username": obj.get_username()}
        )
        return self._link_page(
            request, obj, title=_("Account created: the link to choose a password"), new=True
        )

    def get_urls(self) -> list[URLPattern]:
        link = path(
            "<path:object_id>/password-link/",
            self.admin_site.admin_view(self.password_link_view),
            name="accounts_user_password_link",
        )
        return [link, *super().get_urls()]

    def password_link_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """A new link to choose a password (the first one expired or was lost): confirm, then
        show it once. Earlier links keep working until they expire or one of them is used."""
        user = self.get_object(request, unquote(object_id))
        if user is None:
            raise Http404
        if not self.has_change_permission(request, user) or user.pk == request.user.pk:
            raise PermissionDenied
        if request.method != "POST":
            context: dict[str, Any] = {
                **self.admin_site.each_context(request),
                "title": _("New link to choose a password"),
                "opts": self.opts,
                "account": user,
            }
            return TemplateResponse(request, "accounts/admin/password_link_confirm.html", context)
        self.log_change(request, user, str(_("Made a link to choose a password.")))
        return self._link_page(request, user, title=_("The link to choose a password"), new=False)

    def _link_page(
        self, request: HttpRequest, user: User, *, title: object, new: bool
    ) -> HttpResponse:
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.opts,
            "account": user,
            "new": new,
            "link": password_link(user),
            "expires_at": timezone.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT),
            "hours": settings.LOTSA_ENROLMENT_LINK_HOURS,
        }
        return TemplateResponse(request, "accounts/admin/account_created.html", context)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("groups")

    def formfield_for_manytomany(
        self, db_field: ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> ModelMultipleChoiceField | None:
        if db_field.name == "groups":
            in_role_order = Case(
                *[When(name=name, then=Value(index)) for index, name in enumerate(Role.values)]
            )
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by(in_role_order)
            kwargs["form_class"] = RoleChoiceField
            kwargs["widget"] = CheckboxSelectMultiple
            kwargs["label"] = _("Roles")
            kwargs["help_text"] = _(
                "What the person works with. One person can have several roles."
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)
