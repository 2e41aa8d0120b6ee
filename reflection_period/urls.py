from django.urls import path

from reflection_period import views

app_name = "reflection_period"

urlpatterns = [
    path(
        "cases/<int:case_pk>/reflection-period/new/",
        views.application_create,
        name="application_create",
    ),
    path("reflection-period/deadlines/", views.deadline_board, name="deadline_board"),
    path("reflection-period/<int:pk>/", views.application_detail, name="application_detail"),
    path("reflection-period/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("reflection-period/<int:pk>/submit/", views.application_submit, name="application_submit"),
    path(
        "reflection-period/<int:pk>/decision/",
        views.application_decide,
        name="application_decide",
    ),
    path("reflection-period/<int:pk>/permit/", views.application_permit, name="application_permit"),
    path(
        "reflection-period/<int:pk>/next-step/",
        views.application_next_step,
        name="application_next_step",
    ),
    path(
        "reflection-period/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path(
        "reflection-period/<int:pk>/ansokan-betanketid.pdf",
        views.application_pdf,
        name="application_pdf",
    ),
    path(
        "reflection-period/reminders/<int:pk>/acknowledge/",
        views.reminder_acknowledge,
        name="reminder_acknowledge",
    ),
]
