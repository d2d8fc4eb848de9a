"""Imports of schools and staff: real-shaped files in tests/data/, each refusal with its
line and French reason, idempotent re-import, the dry run that writes nothing, and the
encodings and shapes the rectorates' tools produce."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from training.imports import FileRefused, SchoolImporter, StaffImporter, runner
from training.imports.reader import Column, read_table
from training.models import District, RoleMembership, School, Staff

DATA = Path(__file__).resolve().parents[1] / "data"
pytestmark = pytest.mark.django_db


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


def run(kind, academy, name_or_bytes, *, dry_run=False, force=False, user=None):
    content = data(name_or_bytes) if isinstance(name_or_bytes, str) else name_or_bytes
    return runner.run_file(
        kind=kind, academy=academy, user=user, data=content, dry_run=dry_run, force=force
    )


def reasons(plan) -> dict[int, str]:
    return {r["line"]: r["reason"] for r in plan.refused}


@pytest.fixture
def schools(school, other_school, outsider_school):
    return [school, other_school, outsider_school]


# --- The reader -----------------------------------------------------------------------


COLUMNS = [Column("uai", ()), Column("nom", ()), Column("prenom", ("prénom",))]


@pytest.mark.parametrize(
    ("raw", "encoding", "delimiter"),
    [
        ("UAI;Nom;Prénom\n0783288A;Noël;Hélène\n".encode(), "utf-8", ";"),
        ("\ufeffuai,nom,prenom\n0783288A,Noël,Hélène\n".encode(), "utf-8-sig", ","),
        ("UAI|NOM|PRENOM|\r\n0783288A|Noël|Hélène|\r\n".encode("cp1252"), "cp1252", "|"),
    ],
)
def test_reader_detects_encoding_and_delimiter(raw, encoding, delimiter):
    table = read_table(raw, COLUMNS)
    assert (table.encoding, table.delimiter) == (encoding, delimiter)
    assert table.rows == [(2, {"uai": "0783288A", "nom": "Noël", "prenom": "Hélène"})]


def test_reader_skips_empty_lines_and_keeps_file_line_numbers():
    table = read_table(b"uai;nom;prenom;;\n\n0783288A;A;B;;\n   \n0920134W;C;D\n", COLUMNS)
    assert [line for line, _values in table.rows] == [3, 5]


def test_reader_refuses_missing_columns_by_name():
    with pytest.raises(FileRefused, match="Colonnes manquantes : prenom"):
        read_table(b"uai;nom\n0783288A;A\n", COLUMNS)


def test_reader_refuses_an_undecodable_file():
    with pytest.raises(FileRefused, match="Encodage non reconnu"):
        read_table(data("staff_bad_encoding.csv"), COLUMNS)


POSITIONAL = [
    Column("table", (), required=False),
    Column("session_id", ("session",)),
    Column("nom", ()),
    Column("prenom", ("prénom",)),
    Column("email", ("mail",), required=False),
]


def test_reader_reads_a_file_without_column_line_in_the_documented_order():
    raw = "ACA_STAG|S1|Noël|Hélène|h@example.org\r\nACA_STAG|S2|Martin|Claire|\r\n"
    table = read_table(raw.encode("cp1252"), POSITIONAL, headerless=True)
    assert (table.header, table.delimiter, table.width, table.short) == (False, "|", 5, {})
    assert table.rows == [
        (1, {"table": "ACA_STAG", "session_id": "S1", "nom": "Noël", "prenom": "Hélène",
             "email": "h@example.org"}),
        (2, {"table": "ACA_STAG", "session_id": "S2", "nom": "Martin", "prenom": "Claire",
             "email": ""}),
    ]  # fmt: skip


def test_reader_takes_a_column_line_as_one_even_with_a_misspelt_column():
    table = read_table(b"table|session|nom|prenom|email\nx|S1|A|B|c\n", POSITIONAL, headerless=True)
    assert table.header and [line for line, _v in table.rows] == [2]
    # Boundary: half of the cells name columns → a column line, refused for the others.
    with pytest.raises(FileRefused, match="Colonnes manquantes : session_id, prenom"):
        read_table(b"table|sesion|nom|prnom\nx|S1|A|B\n", POSITIONAL, headerless=True)
    # Fewer than half (a person called « Nom »): a line of data.
    table = read_table(b"x|S1|Nom|B|c\n", POSITIONAL, headerless=True)
    assert not table.header and table.rows[0][1]["nom"] == "Nom"


def test_reader_refuses_a_file_without_column_line_unless_its_kind_allows_it():
    with pytest.raises(FileRefused, match="Colonnes manquantes : session_id, nom, prenom"):
        read_table(b"ACA_STAG|S1|A|B|c\n", POSITIONAL)


def test_reader_without_column_line_picks_the_delimiter_giving_the_documented_count():
    table = read_table(b"ACA_STAG|S1|Dupont, dit Jean|B|c\n", POSITIONAL, headerless=True)
    assert table.delimiter == "|" and table.rows[0][1]["nom"] == "Dupont, dit Jean"
    table = read_table(b"ACA_STAG;S1;A;B;c\n", POSITIONAL, headerless=True)
    assert table.delimiter == ";" and table.rows[0][1]["email"] == "c"


def test_reader_notes_lines_short_of_columns_trailing_empty_ones_counting():
    raw = b"uai;nom;prenom;\n0783288A;A;;\n0783288A;A;\n0783288A;A\n0783288A\n"
    table = read_table(raw, COLUMNS)
    assert table.width == 3 and table.short == {4: 2, 5: 1}
    assert table.incomplete(2) is None and table.incomplete(3) is None
    assert table.incomplete(4) == (
        "Ligne incomplète : 2 colonnes au lieu de 3. Colonnes manquantes : prenom."
    )
    assert table.incomplete(5) == (
        "Ligne incomplète : 1 colonne au lieu de 3. Colonnes manquantes : nom, prenom."
    )


# --- Schools --------------------------------------------------------------------------


def test_schools_file_creates_schools_and_districts_then_reimport_changes_nothing(academy):
    plan, written = run("schools", academy, "schools_utf8_semicolon.csv")
    assert written and plan.counts() == {
        "lines": 4,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "refused": 0,
    }
    college = School.objects.get(uai="0781001P")
    assert (college.name, college.kind, college.degree, college.city) == (
        "Collège Les Saules",
        "college",
        2,
        "Guyancourt",
    )
    assert college.academy == academy
    assert college.district.name == "Versailles" and college.district.kind == "bassin"
    ecole = School.objects.get(uai="0781002R")
    assert ecole.degree == 1 and ecole.district.kind == District.Kind.CIRCONSCRIPTION

    plan, written = run("schools", academy, "schools_utf8_semicolon.csv")
    assert plan.counts()["unchanged"] == 4 and not written
    assert School.objects.filter(academy=academy).count() == 4


def test_schools_changed_line_updates_that_school_only(academy):
    run("schools", academy, "schools_utf8_semicolon.csv")
    changed = data("schools_utf8_semicolon.csv").replace(
        "Lycée Camille Pissarro".encode(), "Lycée Camille-Pissarro".encode()
    )
    plan, written = run("schools", academy, changed)
    assert written and (plan.created, plan.updated, plan.unchanged) == (0, 1, 3)
    assert School.objects.get(uai="0951004A").name == "Lycée Camille-Pissarro"


def test_schools_refusals_each_with_line_and_reason(academy, outsider_school):
    plan, written = run("schools", academy, "schools_bad.csv")
    assert not written
    refused = reasons(plan)
    assert "en double" in refused[2] and "ligne 3" in refused[2]
    assert "en double" in refused[3]
    assert "lettre de contrôle erronée" in refused[4] and "R" in refused[4]
    assert refused[5] == "Nom manquant."
    assert "Type d'établissement « Université » inconnu" in refused[6]
    assert "ne correspond pas au type" in refused[7]
    assert "appartient à une autre académie" in refused[8]
    assert plan.created == 0
    assert not School.objects.filter(academy=academy).exists()


# --- Staff ----------------------------------------------------------------------------


def test_cp1252_staff_file_round_trips_accented_names_exactly(academy, schools):
    plan, written = run("staff", academy, "staff_cp1252.csv")
    assert written and plan.created == 4 and not plan.refused
    names = {
        s.staff_id: (s.user.last_name, s.user.first_name)
        for s in Staff.objects.select_related("user").filter(staff_id__startswith="A")
    }
    assert names == {
        "A0000001": ("Lefèvre", "Hélène"),
        "A0000002": ("Noël", "François"),
        "A0000003": ("Dœuf", "Zoé"),
        "A0000004": ("Müller-Gaëtan", "Anaïs"),
    }
    doc = Staff.objects.get(staff_id="A0000003")
    assert doc.position == Staff.Position.LIBRARIAN
    assert doc.discipline == "Sciences économiques et sociales"
    assert doc.school.uai == "0920134W"


def test_imported_staff_get_an_account_without_usable_password(academy, schools):
    run("staff", academy, "staff_cp1252.csv")
    user = get_user_model().objects.get(username="a0000001")
    assert user.email == "helene.lefevre@ac-versailles.fr"
    assert not user.has_usable_password()


def test_head_in_staff_file_becomes_head_of_that_school(academy, schools, school):
    run("staff", academy, "staff_cp1252.csv")
    head = Staff.objects.get(staff_id="A0000004").user
    assert RoleMembership.objects.filter(
        user=head, role=RoleMembership.Role.HEAD, school=school
    ).exists()
    assert not RoleMembership.objects.filter(
        user__staff__staff_id="A0000001", role=RoleMembership.Role.HEAD
    ).exists()


def test_staff_with_bom_and_commas_quoted_fields_and_trailing_separators(academy, schools):
    plan, written = run("staff", academy, "staff_bom_comma.csv")
    assert written and plan.created == 2 and not plan.refused
    martin = Staff.objects.select_related("user").get(staff_id="B0000002")
    assert martin.user.last_name == "Martin, dit Petit"
    assert martin.position == Staff.Position.CPE
    assert Staff.objects.get(staff_id="B0000001").user.first_name == "Émilie"


def test_staff_reimport_is_idempotent_and_a_changed_line_updates_one_record(academy, schools):
    run("staff", academy, "staff_cp1252.csv")
    before = {s.staff_id: (s.pk, s.user_id) for s in Staff.objects.filter(staff_id__startswith="A")}
    plan, written = run("staff", academy, "staff_cp1252.csv")
    assert not written and plan.counts()["unchanged"] == 4

    moved = data("staff_cp1252.csv").replace(
        b"A0000002;No\xebl;Fran\xe7ois;francois.noel@ac-versailles.fr;0783288A;Fran\xe7ais",
        b"A0000002;No\xebl;Fran\xe7ois;f.noel@ac-versailles.fr;0920134W;Fran\xe7ais",
    )
    assert moved != data("staff_cp1252.csv")
    plan, written = run("staff", academy, moved)
    assert written and (plan.created, plan.updated, plan.unchanged) == (0, 1, 3)
    noel = Staff.objects.select_related("user", "school").get(staff_id="A0000002")
    assert noel.school.uai == "0920134W" and noel.user.email == "f.noel@ac-versailles.fr"
    after = {s.staff_id: (s.pk, s.user_id) for s in Staff.objects.filter(staff_id__startswith="A")}
    assert after == before  # same records, updated in place


def test_staff_refusals_each_with_line_and_french_reason(academy, schools):
    plan, written = run("staff", academy, "staff_bad.csv")
    assert not written
    refused = reasons(plan)
    assert set(refused) == {3, 4, 5, 6, 7, 8, 9, 10, 11}
    assert "lettre de contrôle erronée" in refused[3] and "0783288A" not in refused[3]
    assert refused[4] == "Établissement inconnu : UAI 0781001P."
    assert "« C0000004 » en double" in refused[5] and "ligne 6" in refused[5]
    assert "ligne 5" in refused[6]
    assert "n'est pas dans l'académie de Versailles" in refused[7]
    assert refused[8] == "Nom manquant."
    assert "Adresse électronique « pas-une-adresse » invalide" in refused[9]
    assert "Rôle « astronaute » inconnu" in refused[10]
    assert "ne correspond pas à l'établissement" in refused[11]
    assert plan.created == 2
    # Refused lines and no --yes: nothing written at all, not even the valid lines.
    assert not Staff.objects.filter(staff_id__startswith="C").exists()


def test_valid_lines_are_written_only_when_confirmed(academy, schools):
    plan, written = run("staff", academy, "staff_bad.csv", force=True)
    assert written and plan.created == 2
    assert set(
        Staff.objects.filter(staff_id__startswith="C").values_list("staff_id", flat=True)
    ) == {
        "C0000001",
        "C0000010",
    }


def test_dry_run_writes_nothing(academy, schools):
    users = get_user_model().objects.count()
    plan, written = run("staff", academy, "staff_cp1252.csv", dry_run=True)
    assert not written and plan.created == 4
    assert get_user_model().objects.count() == users
    assert not Staff.objects.filter(staff_id__startswith="A").exists()
    assert not RoleMembership.objects.filter(role="head", school__uai="0783288A").exists()


def test_file_with_wrong_columns_is_refused_as_a_whole(academy, schools):
    with pytest.raises(FileRefused, match="Colonnes manquantes : identifiant, uai"):
        run("staff", academy, "staff_wrong_columns.csv", force=True)


def test_staff_of_another_academy_is_not_updated_from_here(academy, schools, outsider):
    staff_id = outsider.staff.staff_id
    content = f"identifiant;nom;prenom;uai\n{staff_id};Pirate;Jean;0783288A\n".encode()
    plan, written = run("staff", academy, content, force=True)
    assert not written and "autre académie" in reasons(plan)[2]
    outsider.staff.refresh_from_db()
    assert outsider.staff.school.uai == "0750655E"


def test_username_taken_by_another_account_is_a_refused_line(academy, schools, make_user):
    make_user("z0000001")
    content = b"identifiant;nom;prenom;uai\nZ0000001;Homonyme;Jean;0783288A\n"
    plan, _written = run("staff", academy, content)
    assert "existe déjà" in reasons(plan)[2]


def test_importers_are_usable_directly(academy, schools):
    plan = StaffImporter(academy=academy, user=None).plan(data("staff_bom_comma.csv"))
    assert plan.created == 2
    plan = SchoolImporter(academy=academy, user=None).plan(data("schools_utf8_semicolon.csv"))
    assert plan.created == 4


# --- Management commands --------------------------------------------------------------


def test_import_staff_command_prints_report_and_refuses_without_yes(academy, schools, capsys):
    with pytest.raises(CommandError, match="relancez avec --yes"):
        call_command("import_staff", str(DATA / "staff_bad.csv"), "--academy", "25")
    out = capsys.readouterr().out
    assert "Lignes refusées : 9" in out
    assert "ligne 4 : Établissement inconnu : UAI 0781001P." in out
    assert not Staff.objects.filter(staff_id__startswith="C").exists()

    call_command("import_staff", str(DATA / "staff_bad.csv"), "--academy", "25", "--yes")
    assert "Import écrit." in capsys.readouterr().out
    assert Staff.objects.filter(staff_id__startswith="C").count() == 2


def test_import_schools_command_dry_run(academy, capsys):
    call_command(
        "import_schools", str(DATA / "schools_utf8_semicolon.csv"), "--academy", "25", "--dry-run"
    )
    out = capsys.readouterr().out
    assert "Lignes à créer : 4" in out and "rien n'a été écrit" in out
    assert not School.objects.filter(uai="0781001P").exists()


def test_import_command_refuses_a_bad_file(academy):
    with pytest.raises(CommandError, match="Fichier refusé"):
        call_command("import_staff", str(DATA / "staff_bad_encoding.csv"), "--academy", "25")


# --- Hostile files: refused with their real reason, never a traceback ------------------


def test_a_file_with_an_absurd_column_line_is_refused_with_its_reason(academy, schools):
    wide = (";".join(f"c{i}" for i in range(200_000)) + "\n").encode()
    with pytest.raises(FileRefused, match="ce n'est pas une ligne de colonnes"):
        run("staff", academy, wide)


def test_a_ten_megabyte_value_is_refused_with_its_reason(academy, schools):
    data = ("identifiant;nom;prenom;uai\nA1;" + "x" * 10_000_000 + ";B;0783288A\n").encode()
    with pytest.raises(FileRefused, match="une valeur dépasse"):
        run("staff", academy, data)


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\u202e", "\u2066"])
def test_control_and_bidi_characters_refuse_their_line_only(academy, schools, char):
    data = (
        "identifiant;nom;prenom;uai\n"
        f"A0000091;Du{char}pont;Jean;0783288A\n"
        "A0000092;Martin;Claire;0783288A\n"
    ).encode()
    plan, written = run("staff", academy, data, force=True)
    assert written and plan.created == 1
    assert [r["line"] for r in plan.refused] == [2]
    assert "Caractère interdit" in plan.refused[0]["reason"]
    assert not Staff.objects.filter(staff_id="A0000091").exists()


def test_a_long_but_bounded_value_is_read(academy, schools):
    data = ("identifiant;nom;prenom;uai\nA0000093;" + "N" * 150 + ";Jean;0783288A\n").encode()
    plan, _written = run("staff", academy, data, dry_run=True)
    assert not any("Caractère" in r["reason"] for r in plan.refused)
