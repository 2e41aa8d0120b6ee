from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("signed-out/", views.signed_out, name="signed_out"),
    path("start/coordinator/", views.start_coordinator, name="start_coordinator"),
    path("start/outreach/", views.start_outreach, name="start_outreach"),
    path("start/manager/", views.start_manager, name="start_manager"),
    path("start/admin/", views.start_admin, name="start_admin"),
]
