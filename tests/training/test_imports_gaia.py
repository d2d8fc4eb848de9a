"""The training system's exports (GAIA, CP1252, pipe-separated): formations become
programmes, modules, sessions and slots; a moved slot keeps its identity; intervenants
become trainers; stagiaires are booked on public désigné sessions."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest
from django.core.management import call_command

from training.imports import runner
from training.models import Enrolment, Module, Programme, Session, Slot

DATA = Path(__file__).resolve().parents[1] / "data"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
pytestmark = pytest.mark.django_db


def run(kind, academy, user, name, **options):
    return runner.run_file(
        kind=kind,
        academy=academy,
        user=user,
        data=(DATA / name).read_bytes(),
        dry_run=options.get("dry_run", False),
        force=options.get("force", True),
    )


def paris(day, hour, minute=0):
    return dt.datetime(*day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def places(school, other_school):
    return school, other_school


@pytest.fixture
def imported(manager, academy, places):
    plan, written = run("gaia_formations", academy, manager, "gaia_formations.txt")
    assert written
    return plan


def test_formations_become_programme_modules_sessions_and_slots(imported, academy, school):
    assert (imported.created, imported.updated, imported.refused_count) == (5, 0, 3)
    programme = Programme.objects.get(academy=academy, code="10A0250042")
    assert programme.title == "Usages pédagogiques du numérique au collège"
    assert programme.school_year.name == "2010-2011"
    assert programme.priority.code == "numerique"
    assert dict(Module.objects.filter(programme=programme).values_list("code", "title")) == {
        "25042": "Intégrer le TNI en classe",
        "25043": "Réseaux sociaux et élèves",
    }
    sessions = {s.gaia_id: s for s in Session.objects.filter(module__programme=programme)}
    assert set(sessions) == {"S25042A", "S25042B", "S25043A"}
    assert sessions["S25043A"].group == "01" and sessions["S25042B"].group == "02"

    first, online, room = sessions["S25042A"].slots.order_by("start")
    assert (first.modality, first.school, first.start, first.end) == (
        "in_person",
        school,
        paris((2010, 11, 15), 9),
        paris((2010, 11, 15), 12),
    )
    assert (online.modality, online.credited_minutes) == ("self_paced", 180)
    assert online.end == paris((2010, 11, 30), 3)
    assert (room.school, room.room) == (None, "Salle 12 — CRDP de Versailles")
    virtual = sessions["S25042B"].slots.get()
    assert (virtual.modality, virtual.video_url) == (
        "virtual",
        "https://visio.ac-versailles.fr/tni",
    )
    assert [s.gaia_key for s in (first, online, room)] == ["S25042A#1", "S25042A#2", "S25042A#3"]


def test_formations_refusals(imported):
    refused = {r["line"]: r["reason"] for r in imported.refused}
    assert refused[7] == "La fin (12/01/2011 13:00) n'est pas après le début (12/01/2011 16:00)."
    assert refused[8] == "Date de début « 31/02/2011 » : cette date n'existe pas."
    assert "lettre de contrôle erronée" in refused[9]


def test_reimport_changes_nothing_and_a_moved_slot_keeps_its_identity(imported, manager, academy):
    before = {s.gaia_key: (s.pk, s.sequence) for s in Slot.objects.exclude(gaia_key="")}
    plan, written = run("gaia_formations", academy, manager, "gaia_formations.txt")
    assert not written and (plan.created, plan.updated, plan.unchanged) == (0, 0, 5)

    plan, written = run("gaia_formations", academy, manager, "gaia_formations_moved.txt")
    assert written and (plan.created, plan.updated, plan.unchanged) == (0, 1, 4)
    after = {s.gaia_key: (s.pk, s.sequence) for s in Slot.objects.exclude(gaia_key="")}
    assert set(after) == set(before)
    moved = Slot.objects.get(gaia_key="S25042A#3")
    assert moved.pk == before["S25042A#3"][0]
    assert moved.sequence == before["S25042A#3"][1] + 1
    assert moved.start == paris((2010, 12, 7), 9)
    assert all(after[k] == before[k] for k in after if k != "S25042A#3")


def test_slot_no_longer_in_gaia_is_cancelled_not_deleted(imported, manager, academy, tmp_path):
    lines = (DATA / "gaia_formations.txt").read_bytes().splitlines(keepends=True)
    shorter = b"".join(line for line in lines if b"06/12/2010" not in line)
    runner.run_file(
        kind="gaia_formations",
        academy=academy,
        user=manager,
        data=shorter,
        dry_run=False,
        force=True,
    )
    slot = Slot.objects.get(gaia_key="S25042A#3")
    assert slot.status == Slot.Status.CANCELLED and slot.sequence == 1


def test_formations_dry_run_writes_nothing(manager, academy, places):
    plan, written = run("gaia_formations", academy, manager, "gaia_formations.txt", dry_run=True)
    assert not written and plan.created == 5
    assert not Programme.objects.filter(code="10A0250042").exists()


def test_intervenants_become_trainers_or_external_trainers(imported, manager, academy, trainer):
    plan, written = run("gaia_trainers", academy, manager, "gaia_intervenants.txt")
    assert written and plan.created == 2
    assert {r["line"] for r in plan.refused} == {4}
    assert "Module GAIA inconnu" in plan.refused[0]["reason"]
    for gaia_id in ("S25042A", "S25042B"):
        session = Session.objects.get(gaia_id=gaia_id)
        assert list(session.trainers.all()) == [trainer]
        assert session.external_trainers == "Benoît Extérieur"
    assert not Session.objects.get(gaia_id="S25043A").trainers.exists()
    plan, written = run("gaia_trainers", academy, manager, "gaia_intervenants.txt")
    assert plan.unchanged == 2 and plan.created == 0


def test_stagiaires_are_booked_on_public_designe_sessions_only(imported, manager, academy, teacher):
    plan, _written = run("gaia_trainees", academy, manager, "gaia_stagiaires.txt")
    assert "candidature individuelle" in {r["line"]: r["reason"] for r in plan.refused}[2]
    assert not Enrolment.objects.exists()

    Programme.objects.filter(code="10A0250042").update(kind=Programme.Kind.DESIGNATED)
    plan, written = run("gaia_trainees", academy, manager, "gaia_stagiaires.txt")
    assert written and plan.created == 1
    refused = {r["line"]: r["reason"] for r in plan.refused}
    assert "en double" in refused[3] and "ligne 2" in refused[3]
    assert refused[4] == "Session GAIA inconnue dans l'académie : S99999."
    assert refused[5] == "Aucun personnel de l'académie avec l'adresse personne@example.org."
    enrolment = Enrolment.objects.get()
    assert enrolment.staff == teacher.staff and enrolment.state == Enrolment.State.BOOKED
    assert enrolment.session.gaia_id == "S25042A"

    plan, written = run("gaia_trainees", academy, manager, "gaia_stagiaires.txt")
    assert plan.unchanged == 1 and plan.created == 0


def test_import_gaia_command_needs_a_manager(imported, academy, manager, auditor, capsys):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--user"):
        call_command(
            "import_gaia",
            str(DATA / "gaia_formations.txt"),
            "--academy",
            "25",
            "--kind",
            "gaia_formations",
        )
    with pytest.raises(CommandError, match="ne peut pas importer"):
        call_command(
            "import_gaia",
            str(DATA / "gaia_formations.txt"),
            "--academy",
            "25",
            "--kind",
            "gaia_formations",
            "--user",
            auditor.username,
        )
    call_command(
        "import_gaia",
        str(DATA / "gaia_formations.txt"),
        "--academy",
        "25",
        "--kind",
        "gaia_formations",
        "--user",
        manager.username,
        "--dry-run",
    )
    out = capsys.readouterr().out
    assert "Lignes inchangées : 5" in out
    assert "ligne 8 : Date de début « 31/02/2011 » : cette date n'existe pas." in out
