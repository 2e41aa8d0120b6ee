from django.urls import path

from casework import relation_views, views

app_name = "casework"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.csv", views.case_export, name="case_export"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/history/", views.case_history, name="case_history"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/reopen/", views.case_reopen, name="case_reopen"),
    path("cases/<int:pk>/reassign/", views.case_reassign, name="case_reassign"),
    path("cases/<int:pk>/journal/new/", views.journal_create, name="journal_create"),
    path("cases/<int:pk>/journal/<int:entry_pk>/edit/", views.journal_edit, name="journal_edit"),
    path("cases/<int:pk>/journal/<int:entry_pk>/sign/", views.journal_sign, name="journal_sign"),
    path(
        "cases/<int:pk>/journal/<int:entry_pk>/delete/", views.journal_delete, name="journal_delete"
    ),
    path(
        "cases/<int:pk>/journal/<int:entry_pk>/correct/",
        views.journal_correct,
        name="journal_correct",
    ),
    path("cases/<int:pk>/support/new/", views.support_create, name="support_create"),
    path("cases/<int:pk>/support/<int:measure_pk>/end/", views.support_end, name="support_end"),
    path(
        "cases/<int:pk>/organisations/new/",
        views.organisation_link_create,
        name="organisation_link_create",
    ),
    path("cases/<int:pk>/consents/new/", views.consent_create, name="consent_create"),
    path(
        "cases/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("individuals/<int:pk>/", views.individual_detail, name="individual_detail"),
    path("individuals/<int:pk>/edit/", views.individual_edit, name="individual_edit"),
    path(
        "individuals/<int:pk>/authorisations/",
        views.identity_authorisation_grant,
        name="identity_authorisation_grant",
    ),
    path(
        "individuals/<int:pk>/authorisations/<int:authorisation_pk>/revoke/",
        views.identity_authorisation_revoke,
        name="identity_authorisation_revoke",
    ),
    path(
        "individuals/<int:pk>/relations/new/",
        relation_views.relation_create,
        name="relation_create",
    ),
    path(
        "individuals/<int:pk>/relations/<int:relation_pk>/remove/",
        relation_views.relation_remove,
        name="relation_remove",
    ),
    path(
        "cases/<int:pk>/accompanying-child/",
        relation_views.accompanying_child,
        name="accompanying_child",
    ),
    path(
        "individuals/<int:pk>/cases/new/",
        views.case_open_for_individual,
        name="case_open_for_individual",
    ),
]
