"""App configuration for the project's admin site (kept apart: it is loaded before the models)."""

from django.contrib.admin.apps import AdminConfig


class LotsaAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.LotsaAdminSite"
