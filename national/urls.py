from django.urls import path

from national import views

app_name = "national"

urlpatterns = [
    path("", views.report, name="report"),
    path("report.<str:fmt>", views.report_download, name="report_download"),
    path("htcds.<str:fmt>", views.htcds_download, name="htcds_download"),
    path("ctdc.csv", views.ctdc_download, name="ctdc_download"),
]
