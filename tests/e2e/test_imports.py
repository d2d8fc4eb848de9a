"""The import journey: an auditor of the demo académie uploads a staff file with a few
bad lines, sees the dry run and the refused lines with their reasons, confirms, and
finds the new staff on their school's page."""

import re

from playwright.sync_api import expect

from tests.e2e.navigation import follow_menu
from training.demo.directory import demo_uai


def staff_file(tmp_path):
    college, other = demo_uai(0), demo_uai(1)
    wrong_letter = college[:7] + ("A" if college[7] != "A" else "B")
    lines = [
        "Identifiant;Nom;Prénom;Email;UAI;Discipline;Degré;Rôle",
        f"E2E0000001;Lefèvre-Import;Hélène;h.lefevre@ac-versailles.fr;{college};Mathématiques;;",
        f"E2E0000002;Noël-Import;François;f.noel@ac-versailles.fr;{other};;;",
        f"E2E0000003;Lettre;Bruno;b.lettre@ac-versailles.fr;{wrong_letter};;;",
        "E2E0000004;Paris;Éric;e.paris@ac-paris.fr;0750655E;;;",
        f"E2E0000005;Rôle;Hugo;h.role@ac-versailles.fr;{college};;;astronaute",
    ]
    path = tmp_path / "personnels.csv"
    path.write_bytes("\r\n".join(lines).encode("cp1252"))
    return path, college


def test_auditor_imports_staff_sees_refusals_confirms_and_finds_them(page, login, tmp_path):
    path, college = staff_file(tmp_path)
    login("auditeur")
    follow_menu(page, "Annuaire et comptes", "Imports")
    expect(page.get_by_role("heading", level=1)).to_have_text("Imports")
    page.get_by_label("Type de fichier").select_option(label="Personnels")
    page.locator("input[type=file][name=file]").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier le fichier").click()

    counts = page.get_by_test_id("import-counts")
    expect(counts).to_contain_text("À créer : 2")
    expect(counts).to_contain_text("Refusées : 3")
    refused = page.get_by_test_id("refused-lines")
    expect(
        refused.get_by_role("row").filter(has_text="lettre de contrôle erronée")
    ).to_contain_text("4")
    expect(refused.get_by_role("row").filter(has_text="0750655E")).to_contain_text("5")
    expect(refused.get_by_role("row").filter(has_text="astronaute")).to_contain_text("6")

    # Nothing is written before the confirmation.
    page.goto(f"/etablissements/{college}/")
    expect(page.get_by_text("Lefèvre-Import")).to_have_count(0)
    page.go_back()

    page.get_by_role("button", name="Importer les lignes valides").click()
    expect(page.get_by_test_id("import-status")).to_contain_text("Importé")
    expect(page.get_by_test_id("import-counts")).to_contain_text("Créées : 2")

    page.goto(f"/etablissements/{college}/")
    expect(page.get_by_text(re.compile("Lefèvre-Import"))).to_be_visible()
