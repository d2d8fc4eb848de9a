from django.urls import path

from training.views import agenda, calendars, catalogue, directory, hours, management, programmes
from training.views import audit as audit_views

app_name = "training"

urlpatterns = [
    # Directory and account
    path("compte/", directory.account, name="account"),
    path("compte/jetons/<int:token_id>/revoquer/", directory.revoke_token, name="revoke_token"),
    path("etablissements/", directory.school_list, name="school_list"),
    path("etablissements/nouveau/", directory.school_create, name="school_create"),
    path("etablissements/<str:uai>/", directory.school_detail, name="school_detail"),
    # Teachers: catalogue, session page, enrolment, "my training"
    path("formations/", catalogue.catalogue, name="catalogue"),
    path("formations/sessions/<int:pk>/", catalogue.session_detail, name="session_detail"),
    path("formations/sessions/<int:pk>/inscription/", catalogue.enrol, name="enrol"),
    path("mes-formations/", catalogue.my_training, name="my_training"),
    path("sessions-animees/", catalogue.my_sessions, name="my_sessions"),
    path("inscriptions/<int:pk>/desistement/", catalogue.cancel, name="cancel_enrolment"),
    # Heads and rectorate: approval queue
    path("validation/", management.approval_queue, name="approval_queue"),
    path("validation/decision/", management.decide, name="approval_decide"),
    # Rectorate: the catalogue's dispositifs and modules
    path("formations/programmes/", programmes.programme_list, name="programme_list"),
    path("formations/programmes/nouveau/", programmes.programme_create, name="programme_create"),
    path(
        "formations/programmes/<int:pk>/modifier/",
        programmes.programme_edit,
        name="programme_edit",
    ),
    path(
        "formations/programmes/<int:pk>/modules/nouveau/",
        programmes.module_create,
        name="module_create",
    ),
    path("formations/modules/<int:pk>/modifier/", programmes.module_edit, name="module_edit"),
    # Rectorate and trainers: session editor and roster
    path("formations/sessions/nouvelle/", management.session_create, name="session_create"),
    path("formations/sessions/<int:pk>/modifier/", management.session_edit, name="session_edit"),
    path(
        "formations/sessions/<int:pk>/seances/nouvelle/", management.slot_create, name="slot_create"
    ),
    path("formations/seances/<int:pk>/modifier/", management.slot_edit, name="slot_edit"),
    path("formations/seances/<int:pk>/annuler/", management.slot_cancel, name="slot_cancel"),
    path(
        "formations/sessions/<int:pk>/publier/", management.session_publish, name="session_publish"
    ),
    path("formations/sessions/<int:pk>/annuler/", management.session_cancel, name="session_cancel"),
    path("formations/sessions/<int:pk>/participants/", management.roster, name="roster"),
    path("formations/sessions/<int:pk>/designer/", management.book_staff, name="book_staff"),
    # Calendars: the person's page with his subscription link, and the feeds
    path("agenda/", agenda.agenda, name="agenda"),
    path("agenda/lien/", agenda.rotate_link, name="agenda_rotate"),
    path("agenda/lien/revoquer/", agenda.revoke_link, name="agenda_revoke"),
    path("ical/catalogue/<str:academy_code>.ics", calendars.catalogue_feed, name="ical_catalogue"),
    path("ical/seances/<int:pk>.ics", calendars.slot_download, name="ical_slot"),
    path("ical/<str:token>/agenda.ics", calendars.personal_feed, name="ical_personal"),
    path(
        "ical/<str:token>/etablissements/<str:uai>.ics", calendars.school_feed, name="ical_school"
    ),
    path("ical/<str:token>/sessions/<int:pk>.ics", calendars.session_feed, name="ical_session"),
]

# Attendance, the hours ledger and C2i2e progress
urlpatterns += [
    path(
        "formations/seances/<int:pk>/emargement/", hours.attendance_sheet, name="attendance_sheet"
    ),
    path("formations/seances/<int:pk>/declarer/", hours.declare_work, name="declare_work"),
    path(
        "formations/declarations/<int:pk>/examiner/",
        hours.review_declaration,
        name="review_declaration",
    ),
    path("formations/sessions/<int:pk>/competences/", hours.competences, name="competences"),
    path("mon-parcours/", hours.my_record, name="my_record"),
    path("mon-parcours/positionnement/", hours.position, name="position"),
    path(
        "mon-parcours/attestations/<int:session_pk>/",
        hours.my_attestation,
        name="my_attestation",
    ),
    path(
        "mon-parcours/attestations/<int:session_pk>.pdf",
        hours.my_attestation_pdf,
        name="my_attestation_pdf",
    ),
    path("personnels/<int:staff_id>/parcours/", hours.staff_record, name="staff_record"),
    path(
        "personnels/<int:staff_id>/parcours/attestations/<int:session_pk>/",
        hours.staff_attestation,
        name="staff_attestation",
    ),
    path(
        "personnels/<int:staff_id>/parcours/attestations/<int:session_pk>.pdf",
        hours.staff_attestation_pdf,
        name="staff_attestation_pdf",
    ),
    path("suivi/", hours.follow_up, name="follow_up"),
]

# Audit: anomalies of the ledgers and the closing of a school year
from training.views import anomalies as anomaly_views  # noqa: E402

urlpatterns += [
    path("audit/anomalies/", anomaly_views.anomaly_list, name="anomaly_list"),
    path("audit/cloture/", anomaly_views.closing_page, name="closing"),
]

# Audit (« Pilotage »): dashboards, report exports and background export jobs
urlpatterns += [
    path("audit/", audit_views.academy_dashboard, name="audit_academy"),
    path("audit/pilotage/", audit_views.pilotage, name="audit_home"),
    path("audit/historique/", audit_views.trail_search, name="audit_trail"),
    path("audit/national/", audit_views.national_dashboard, name="audit_national"),
    path("audit/etablissement/<str:uai>/", audit_views.school_dashboard, name="audit_school"),
    path("audit/export/<str:key>.<str:fmt>", audit_views.export, name="audit_export"),
    path("audit/exports/<int:pk>/", audit_views.job_page, name="audit_job"),
    path("audit/exports/<int:pk>/etat/", audit_views.job_status, name="audit_job_status"),
    path("audit/exports/<int:pk>/fichier/", audit_views.job_download, name="audit_job_download"),
]

# Imports from the rectorate's systems: directory CSV and GAIA exports
from training.views import imports as import_views  # noqa: E402

urlpatterns += [
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/<int:pk>/", import_views.import_detail, name="import_detail"),
    path("imports/<int:pk>/etat/", import_views.import_status, name="import_status"),
    path("imports/<int:pk>/confirmer/", import_views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/refus.csv", import_views.import_report, name="import_report"),
]

# School training plans and teachers' needs
from training.views import school_plans  # noqa: E402

urlpatterns += [
    path("mes-besoins/", school_plans.my_needs, name="my_needs"),
    path("mes-besoins/<int:pk>/retirer/", school_plans.withdraw_need, name="need_withdraw"),
    path("plan-de-formation/", school_plans.plans_home, name="school_plans"),
    path("plan-de-formation/academie/", school_plans.academy_plans, name="school_plans_academy"),
    path(
        "plan-de-formation/etablissements/<str:uai>/",
        school_plans.school_plan,
        name="school_plan",
    ),
    path(
        "plan-de-formation/etablissements/<str:uai>/creer/",
        school_plans.plan_create,
        name="school_plan_create",
    ),
    path("plan-de-formation/<int:pk>/", school_plans.plan_detail, name="school_plan_detail"),
    path("plan-de-formation/<int:pk>/lignes/", school_plans.line_add, name="school_plan_line_add"),
    path(
        "plan-de-formation/lignes/<int:pk>/",
        school_plans.line_edit,
        name="school_plan_line_edit",
    ),
    path(
        "plan-de-formation/lignes/<int:pk>/supprimer/",
        school_plans.line_remove,
        name="school_plan_line_remove",
    ),
    path(
        "plan-de-formation/<int:pk>/soumettre/",
        school_plans.plan_submit,
        name="school_plan_submit",
    ),
    path(
        "plan-de-formation/<int:pk>/renvoyer/",
        school_plans.plan_return,
        name="school_plan_return",
    ),
    path(
        "plan-de-formation/<int:pk>/approuver/",
        school_plans.plan_approve,
        name="school_plan_approve",
    ),
    path(
        "plan-de-formation/<int:pk>/nouvelle-version/",
        school_plans.plan_new_version,
        name="school_plan_new_version",
    ),
]
