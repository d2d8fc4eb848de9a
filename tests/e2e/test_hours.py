"""The attendance journey of the demo académie: the trainer of a past in-school session
fills its sheet in one click and validates a competence item; the teacher finds the
hours credited and the item validated in her record.

Independent of the other journeys: it uses the past session "Découvrir le TNI", on which
the demo books "enseignant"."""

import re

from playwright.sync_api import expect

from tests.e2e.navigation import follow_menu

SESSION = "Découvrir le TNI"


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def test_trainer_takes_attendance_and_teacher_sees_her_hours(page, login):
    login("formateur")
    follow_menu(page, "Formations", "Catalogue")
    page.get_by_label("Rechercher").fill("TNI")
    page.get_by_role("button", name="Rechercher").click()
    page.get_by_test_id("catalogue").get_by_role("link", name=SESSION).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SESSION)

    page.get_by_test_id("attendance").get_by_role("link", name=re.compile("^Émargement")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Émargement")
    page.get_by_role("button", name="Tous présents").click()
    expect(page.get_by_text("Feuille d'émargement enregistrée (1 ligne(s)).")).to_be_visible()
    row = page.get_by_test_id("sheet").get_by_role("row").filter(has_text="Claire Martin")
    expect(row).to_contain_text("Présent")
    expect(row).to_contain_text("2,0 h")

    page.get_by_role("link", name=re.compile(SESSION)).first.click()
    page.get_by_role("link", name="Compétences C2i2e des participants").click()
    page.get_by_label("Valider A.1-2 pour Claire Martin").check()
    page.get_by_role("button", name="Valider les items cochés").click()
    expect(page.get_by_text("Items validés : Claire Martin (1).")).to_be_visible()
    log_out(page)

    login("enseignant")
    follow_menu(page, "Formations", "Mon parcours")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon parcours")
    # 4,5 h from the demo's earlier session "Le tableau numérique interactif en cours"
    expect(page.get_by_test_id("hours")).to_contain_text("6,5 h")
    lines = page.get_by_test_id("lines")
    expect(lines.get_by_role("row").filter(has_text=SESSION)).to_contain_text("2,0 h")
    a1 = page.get_by_test_id("domains").locator('tr[data-domain="A.1"]')
    expect(a1).to_contain_text("1/5")
    expect(a1).to_contain_text("A.1-2 (Validé)")
