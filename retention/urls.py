from django.urls import path

from retention import views

app_name = "retention"

urlpatterns = [
    path("", views.run_list, name="run_list"),
    path("propose/", views.run_propose, name="run_propose"),
    path("<int:pk>/", views.run_detail, name="run_detail"),
    path("<int:pk>/confirm/", views.run_confirm, name="run_confirm"),
    path("<int:pk>/cancel/", views.run_cancel, name="run_cancel"),
]
