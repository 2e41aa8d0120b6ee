from django.urls import path

from dsar import views

app_name = "dsar"

urlpatterns = [
    # By the individual's id, like every other address: never personal data in a URL.
    path(
        "individuals/<int:pk>/data-subject-export/",
        views.subject_export,
        name="subject_export",
    ),
]
