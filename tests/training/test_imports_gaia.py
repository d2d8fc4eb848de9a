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


# --- Files as the rectorate's system exports them ------------------------------------


def refusals(plan) -> dict[int, str]:
    return {r["line"]: r["reason"] for r in plan.refused}


def formations(academy, manager, data: bytes, **options):
    return runner.run_file(
        kind="gaia_formations",
        academy=academy,
        user=manager,
        data=data,
        dry_run=options.get("dry_run", False),
        force=True,
    )


ACCEPTED = "codes acceptés ETAB, BASS, CIRC, AUTRE, DIST, FOAD, CV."


@pytest.fixture
def headerless(manager, academy, places):
    plan, written = run("gaia_formations", academy, manager, "gaia_formations_sans_entete.txt")
    assert written
    return plan


def test_headerless_formations_read_in_facts_order_with_every_place_type_code(
    headerless, school, other_school
):
    assert (headerless.lines, headerless.created, headerless.refused_count) == (11, 8, 3)
    programme = Programme.objects.get(code="10A0250050")
    assert programme.title == "Le numérique au quotidien"
    session = Session.objects.get(gaia_id="S25050A")
    assert (session.module.code, session.module.title, session.group) == (
        "25050",
        "Usages du TNI",
        "01",
    )
    slots = list(session.slots.order_by("start"))
    assert [(s.gaia_key, s.modality, s.school, s.room) for s in slots] == [
        ("S25050A#1", "in_person", school, ""),  # ETAB, a UAI
        ("S25050A#2", "in_person", None, "Salle du bassin de Versailles"),  # BASS
        ("S25050A#3", "in_person", None, "Circonscription de Sèvres"),  # CIRC
        ("S25050A#4", "in_person", None, "Médiathèque de Versailles"),  # AUTRE
        ("S25050A#5", "self_paced", None, ""),  # DIST
        ("S25050A#6", "self_paced", None, ""),  # FOAD
        ("S25050A#7", "virtual", None, ""),  # CV
        ("S25050A#8", "in_person", other_school, ""),  # « établissement », 13 columns
    ]
    assert [s.credited_minutes for s in slots[4:6]] == [120, 90]
    assert slots[6].video_url == "https://visio.ac-versailles.fr/usages"


def test_headerless_formations_refusals(headerless):
    assert refusals(headerless) == {
        8: "Type de lieu « XYZ » inconnu : " + ACCEPTED,
        9: "Type de lieu manquant : " + ACCEPTED,
        10: "Ligne incomplète : 12 colonnes au lieu de 13. Colonnes manquantes : lieu.",
    }


def test_headerless_formations_reimport_reports_nothing_updated(headerless, manager, academy):
    sequences = dict(Slot.objects.values_list("gaia_key", "sequence"))
    plan, written = run("gaia_formations", academy, manager, "gaia_formations_sans_entete.txt")
    assert not written
    assert (plan.created, plan.updated, plan.unchanged, plan.refused_count) == (0, 0, 8, 3)
    assert dict(Slot.objects.values_list("gaia_key", "sequence")) == sequences


def test_the_sample_without_its_column_line_gives_the_same_plan(manager, academy, places):
    with_header = (DATA / "gaia_formations.txt").read_bytes()
    without = with_header.split(b"\n", 1)[1]
    plans = [formations(academy, manager, d, dry_run=True)[0] for d in (with_header, without)]
    assert [p.counts() for p in plans] == [
        {"lines": 8, "created": 5, "updated": 0, "unchanged": 0, "refused": 3}
    ] * 2
    # Same lines refused, numbered from the file's first line.
    assert {n - 1: r for n, r in refusals(plans[0]).items()} == refusals(plans[1])


@pytest.mark.parametrize(
    ("code", "modality"),
    [
        ("ETAB", "in_person"),
        ("etab", "in_person"),
        ("Établissement", "in_person"),
        ("présentiel", "in_person"),
        ("BASS", "in_person"),
        ("Bassin", "in_person"),
        ("CIRC", "in_person"),
        ("circonscription", "in_person"),
        ("AUTRE", "in_person"),
        ("Autre lieu", "in_person"),
        ("DIST", "self_paced"),
        ("à distance", "self_paced"),
        ("en ligne", "self_paced"),
        ("hors temps", "self_paced"),
        ("FOAD", "self_paced"),
        ("CV", "virtual"),
        ("classe virtuelle", "virtual"),
        ("Visio", "virtual"),
        ("visioconférence", "virtual"),
    ],
)
def test_place_type_codes(code, modality):
    from training.imports.gaia import modality_of

    assert modality_of(code) == modality


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("XYZ", "Type de lieu « XYZ » inconnu : " + ACCEPTED),
        ("ETABL", "Type de lieu « ETABL » inconnu : " + ACCEPTED),
        ("SALLE", "Type de lieu « SALLE » inconnu : " + ACCEPTED),
        ("", "Type de lieu manquant : " + ACCEPTED),
        ("  ", "Type de lieu manquant : " + ACCEPTED),
    ],
)
def test_unknown_place_type_code_is_refused_not_taken_as_in_person(code, reason):
    from training.imports.base import LineRefused
    from training.imports.gaia import modality_of

    with pytest.raises(LineRefused) as refused:
        modality_of(code)
    assert refused.value.message == reason


def test_formations_file_whose_columns_lack_type_lieu_is_refused_as_a_whole(
    manager, academy, places
):
    from training.imports import FileRefused

    lines = (DATA / "gaia_formations.txt").read_bytes().splitlines(keepends=True)
    header = lines[0].replace(b"|type_lieu|", b"|")
    with pytest.raises(FileRefused, match="Colonnes manquantes : type_lieu"):
        formations(academy, manager, header + b"".join(lines[1:]))


def test_line_short_of_columns_says_so_with_or_without_column_line(manager, academy, places):
    lines = (DATA / "gaia_formations.txt").read_bytes().splitlines()
    first = lines[1]  # formations|…|ETAB|0783288A|
    for data, number in ((lines[0] + b"\n", 2), (b"", 1)):
        data += b"\n".join(
            [
                first.rsplit(b"|", 3)[0],  # …|end_time: 11 columns
                first.rsplit(b"|", 1)[0],  # …|ETAB|0783288A: 13 columns, complete
                b"formations|10A0250042|Usages",  # 3 columns
            ]
        )
        plan, _written = formations(academy, manager, data, dry_run=True)
        assert refusals(plan) == {
            number: "Ligne incomplète : 11 colonnes au lieu de 13. "
            "Colonnes manquantes : type_lieu, lieu.",
            number + 2: "Ligne incomplète : 3 colonnes au lieu de 13. Colonnes manquantes : "
            "module_id, module_name, session_id, groupe, start_date, start_time, end_date, "
            "end_time, type_lieu, lieu.",
        }
        assert plan.created == 1


def test_one_column_line_is_singular():
    from training.imports.gaia_people import TraineesImporter
    from training.imports.reader import read_table

    table = read_table(b"ACA_STAG\n", TraineesImporter.columns, headerless=True)
    assert table.incomplete(1) == (
        "Ligne incomplète : 1 colonne au lieu de 5. "
        "Colonnes manquantes : session_id, nom, prenom, email."
    )


def test_phase_titles_stay_on_their_slots_and_reimport_changes_nothing(manager, academy, places):
    plan, written = run("gaia_formations", academy, manager, "gaia_formations_phases.txt")
    assert written and (plan.created, plan.refused_count) == (6, 0)
    phased = Module.objects.get(code="25060")
    assert phased.title == "Parcours TNI – phase 1 : introduction"  # its first line's
    titles = [
        (s.gaia_key, s.title) for s in Slot.objects.filter(session__module=phased).order_by("start")
    ]
    assert titles == [
        ("S25060A#1", "Parcours TNI – phase 1 : introduction"),
        ("S25060A#2", "Parcours TNI – phase 2 : conception à distance"),
        ("S25060A#3", "Parcours TNI – phase 6 : bilan et mutualisation"),
        ("S25060B#1", "Parcours TNI – phase 1 : introduction"),
    ]
    # A module with one name: its slots have no title of their own.
    single = Module.objects.get(code="25061")
    assert single.title == "Classe mobile"
    assert set(Slot.objects.filter(session__module=single).values_list("title", flat=True)) == {""}

    plan, written = run("gaia_formations", academy, manager, "gaia_formations_phases.txt")
    assert not written and (plan.created, plan.updated, plan.unchanged) == (0, 0, 6)
    assert Module.objects.get(code="25060").title == "Parcours TNI – phase 1 : introduction"


def test_unchanged_file_applied_again_updates_nothing(imported, manager, academy):
    from training.imports import FormationsImporter

    before = dict(Slot.objects.values_list("gaia_key", "sequence"))
    importer = FormationsImporter(academy=academy, user=manager)
    plan = importer.plan((DATA / "gaia_formations.txt").read_bytes())
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 5)
    importer.apply(plan)
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 5)
    assert dict(Slot.objects.values_list("gaia_key", "sequence")) == before


def test_long_texts_are_refused_never_cut(manager, academy, places):
    room = "Salle " + "x" * 93 + " du CRDP"  # 107 characters: one column holds 100
    module = "Module " + "y" * 192 + " et suite"  # 208: one column holds 200
    line = (
        f"ACA_FORM|10A0250070|Dispositif|25070|{module}|S25070A|01|"
        f"06/12/2010|14:00|06/12/2010|17:00|BASS|{room}|\n"
    ).encode("cp1252")
    plan, written = formations(academy, manager, line)
    assert not written and plan.created == 0
    assert "trop long (100 caractères au plus)" in plan.refused[0]["reason"]  # the room
    bounded = line.replace(module.encode(), module[:200].rstrip().encode()).replace(
        room.encode(), room[:100].rstrip().encode()
    )
    plan, written = formations(academy, manager, bounded)
    assert written and plan.created == 1
    plan, written = formations(academy, manager, bounded)
    assert not written and (plan.updated, plan.unchanged) == (0, 1)


def test_headerless_intervenants_and_stagiaires(headerless, manager, academy, trainer, teacher):
    plan, written = run("gaia_trainers", academy, manager, "gaia_intervenants_sans_entete.txt")
    assert written and (plan.lines, plan.created) == (3, 2)
    assert refusals(plan) == {
        3: "Ligne incomplète : 4 colonnes au lieu de 5. Colonnes manquantes : email."
    }
    session = Session.objects.get(gaia_id="S25050A")
    assert list(session.trainers.all()) == [trainer]
    assert session.external_trainers == "Benoît Extérieur"
    plan, written = run("gaia_trainers", academy, manager, "gaia_intervenants_sans_entete.txt")
    assert not written and (plan.created, plan.updated, plan.unchanged) == (0, 0, 2)

    Programme.objects.filter(code="10A0250050").update(kind=Programme.Kind.DESIGNATED)
    plan, written = run("gaia_trainees", academy, manager, "gaia_stagiaires_sans_entete.txt")
    assert written and plan.created == 1
    assert refusals(plan) == {
        # The email column missing, against the column there but empty.
        2: "Ligne incomplète : 4 colonnes au lieu de 5. Colonnes manquantes : email.",
        3: "Adresse électronique manquante.",
    }
    assert Enrolment.objects.get().staff == teacher.staff
    plan, written = run("gaia_trainees", academy, manager, "gaia_stagiaires_sans_entete.txt")
    assert not written and (plan.created, plan.updated, plan.unchanged) == (0, 0, 1)


@pytest.mark.parametrize(
    ("disp_id", "national"),
    [("10N0250042", True), ("10n0250042", True), ("10A0250042", False), ("N0A0250042", False)],
)
def test_national_dispositif_is_told_by_its_third_character(disp_id, national):
    from training.imports.gaia import is_national_dispositif

    assert is_national_dispositif(disp_id) is national


def test_a_national_dispositif_is_recorded_as_national(manager, academy, places):
    content = (DATA / "gaia_formations.txt").read_bytes().replace(b"10A0250042", b"10N0250042")
    plan, written = runner.run_file(
        kind="gaia_formations", academy=academy, user=manager, data=content,
        dry_run=False, force=True,
    )  # fmt: skip
    assert written, plan.refused
    assert Programme.objects.get(code="10N0250042").national


def test_the_academys_own_dispositif_is_not_national(manager, academy, places):
    run("gaia_formations", academy, manager, "gaia_formations.txt")
    assert not Programme.objects.get(code="10A0250042").national
