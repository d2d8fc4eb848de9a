from django.urls import path

from referents.views import (
    candidature,
    dashboard,
    documents,
    payroll,
    reports,
    school,
    summaries,
)

app_name = "referents"

urlpatterns = [
    path("candidature/", candidature.candidature, name="candidature"),
    path("etablissement/", school.school_page, name="school"),
    path("etablissement/<str:uai>/", school.school_page, name="school_detail"),
    path("etablissement/<str:uai>/service-fait/", school.service_done, name="service_done"),
    path("etablissement/<str:uai>/organisation/", school.mission_share, name="mission_share"),
    path("designations/<int:pk>/nommer/", school.appoint, name="appoint"),
    path("designations/<int:pk>/refuser/", school.decline, name="decline"),
    path("designations/<int:pk>/terminer/", school.end, name="end"),
    path("designations/<int:pk>/lettre/", documents.mission_letter, name="mission_letter"),
    path(
        "designations/<int:pk>/lettre.pdf", documents.mission_letter_pdf, name="mission_letter_pdf"
    ),
    path("tableau-de-bord/", dashboard.dashboard, name="dashboard"),
    path("paie/", payroll.payroll, name="payroll"),
    path("paie/<str:code>/", payroll.payroll, name="payroll_academy"),
    path("paie/<str:code>/export/", payroll.export, name="export"),
    path(
        "paie/<str:code>/exports/<int:pk>.<str:export_format>",
        payroll.export_file,
        name="export_file",
    ),
    path("rapports/academie/", summaries.summary, name="summary"),
    path("reseau/", summaries.directory, name="directory"),
    path("rapports/<str:uai>/", reports.report, name="report"),
]
