from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def whoami(request: HttpRequest) -> HttpResponse:
    """Who is signed in at the provider (the tests check that logging out of Lotsa ends it)."""
    user = request.user
    return HttpResponse(user.get_username() if user.is_authenticated else "anonymous")


urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("whoami/", whoami, name="whoami"),
]
