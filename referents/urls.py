from django.urls import path

from referents import summaries, views

app_name = "referents"

urlpatterns = [
    path("candidature/", views.candidature, name="candidature"),
    path("etablissement/", views.school_page, name="school"),
    path("etablissement/<str:uai>/", views.school_page, name="school_detail"),
    path("etablissement/<str:uai>/service-fait/", views.service_done, name="service_done"),
    path("etablissement/<str:uai>/organisation/", views.mission_share, name="mission_share"),
    path("designations/<int:pk>/nommer/", views.appoint, name="appoint"),
    path("designations/<int:pk>/refuser/", views.decline, name="decline"),
    path("designations/<int:pk>/terminer/", views.end, name="end"),
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("paie/", views.payroll, name="payroll"),
    path("paie/<str:code>/", views.payroll, name="payroll_academy"),
    path("paie/<str:code>/export/", views.export, name="export"),
    path(
        "paie/<str:code>/exports/<int:pk>.<str:export_format>",
        views.export_file,
        name="export_file",
    ),
    path("rapports/academie/", summaries.summary, name="summary"),
    path("reseau/", summaries.directory, name="directory"),
    path("rapports/<str:uai>/", views.report, name="report"),
]
