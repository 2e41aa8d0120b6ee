"""Admin for casework's reference data. Case content is not in the admin: system
administrators manage the system, not the people in it."""

from django.contrib import admin

from accounts.admin_site import RoleModelAdmin
from casework.models import Language, Organisation


@admin.register(Language)
class LanguageAdmin(RoleModelAdmin):
    list_display = ["name_sv", "name_en", "code", "active"]
    list_filter = ["active"]
    search_fields = ["name_sv", "name_en", "code"]


@admin.register(Organisation)
class OrganisationAdmin(RoleModelAdmin):
    list_display = ["name", "kind", "receives_grant", "active"]
    list_filter = ["kind", "receives_grant", "active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Organisations are referred to from cases; retire them with "active" instead.
        return False
