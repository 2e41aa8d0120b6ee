from django.urls import path

from home import views

app_name = "home"

# Under accounts/start/ (config/urls.py), where they have always been.
urlpatterns = [
    path("coordinator/", views.start_coordinator, name="start_coordinator"),
    path("outreach/", views.start_outreach, name="start_outreach"),
    path("manager/", views.start_manager, name="start_manager"),
    path("admin/", views.start_admin, name="start_admin"),
]
