"""OpenID Connect sign-in against a real provider (npm's oidc-provider on a loopback
port): the teacher clicks the académie's button, signs in there, comes back signed in
as the person of the directory, matched by staff id then e-mail."""

from __future__ import annotations

import datetime as dt
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from accounts.backends import OidcBackend
from accounts.models import ExternalIdentity, SignInEvent
from tests.accounts.conftest import sign_in_at_provider

START = "/comptes/oidc/connexion/"


def test_the_button_is_shown_only_when_configured(client, settings, oidc):
    page = client.get("/connexion/").text
    assert 'data-provider="oidc"' in page
    assert "Se connecter avec l&#x27;académie de Versailles" in page
    settings.DUNE_OIDC_ENABLED = False
    assert 'data-provider="oidc"' not in client.get("/connexion/").text
    assert client.get(START).status_code == 404


def test_the_authorization_request_uses_pkce_state_and_nonce(client, db, oidc):
    response = client.get(START)
    location = response["Location"]
    assert location.startswith(oidc.authorization_endpoint)
    for parameter in ("state=", "nonce=", "code_challenge=", "code_challenge_method=S256"):
        assert parameter in location


def test_a_teacher_signs_in_matched_by_staff_id_and_lands_home_with_her_roles(
    client, oidc, teacher
):
    oidc.add_account(
        "claire", "secret-idp", "autre.adresse@ac-versailles.fr", teacher.staff.staff_id
    )
    response = sign_in_at_provider(client, START, "claire", "secret-idp")
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = client.get("/")
    assert home.wsgi_request.user == teacher
    assert "Claire" in home.text
    identity = ExternalIdentity.objects.get()
    assert (identity.provider, identity.subject, identity.user) == ("oidc", "claire", teacher)
    assert SignInEvent.objects.filter(user=teacher, provider="oidc", outcome="success").exists()


def test_matched_by_email_case_insensitively_when_no_staff_id(client, oidc, manager):
    oidc.add_account("m.gestion", "secret-idp", manager.email.upper())
    sign_in_at_provider(client, START, "m.gestion", "secret-idp")
    assert client.get("/").wsgi_request.user == manager


def test_a_later_change_of_email_at_the_provider_keeps_the_person(client, oidc, teacher):
    oidc.add_account("claire", "secret-idp", teacher.email)
    sign_in_at_provider(client, START, "claire", "secret-idp")
    client.logout()
    oidc.add_account("claire", "secret-idp", "claire.martin@nouvelle-adresse.fr")
    sign_in_at_provider(client, START, "claire", "secret-idp")
    assert client.get("/").wsgi_request.user == teacher


def test_an_unknown_identity_gets_the_french_refusal_and_no_account(client, oidc, teacher):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    oidc.add_account("inconnu", "secret-idp", "inconnu@ac-versailles.fr", "NOT-IN-DIRECTORY")
    response = sign_in_at_provider(client, START, "inconnu", "secret-idp")
    assert response["Location"] == "/comptes/refus/"
    page = client.get("/comptes/refus/")
    assert page.status_code == 403
    assert "pas dans l'annuaire de l'académie" in page.text
    assert get_user_model().objects.count() == users
    assert not client.get("/").wsgi_request.user.is_authenticated
    assert SignInEvent.objects.filter(outcome="refused", reason="unknown").exists()


def test_two_identities_never_claim_the_same_person_silently(client, oidc, teacher):
    oidc.add_account("claire", "secret-idp", teacher.email, teacher.staff.staff_id)
    oidc.add_account("usurpateur", "secret-idp", "x@example.org", teacher.staff.staff_id)
    sign_in_at_provider(client, START, "claire", "secret-idp")
    client.logout()
    response = sign_in_at_provider(client, START, "usurpateur", "secret-idp")
    assert response["Location"] == "/comptes/refus/"
    assert "déjà rattaché à une autre identité" in client.get("/comptes/refus/").text
    assert list(ExternalIdentity.objects.values_list("subject", flat=True)) == ["claire"]


def test_another_provider_may_link_the_person_and_it_is_logged(client, oidc, cas, teacher):
    oidc.add_account("claire", "secret-idp", teacher.email)
    sign_in_at_provider(client, START, "claire", "secret-idp")
    client.logout()
    cas.add_user("cmartin", "secret-cas", teacher.email)
    sign_in_at_provider(
        client, "/comptes/cas/connexion/", "cmartin", "secret-cas", field="username"
    )
    assert client.get("/").wsgi_request.user == teacher
    assert sorted(teacher.external_identities.values_list("provider", flat=True)) == [
        "cas",
        "oidc",
    ]
    assert SignInEvent.objects.filter(user=teacher, outcome="linked").count() == 2


def test_a_deactivated_person_is_refused(client, oidc, teacher):
    teacher.is_active = False
    teacher.save()
    oidc.add_account("claire", "secret-idp", teacher.email)
    response = sign_in_at_provider(client, START, "claire", "secret-idp")
    assert response["Location"] == "/comptes/refus/"
    assert "désactivé" in client.get("/comptes/refus/").text


def test_sign_out_ends_the_provider_session_too(client, oidc, teacher):
    oidc.add_account("claire", "secret-idp", teacher.email)
    sign_in_at_provider(client, START, "claire", "secret-idp")
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert response["Location"].startswith(oidc.end_session_endpoint + "?id_token_hint=")
    assert "post_logout_redirect_uri=http%3A%2F%2Ftestserver%2F" in response["Location"]
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_replayed_callback_is_refused(client, oidc, teacher):
    oidc.add_account("claire", "secret-idp", teacher.email)
    response = client.get(START)
    from tests.accounts.conftest import Browser

    browser = Browser()
    url, html = browser.open(response["Location"])
    url, html = browser.submit(url, html, {"login": "claire", "password": "secret-idp"})
    callback = url.removeprefix("http://testserver")
    assert client.get(callback).status_code == 302
    client.logout()
    assert client.get(callback).status_code in (302, 400)
    assert not client.get("/").wsgi_request.user.is_authenticated


# --- The ID token's checks, one tampering at a time -------------------------------------


@pytest.fixture
def signing(oidc, monkeypatch):
    """A key the backend trusts as the provider's (its JWKS answer), to forge tokens
    that differ from a good one in exactly one way."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    trusted = jwt.PyJWK.from_dict(
        {**jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "alg": "RS256"}
    )
    monkeypatch.setattr(OidcBackend, "retrieve_matching_jwk", lambda self, token: trusted)
    return key


def forge(key, oidc, **changes):
    now = int(time.time())
    claims = {
        "iss": oidc.issuer,
        "aud": oidc.client_id,
        "sub": "claire",
        "iat": now,
        "exp": now + 300,
        "nonce": "the-nonce",
        **changes,
    }
    return jwt.encode(claims, key, algorithm="RS256")


def verify(token, nonce="the-nonce"):
    backend = OidcBackend()
    backend.request = RequestFactory().get("/")
    return backend.verify_token(token, nonce=nonce)


def test_a_well_formed_token_passes(signing, oidc):
    assert verify(forge(signing, oidc))["sub"] == "claire"


@pytest.mark.parametrize(
    "tamper",
    ["bad signature", "wrong audience", "wrong issuer", "expired", "replayed nonce", "no expiry"],
)
def test_a_tampered_id_token_is_refused(signing, oidc, tamper):
    nonce = "the-nonce"
    if tamper == "bad signature":
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        token = forge(other, oidc)
    elif tamper == "wrong audience":
        token = forge(signing, oidc, aud="another-client")
    elif tamper == "wrong issuer":
        token = forge(signing, oidc, iss="https://idp.example.org")
    elif tamper == "expired":
        past = int((dt.datetime.now() - dt.timedelta(hours=2)).timestamp())
        token = forge(signing, oidc, iat=past - 300, exp=past)
    elif tamper == "replayed nonce":
        token = forge(signing, oidc)
        nonce = "the-nonce-of-this-sign-in"
    else:
        token = jwt.encode(
            {"iss": oidc.issuer, "aud": oidc.client_id, "sub": "c", "iat": 1, "nonce": nonce},
            signing,
            algorithm="RS256",
        )
    with pytest.raises(SuspiciousOperation):
        verify(token, nonce=nonce)


def test_a_setting_lets_an_outside_trainer_in_with_no_role(client, db, oidc, settings):
    from django.contrib.auth import get_user_model

    settings.DUNE_SSO_CREATE_UNKNOWN = True
    oidc.add_account("formateur.externe", "secret-idp", "externe@universite.fr")
    sign_in_at_provider(client, START, "formateur.externe", "secret-idp")
    user = client.get("/").wsgi_request.user
    assert user.is_authenticated
    assert user.email == "externe@universite.fr"
    assert not user.has_usable_password()
    assert not user.memberships.exists() and not hasattr(user, "staff")
    assert get_user_model().objects.filter(username="oidc-formateur.externe").exists()
