"""Single sign-on in a real browser: a teacher clicks the académie's button, signs in at
the provider and lands home with her roles; an unknown identity gets the French refusal;
signing out of the ENT (CAS single logout) ends the Dune session."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def providers(identity_providers):
    oidc, cas = identity_providers
    oidc.clear_accounts()
    cas.clear_users()
    return oidc, cas


def test_a_teacher_signs_in_with_the_academy(page, providers):
    oidc, _cas = providers
    oidc.add_account("claire.martin", "mot-de-passe-idp", "enseignant@demo.dune.invalid")
    page.goto("/connexion/")
    page.get_by_role("link", name="Se connecter avec l'académie de Versailles").click()
    page.wait_for_url(re.compile(re.escape(oidc.issuer)))
    page.locator("input[name=login]").fill("claire.martin")
    page.locator("input[name=password]").fill("mot-de-passe-idp")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    body = page.locator("main").inner_text()
    assert "Claire" in body
    assert "Enseignant" in body or "enseignant" in body
    # Signing out ends the provider's session too: the button asks again.
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    page.goto("/connexion/")
    page.get_by_role("link", name="Se connecter avec l'académie de Versailles").click()
    page.wait_for_url(re.compile(re.escape(oidc.issuer)))
    assert page.locator("input[name=password]").count() == 1


def test_an_unknown_identity_gets_the_french_refusal(page, providers):
    oidc, _cas = providers
    oidc.add_account("inconnu", "mot-de-passe-idp", "inconnu@ac-versailles.fr")
    page.goto("/connexion/")
    page.get_by_role("link", name="Se connecter avec l'académie de Versailles").click()
    page.locator("input[name=login]").fill("inconnu")
    page.locator("input[name=password]").fill("mot-de-passe-idp")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/comptes/refus/")
    assert "pas dans l'annuaire de l'académie" in page.locator("main").inner_text()


def test_cas_single_logout_ends_the_dune_session(page, providers):
    _oidc, cas = providers
    cas.add_user("cmartin", "mot-de-passe-ent", "enseignant@demo.dune.invalid")
    page.goto("/connexion/")
    page.get_by_role("link", name="Se connecter avec l'ENT").click()
    page.locator("input[name=username]").fill("cmartin")
    page.locator("input[name=password]").fill("mot-de-passe-ent")
    page.locator("button[type=submit], input[type=submit]").first.click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/"))
    page.goto("/compte/")
    assert "Se déconnecter partout" in page.content()
    # The person signs out of the ENT, elsewhere: the CAS server tells Dune.
    page.goto(cas.logout_url)
    page.goto("/compte/")
    page.wait_for_url("**/connexion/**")
