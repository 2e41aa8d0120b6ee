"""Lotsa's URL configuration."""

from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from config import views
from home import views as home_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", account_views.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/read/",
        account_views.notification_acknowledge,
        name="notification_acknowledge",
    ),
    path(
        "notifications/read-all/",
        account_views.notification_acknowledge_all,
        name="notification_acknowledge_all",
    ),
    path("accounts/", include("accounts.urls")),
    path("accounts/start/", include("home.urls")),
    path("accounts/log/", include("audit.urls")),
    path("", include("casework.urls")),
    path("", include("documents.urls")),
    path("outreach/", include("outreach.urls")),
    path("", include("reflection_period.urls")),
    path("", include("dsar.urls")),
    path("reports/", include("reporting.urls")),
    path("reports/national/", include("national.urls")),
    path("retention/", include("retention.urls")),
    path("import/", include("importing.urls")),
    path("exports/", include("exportjobs.urls")),
    path("two-factor/", include("twofactor.urls")),
    path("sso/", include("sso.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
