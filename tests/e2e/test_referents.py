"""The référent journey of the demo académie: a collège teacher applies to be a
référent numérique of her collège, whose référent this year is Julien Moreau; her head
shares the mission between them and appoints her, she logs a mission, and her head
attests service fait for the month and reads the school's activity report."""

import re

from playwright.sync_api import expect

# The regime in force for the demo's current year (the 2010 decree applied to 2010-2015).
SCHEME = "IMP (décret 2015-475) — taux de 312,50 € à 3 750 €, 9 mensualités d'octobre à juin"
MISSION = "1c — Accompagnement des usages des collègues"


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/")


def designation(page, name):
    heading = page.get_by_role("heading", level=3, name=re.compile(name))
    return page.locator("section").filter(has=heading)


def test_teacher_applies_head_appoints_referent_logs_a_mission(page, login):
    login("enseignant")
    page.goto("/referents/candidature/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Candidature de référent numérique")
    page.get_by_label("Motivation").fill(
        "J'accompagne déjà mes collègues de mathématiques sur l'ENT et la géométrie dynamique."
    )
    page.get_by_role("button", name="Me porter candidat").click()
    expect(page.get_by_text("Votre candidature est transmise")).to_be_visible()
    expect(page.get_by_text("Votre candidature est enregistrée (Candidature)")).to_be_visible()
    log_out(page)

    login("directeur")
    page.goto("/referents/etablissement/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Référent numérique")
    # The collège has its référent: a second one means sharing the mission.
    share = page.locator("form").filter(has_text="Qui assure la mission ?")
    share.get_by_text("Deux référents, qui partagent la mission").click()
    share.get_by_role("button", name="Enregistrer").click()
    claire = designation(page, r"Claire Martin — .*\(Candidature\)")
    expect(claire).to_have_count(1)
    expect(claire).to_contain_text("géométrie dynamique")
    claire.get_by_label("Régime d'indemnité").select_option(label=SCHEME)
    claire.get_by_label("Indemnité annuelle (€)").fill("1 250")
    expect(claire.get_by_label("Lettre de mission")).to_have_value(
        re.compile("Lettre de mission du référent")
    )
    claire.get_by_role("button", name="Nommer").click()
    expect(
        page.get_by_text("Nomination enregistrée : Claire Martin, référent numérique.")
    ).to_be_visible()
    expect(designation(page, r"Claire Martin — .*\(Nommé\)")).to_have_count(1)
    log_out(page)

    login("enseignant")
    page.goto("/referents/tableau-de-bord/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes missions de référent numérique")
    expect(page.get_by_text("Indemnité annuelle : 1 250,00 €")).to_be_visible()
    page.get_by_label("Mission", exact=True).select_option(label=MISSION)
    page.get_by_label("Durée (minutes)").fill("60")
    page.get_by_label("Description").fill("Prise en main de l'ENT avec l'équipe de mathématiques")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Mission enregistrée.")).to_be_visible()
    journal = page.get_by_role("row").filter(has_text=MISSION)
    expect(journal).to_have_count(1)
    expect(journal).to_contain_text("60")
    log_out(page)

    login("directeur")
    page.goto("/referents/etablissement/")
    # This month's instalment of Julien Moreau awaits service fait; Claire's is not
    # computed yet (the monthly job has not run for her).
    page.get_by_role("button", name="Afficher le mois").click()
    month = page.get_by_role("table").filter(has_text="Mensualités de")
    expect(month).to_contain_text("Julien Moreau")
    expect(month).not_to_contain_text("Claire Martin")
    page.get_by_role("button", name=re.compile("Attester le service fait")).click()
    expect(page.get_by_text(re.compile("Service fait attesté"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Rapport d'activité du référent")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Rapport d'activité du référent numérique"
    )
    referents = page.get_by_role("heading", name="Référent(s)").locator(
        "xpath=following-sibling::ul[1]"
    )
    expect(referents).to_contain_text("Claire Martin")
    expect(referents).to_contain_text("Julien Moreau")
    row = page.get_by_role("row").filter(has_text=MISSION)
    expect(row).to_have_count(1)
    # Her hour, with the accompaniments of Julien Moreau's journal this year (in
    # December: 1 h and 1 h 30, hence 3 and 3,5 h; fewer early in the year).
    expect(row.get_by_role("cell")).to_have_text(
        [MISSION, re.compile(r"^\d+$"), re.compile(r"^\d+,\d h$")]
    )
