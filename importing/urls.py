from django.urls import path

from importing import views

app_name = "importing"

urlpatterns = [
    path("", views.import_start, name="start"),
    path("template.xlsx", views.template_download, name="template"),
    path("confirm/", views.import_confirm, name="confirm"),
]
