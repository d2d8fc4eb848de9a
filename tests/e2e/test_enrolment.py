"""The enrolment journey of the demo académie: a teacher finds a session in the catalogue
and asks to enrol, her head approves the request, and she finds herself booked."""

import re

from playwright.sync_api import expect

from tests.e2e.navigation import follow_menu

SESSION = "Intégrer l'ENT dans sa pratique"


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def test_teacher_asks_head_approves_teacher_is_booked(page, login):
    login("enseignant")
    follow_menu(page, "Formations", "Catalogue")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des formations")
    page.get_by_label("Rechercher").fill("ENT")
    page.get_by_role("button", name="Rechercher").click()
    catalogue = page.get_by_test_id("catalogue")
    catalogue.get_by_role("link", name=SESSION).click()

    expect(page.get_by_role("heading", level=1)).to_contain_text(SESSION)
    expect(page.get_by_text("Validation du chef d'établissement")).to_be_visible()
    page.get_by_role("button", name="Demander à m'inscrire").click()
    expect(page.get_by_text(re.compile("demande transmise", re.IGNORECASE))).to_be_visible()
    expect(page.get_by_test_id("my-enrolment")).to_contain_text("Demandée")
    log_out(page)

    login("directeur")
    follow_menu(page, "Pilotage", "Validations")
    approvals = page.get_by_test_id("approvals")
    row = approvals.get_by_role("row").filter(has_text="Claire Martin").filter(has_text=SESSION)
    expect(row).to_have_count(1)
    row.get_by_label("Sélectionner la demande de Claire Martin").check()
    page.get_by_role("button", name="Valider la sélection").click()
    expect(page.get_by_text(re.compile(r"Validées : Claire Martin .*Inscrit"))).to_be_visible()
    expect(approvals.get_by_role("row").filter(has_text=SESSION)).to_have_count(0)
    log_out(page)

    login("enseignant")
    follow_menu(page, "Formations", "Mes formations")
    mine = page.get_by_test_id("my-training").get_by_role("row").filter(has_text=SESSION)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Inscrit")
