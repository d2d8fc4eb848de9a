"""A person who leaves the directory is deactivated, never deleted: history stays, and
sessions, API tokens and calendar feeds stop at once; reactivation restores them."""

from __future__ import annotations

from django.test import Client

from training import services
from training.models import Staff


def api_me(raw):
    return Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_deactivation_stops_sessions_tokens_and_feeds_and_keeps_history(
    client_for, manager, teacher
):
    _token, raw = services.create_api_token(user=teacher, name="tableur")
    _calendar, secret = services.rotate_calendar_token(user=teacher)
    feed = f"/ical/{secret}/agenda.ics"
    session = Client()
    session.force_login(teacher)
    assert api_me(raw).status_code == 200
    assert Client().get(feed).status_code == 200
    assert session.get("/compte/").status_code == 200

    response = client_for(manager).post(f"/comptes/personnels/{teacher.pk}/desactiver/")
    assert response.status_code == 302
    assert api_me(raw).status_code == 401
    assert Client().get(feed).status_code == 404
    assert session.get("/compte/").status_code == 302  # sent to the sign-in page
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert Staff.objects.filter(user=teacher, active=False).exists()

    client_for(manager).post(f"/comptes/personnels/{teacher.pk}/reactiver/")
    assert api_me(raw).status_code == 200
    assert Client().get(feed).status_code == 200


def test_a_manager_of_another_academy_cannot_deactivate(client_for, manager, outsider):
    response = client_for(manager).post(f"/comptes/personnels/{outsider.pk}/desactiver/")
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_a_deactivated_person_cannot_sign_in_with_a_password(client, teacher):
    from tests.conftest import PASSWORD

    services.deactivate_person(actor=None, person=teacher)
    response = client.post("/connexion/", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


# --- A complete staff file: who is missing has left -------------------------------------


def staff_file(*lines: str) -> bytes:
    header = "identifiant;nom;prenom;email;uai\n"
    return (header + "".join(line + "\n" for line in lines)).encode()


def test_a_complete_staff_import_deactivates_who_is_missing_and_reactivates_who_returns(
    academy, school, teacher, make_user
):
    from training.imports import runner

    colleague = make_user("colleague", school=school)
    _token, raw = services.create_api_token(user=colleague, name="outil")
    keep = f"{teacher.staff.staff_id};Martin;Claire;{teacher.email};{school.uai}"
    back = f"{colleague.staff.staff_id};Nom;Prénom;{colleague.email};{school.uai}"

    plan, written = runner.run_file(
        kind="staff", academy=academy, user=None, data=staff_file(keep),
        dry_run=True, force=False, complete=True,
    )  # fmt: skip
    assert (written, plan.deactivated) == (False, 1)
    colleague.refresh_from_db()
    assert colleague.is_active  # a dry run writes nothing

    plan, written = runner.run_file(
        kind="staff", academy=academy, user=None, data=staff_file(keep),
        dry_run=False, force=False, complete=True,
    )  # fmt: skip
    assert written and plan.deactivated == 1
    colleague.refresh_from_db()
    assert not colleague.is_active
    assert not Staff.objects.get(user=colleague).active
    assert api_me(raw).status_code == 401
    teacher.refresh_from_db()
    assert teacher.is_active

    plan, written = runner.run_file(
        kind="staff", academy=academy, user=None, data=staff_file(keep, back),
        dry_run=False, force=False, complete=True,
    )  # fmt: skip
    assert written and (plan.updated, plan.deactivated) == (1, 0)
    colleague.refresh_from_db()
    assert colleague.is_active
    assert api_me(raw).status_code == 200


def test_a_partial_staff_import_deactivates_no_one(academy, school, teacher, make_user):
    from training.imports import runner

    colleague = make_user("colleague", school=school)
    line = f"{teacher.staff.staff_id};Martin;Claire;{teacher.email};{school.uai}"
    plan, _written = runner.run_file(
        kind="staff", academy=academy, user=None, data=staff_file(line),
        dry_run=False, force=False,
    )  # fmt: skip
    assert plan.deactivated == 0
    colleague.refresh_from_db()
    assert colleague.is_active


def test_the_import_page_offers_a_complete_file_and_shows_the_count(
    client_for, manager, academy, school, teacher, make_user, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from training.models import ImportRun

    make_user("colleague", school=school)
    line = f"{teacher.staff.staff_id};Martin;Claire;{teacher.email};{school.uai}"
    client = client_for(manager)
    assert "Fichier complet de l" in client.get("/imports/").text
    with django_capture_on_commit_callbacks(execute=True):  # the check, in the background
        response = client.post(
            "/imports/",
            {
                "kind": "staff",
                "academy": academy.pk,
                "complete": "on",
                "file": SimpleUploadedFile("annuaire.csv", staff_file(line)),
            },
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert run.complete and run.deactivated_count == 1
    page = client.get(f"/imports/{run.pk}/").text
    assert "Personnels absents du fichier, à désactiver : 1" in page
