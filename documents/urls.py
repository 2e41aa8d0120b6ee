from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:pk>/documents/", views.document_list, name="document_list"),
    path("cases/<int:pk>/documents/new/", views.document_upload, name="document_upload"),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/",
        views.document_detail,
        name="document_detail",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/download/",
        views.document_download,
        name="document_download",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/preview/",
        views.document_preview,
        name="document_preview",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/void/",
        views.document_void,
        name="document_void",
    ),
]
