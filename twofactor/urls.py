from django.urls import path

from twofactor import views

app_name = "twofactor"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrol/link/<str:token>/", views.enrol_link, name="enrol_link"),
    path("verify/", views.verify, name="verify"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
    path("backup-codes/new/", views.backup_codes_regenerate, name="backup_codes_regenerate"),
]
