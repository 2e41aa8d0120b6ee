from django.urls import path

from importing import views

app_name = "importing"

urlpatterns = [
    path("", views.import_start, name="start"),
    path("template.xlsx", views.template_download, name="template"),
    path("confirm/", views.import_confirm, name="confirm"),
    path("jobs/<int:pk>/", views.import_job, name="job"),
    path("jobs/<int:pk>/confirm/", views.import_job_confirm_view, name="job_confirm"),
]
