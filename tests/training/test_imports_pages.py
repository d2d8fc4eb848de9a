"""The import page: upload, dry run with refused lines, confirmation, scoping."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.test_celery import real_worker, wait_for  # noqa: F401  (real_worker: a fixture)
from training.imports import runner
from training.models import ImportRun, Staff

DATA = Path(__file__).resolve().parents[1] / "data"
pytestmark = pytest.mark.django_db


def upload(client, name, kind="staff", academy=None):
    return client.post(
        reverse("training:import_list"),
        {
            "kind": kind,
            "academy": academy.pk,
            "file": SimpleUploadedFile(name, (DATA / name).read_bytes(), "text/csv"),
        },
    )


@pytest.fixture
def schools(school, other_school, outsider_school):
    return [school, other_school, outsider_school]


def test_auditor_uploads_sees_dry_run_then_confirms(
    client_for, auditor, academy, schools, django_capture_on_commit_callbacks
):
    client = client_for(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, "staff_bad.csv", academy=academy)
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("training:import_detail", args=[run.pk])
    assert run.status == ImportRun.Status.CHECKED and run.author == auditor

    page = html.unescape(client.get(response["Location"]).content.decode())
    assert "À créer : 2" in page and "Refusées : 9" in page
    assert "Établissement inconnu : UAI 0781001P." in page
    assert "Importer les lignes valides" in page
    assert not Staff.objects.filter(staff_id__startswith="C").exists()  # dry run

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("training:import_confirm", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == ImportRun.Status.DONE and run.created_count == 2
    assert Staff.objects.filter(staff_id__startswith="C").count() == 2
    page = html.unescape(
        client.get(reverse("training:import_detail", args=[run.pk])).content.decode()
    )
    assert "Créées : 2" in page

    # Confirming twice writes nothing more.
    response = client.post(reverse("training:import_confirm", args=[run.pk]), follow=True)
    assert "n'attend pas de confirmation" in html.unescape(response.content.decode())


def test_file_refused_as_a_whole_shows_why_and_cannot_be_confirmed(
    client_for, auditor, academy, django_capture_on_commit_callbacks
):
    client = client_for(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "staff_wrong_columns.csv", academy=academy)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.REFUSED
    page = html.unescape(
        client.get(reverse("training:import_detail", args=[run.pk])).content.decode()
    )
    assert "Colonnes manquantes" in page and "rien n'a été importé" in page
    response = client.post(reverse("training:import_confirm", args=[run.pk]), follow=True)
    assert "n'attend pas de confirmation" in html.unescape(response.content.decode())


def test_refused_lines_download_as_csv(
    client_for, auditor, academy, schools, django_capture_on_commit_callbacks
):
    client = client_for(auditor)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, "staff_bad.csv", academy=academy)
    run = ImportRun.objects.get()
    response = client.get(reverse("training:import_report", args=[run.pk]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffLigne;Motif du refus")
    assert "4;Établissement inconnu : UAI 0781001P." in text


def test_status_endpoint_reports_progress(
    client_for, auditor, academy, schools, django_capture_on_commit_callbacks
):
    client = client_for(auditor)
    upload(client, "staff_cp1252.csv", academy=academy)  # task not run: still pending
    run = ImportRun.objects.get()
    data = client.get(reverse("training:import_status", args=[run.pk])).json()
    assert data["status"] == "pending" and data["busy"]
    page = html.unescape(
        client.get(reverse("training:import_detail", args=[run.pk])).content.decode()
    )
    assert "import-progress-bar" in page
    runner.check_run(run_id=run.pk)
    data = client.get(reverse("training:import_status", args=[run.pk])).json()
    assert data == {
        "status": "checked",
        "label": "Vérifié, en attente de confirmation",
        "progress": 100,
        "busy": False,
    }


def test_check_and_apply_tasks_are_idempotent(auditor, academy, schools):
    run = runner.start_import(
        user=auditor,
        academy=academy,
        kind="staff",
        filename="staff.csv",
        data=(DATA / "staff_cp1252.csv").read_bytes(),
    )
    runner.check_run(run_id=run.pk)
    runner.check_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "checked" and run.created_count == 4
    runner.confirm_import(user=auditor, run=run)
    runner.apply_run(run_id=run.pk)
    runner.apply_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "done" and run.created_count == 4
    assert Staff.objects.filter(staff_id__startswith="A").count() == 4


def test_other_academys_run_is_404_and_others_cannot_upload(
    client_for, auditor, outsider, teacher, head, trainer, academy, other_academy, schools
):
    run = runner.start_import(
        user=auditor, academy=academy, kind="staff", filename="s.csv", data=b"x"
    )
    for person in (outsider, teacher, head, trainer):
        client = client_for(person)
        assert client.get(reverse("training:import_list")).status_code == 404
        for name in ("import_detail", "import_status", "import_report"):
            assert client.get(reverse(f"training:{name}", args=[run.pk])).status_code == 404
        assert client.post(reverse("training:import_confirm", args=[run.pk])).status_code == 404


def test_auditor_cannot_import_into_another_academy(client_for, auditor, other_academy):
    client = client_for(auditor)
    response = upload(client, "staff_cp1252.csv", academy=other_academy)
    assert response.status_code == 200  # the form, with its error
    assert not ImportRun.objects.exists()


def test_auditor_cannot_import_gaia_files_but_manager_can(auditor, manager, academy):
    assert not runner.can_import(auditor, academy, "gaia_formations")
    assert runner.can_import(auditor, academy, "staff")
    assert runner.can_import(manager, academy, "gaia_formations")


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("training:import_list"))
    assert response.status_code == 302 and "/connexion/" in response["Location"]


def test_nav_shows_imports_to_the_rectorate_only(client_for, auditor, teacher):
    assert "Imports" in html.unescape(client_for(auditor).get("/").content.decode())
    assert ">Imports<" not in html.unescape(client_for(teacher).get("/").content.decode())


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("real_worker")
def test_real_worker_checks_then_writes_a_staff_file(auditor, academy, schools):
    run = runner.start_import(
        user=auditor,
        academy=academy,
        kind="staff",
        filename="staff_cp1252.csv",
        data=(DATA / "staff_cp1252.csv").read_bytes(),
    )
    assert wait_for(lambda: ImportRun.objects.get(pk=run.pk).status == "checked")
    assert not Staff.objects.filter(staff_id__startswith="A").exists()
    runner.confirm_import(user=auditor, run=run)
    assert wait_for(lambda: ImportRun.objects.get(pk=run.pk).status == "done")
    assert Staff.objects.filter(staff_id__startswith="A").count() == 4


def test_the_page_lists_the_columns_each_file_needs(client_for, auditor, manager):
    page = html.unescape(client_for(auditor).get(reverse("training:import_list")).content.decode())
    assert "Colonnes attendues" in page
    assert "<code>identifiant</code>, <code>nom</code>, <code>prenom</code>" in page
    assert "<code>email</code> (facultatif)" in page
    # GAIA files are the managers' only: the auditor is not told about them.
    assert "<code>disp_id</code>" not in page
    page = client_for(manager).get(reverse("training:import_list")).content.decode()
    assert "<code>disp_id</code>" in page
