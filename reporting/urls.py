from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("annual/", views.report, name="report"),
    path("annual/export/", views.export_create, name="export_create"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
    path("annual/<int:year>/texts/", views.narrative_edit, name="narrative_edit"),
    path("trainings/", views.training_list, name="training_list"),
    path("trainings/new/", views.training_create, name="training_create"),
    path("trainings/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("trainings/<int:pk>/delete/", views.training_delete, name="training_delete"),
]
