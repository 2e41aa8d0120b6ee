from django.urls import path

from exportjobs import views

app_name = "exportjobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="job"),
    path("<int:pk>/download/", views.job_download, name="download"),
]
