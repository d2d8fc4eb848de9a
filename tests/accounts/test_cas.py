"""CAS 3 sign-in against a real CAS server (django-cas-server in its own process):
ticket validation with attributes, matching to the directory, single logout."""

from __future__ import annotations

import re

from django.contrib.sessions.models import Session

from accounts.models import ExternalIdentity
from tests.accounts.conftest import Browser, sign_in_at_provider

START = "/comptes/cas/connexion/"


def cas_sign_in(client, login, password):
    return sign_in_at_provider(client, START, login, password, field="username")


def test_both_buttons_above_the_local_form(client, oidc, cas):
    page = client.get("/connexion/").text
    assert page.index('data-provider="oidc"') < page.index('data-provider="cas"')
    assert page.index('data-provider="cas"') < page.index('name="password"')
    assert "Se connecter avec l&#x27;ENT" in page


def test_a_teacher_signs_in_with_the_ent_matched_by_staff_id(client, cas, teacher):
    cas.add_user("cmartin", "secret-cas", "ailleurs@example.org", teacher.staff.staff_id)
    response = cas_sign_in(client, "cmartin", "secret-cas")
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == teacher
    assert ExternalIdentity.objects.get().subject == "cmartin"


def test_an_unknown_ent_account_is_refused_in_french(client, cas, teacher):
    cas.add_user("inconnu", "secret-cas", "inconnu@example.org", "NOPE")
    response = cas_sign_in(client, "inconnu", "secret-cas")
    assert response["Location"] == "/comptes/refus/"
    assert "pas dans l'annuaire" in client.get("/comptes/refus/").text
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_forged_ticket_is_refused(client, cas, teacher):
    response = client.get(START + "?ticket=ST-forged-0000")
    assert response["Location"] == "/comptes/refus/"
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_single_logout_from_the_cas_server_ends_the_dune_session(client, cas, teacher):
    cas.add_user("cmartin", "secret-cas", teacher.email)
    response = client.get(START)
    browser = Browser()
    url, html = browser.open(response["Location"])
    url, html = browser.submit(url, html, {"username": "cmartin", "password": "secret-cas"})
    ticket = re.search(r"ticket=(ST-[^&]+)", url).group(1)
    client.get(url.removeprefix("http://testserver"))
    assert client.get("/").wsgi_request.user == teacher
    sessions = Session.objects.count()
    # What the CAS server posts to the service at logout (SAML LogoutRequest).
    logout_request = (
        '<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="1" Version="2.0" '
        'IssueInstant="2026-12-04T00:00:00Z"><saml:NameID>cmartin</saml:NameID>'
        f"<samlp:SessionIndex>{ticket}</samlp:SessionIndex></samlp:LogoutRequest>"
    )
    from django.test import Client

    Client().post(START, {"logoutRequest": logout_request})
    assert Session.objects.count() == sessions - 1
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_sign_out_goes_through_the_cas_server(client, cas, teacher):
    cas.add_user("cmartin", "secret-cas", teacher.email)
    cas_sign_in(client, "cmartin", "secret-cas")
    response = client.post("/deconnexion/", follow=False)
    assert response["Location"] == "/comptes/cas/deconnexion/"
    response = client.get(response["Location"])
    assert response["Location"].startswith(cas.base_url + "logout")
    assert not client.get("/").wsgi_request.user.is_authenticated
