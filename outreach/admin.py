"""Admin for outreach's reference data (the districts). Contacts and referrals are not in the
admin: system administrators manage the system, not the people in it."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin_site import RoleModelAdmin
from outreach.models import District


@admin.register(District)
class DistrictAdmin(RoleModelAdmin):
    list_display = ["name", "code", "sort_order", "active"]
    list_editable = ["sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "code"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Contacts refer to districts and the statistics count by them; retire with "in use".
        return False
