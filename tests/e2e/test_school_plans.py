"""The school training plan journey of the demo académie: the collège's plan, drafted
and submitted by the référent (seed_demo), is returned by the head with a comment; the
référent answers and submits again, the head approves it."""

from playwright.sync_api import expect

from tests.e2e.navigation import follow_menu

COMMENT = "Ajoutez une ligne pour les professeurs documentalistes."


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def add_line(page, theme, hours):
    form = page.get_by_test_id("line-form")
    form.get_by_label("Thème").fill(theme)
    form.get_by_label("Durée prévue par personne (heures)").fill(hours)
    form.get_by_role("button", name="Ajouter la ligne").click()
    expect(page.get_by_text("Ligne ajoutée au plan.")).to_be_visible()


def test_head_returns_the_submitted_plan_then_approves_it(page, login):
    # The demo's collège has a plan drafted by "referent" and submitted to "directeur".
    login("referent")
    follow_menu(page, "Pilotage", "Plan de formation")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Plan de formation")
    expect(page.get_by_test_id("plan-status")).to_contain_text("Soumis")
    lines = page.get_by_test_id("lines")
    expect(lines).to_contain_text("Le tableau numérique interactif en cours")
    expect(lines).to_contain_text("Droit à l'image et publication en ligne avec les élèves")
    # Submitted: no more change before the head's decision.
    expect(page.get_by_test_id("line-form")).to_have_count(0)
    log_out(page)

    login("directeur")
    follow_menu(page, "Pilotage", "Plan de formation")
    expect(page.get_by_test_id("plan-status")).to_contain_text("Soumis")
    decision = page.get_by_test_id("decision-form")
    decision.get_by_label("Commentaire").fill(COMMENT)
    decision.get_by_role("button", name="Renvoyer au référent").click()
    expect(page.get_by_text("Plan renvoyé au référent avec votre commentaire.")).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_contain_text("Renvoyé pour modification")
    log_out(page)

    login("referent")
    follow_menu(page, "Pilotage", "Plan de formation")
    expect(page.get_by_test_id("head-comment")).to_contain_text(COMMENT)
    add_line(page, "Recherche documentaire et ENT", "1.5")
    page.get_by_role("button", name="Soumettre au chef d'établissement").click()
    expect(page.get_by_text("Plan soumis au chef d'établissement.")).to_be_visible()
    log_out(page)

    login("directeur")
    follow_menu(page, "Pilotage", "Plan de formation")
    expect(page.get_by_test_id("lines")).to_contain_text("Recherche documentaire et ENT")
    page.get_by_test_id("decision-form").get_by_role("button", name="Approuver le plan").click()
    expect(page.get_by_text("Plan approuvé.")).to_be_visible()
    expect(page.get_by_test_id("plan-status")).to_contain_text("Approuvé")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Renvoyé avec un commentaire")
    expect(history.get_by_role("row").filter(has_text="Approuvé")).to_have_count(1)
    # Approved: read-only, no more decision to take.
    expect(page.get_by_role("button", name="Approuver le plan")).to_have_count(0)
    expect(page.get_by_test_id("line-form")).to_have_count(0)
