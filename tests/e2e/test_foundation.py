"""First journeys: a teacher logs in, sees his home page in French, switches to English."""

from playwright.sync_api import expect


def test_teacher_logs_in_and_sees_roles_in_french_then_switches_to_english(login):
    page = login("enseignant")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Claire Martin")
    roles = page.get_by_test_id("roles")
    expect(roles).to_contain_text("Enseignant")
    expect(page.get_by_text("Votre établissement")).to_be_visible()

    page.get_by_test_id("switch-language").click()
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Your roles")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Claire Martin")
    expect(page.get_by_test_id("switch-language")).to_have_text("Français")


def test_wrong_password_is_explained_in_french(page):
    page.goto("/connexion/")
    page.get_by_label("Nom d’utilisateur").fill("enseignant")
    page.get_by_label("Mot de passe").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect.")


def test_admin_and_api_docs_are_served(page, login):
    login("national")
    page.goto("/admin/")
    expect(page.get_by_role("link", name="Établissements").first).to_be_visible()
    page.goto("/api/docs")
    expect(page.get_by_text("Dune API")).to_be_visible()
