from django.urls import path

from training.views import agenda, calendars, catalogue, directory, hours, management

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
    path("inscriptions/<int:pk>/desistement/", catalogue.cancel, name="cancel_enrolment"),
    # Heads and rectorate: approval queue
    path("validation/", management.approval_queue, name="approval_queue"),
    path("validation/decision/", management.decide, name="approval_decide"),
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
    path("personnels/<int:staff_id>/parcours/", hours.staff_record, name="staff_record"),
    path(
        "personnels/<int:staff_id>/parcours/attestations/<int:session_pk>/",
        hours.staff_attestation,
        name="staff_attestation",
    ),
    path("suivi/", hours.follow_up, name="follow_up"),
]
