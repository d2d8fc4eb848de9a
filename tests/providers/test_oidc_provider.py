"""The test OpenID Connect provider itself, driven by plain HTTP as a relying party would:
authorization code with PKCE, login form, token exchange (both client authentication
methods), ID token signature and claims, userinfo, single sign-on, and RP-initiated
logout. No database, no Django."""

from __future__ import annotations

import base64
import hashlib
import http.cookiejar
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser

import pytest

from tests.providers.oidc_provider import OidcProvider, start_provider

REDIRECT_URI = "http://127.0.0.1:9/cb"
POST_LOGOUT_URI = "http://127.0.0.1:9/logged-out"
PASSWORD = "mot-de-passe-de-test"


@pytest.fixture(scope="module")
def provider():
    op = start_provider([REDIRECT_URI], [POST_LOGOUT_URI])
    # Added after the start: the provider reads the accounts file at every login.
    op.add_account("alice", PASSWORD, "Alice.Martin@example.org", "STAFF-0042", "Alice", "Martin")
    yield op
    op.close()


# --- A tiny relying party ---------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """Cookies, no automatic redirects, never connects to the redirect URI's host."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def request(self, url, data=None, headers=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, headers=headers or {})  # noqa: S310
        try:
            resp = self.opener.open(req, timeout=10)
        except urllib.error.HTTPError as exc:
            resp = exc
        with resp:
            return resp.status, resp.headers, resp.read().decode("utf-8", "replace")

    def follow(self, url, data=None, stop_at=(REDIRECT_URI, POST_LOGOUT_URI), limit=10):
        """Request, then follow redirects until a page, or a Location under ``stop_at``
        (returned as ``(303, headers, location)``)."""
        status, headers, body = self.request(url, data)
        for _ in range(limit):
            if status not in (301, 302, 303, 307, 308):
                return status, headers, body
            location = urllib.parse.urljoin(url, headers["Location"])
            if location.startswith(stop_at):
                return status, headers, location
            url = location
            status, headers, body = self.request(url)
        raise AssertionError(f"too many redirects, last at {url}")


class Forms(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.forms, self.title, self._in_title = [], "", False
        self.buttons = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action", ""), "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name"):
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""
        elif tag == "title":
            self._in_title = True
        elif tag == "button":
            self.buttons.append("")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data
        elif self.buttons and self.lasttag == "button":
            self.buttons[-1] += data.strip()


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def jwt_payload(token):
    return json.loads(b64url_decode(token.split(".")[1]))


def verify_rs256(token, jwks):
    """RSASSA-PKCS1-v1_5 with SHA-256, by hand (the standard library has no RSA)."""
    header_b64, payload_b64, signature_b64 = token.split(".")
    header = json.loads(b64url_decode(header_b64))
    assert header["alg"] == "RS256"
    key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    n = int.from_bytes(b64url_decode(key["n"]), "big")
    e = int.from_bytes(b64url_decode(key["e"]), "big")
    size = (n.bit_length() + 7) // 8
    signed = pow(int.from_bytes(b64url_decode(signature_b64), "big"), e, n).to_bytes(size, "big")
    digest_info = (
        bytes.fromhex("3031300d060960864801650304020105000420")
        + hashlib.sha256(f"{header_b64}.{payload_b64}".encode()).digest()
    )
    expected = b"\x00\x01" + b"\xff" * (size - len(digest_info) - 3) + b"\x00" + digest_info
    assert signed == expected, "bad ID token signature"


def pkce_pair():
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorize_url(op, *, state, nonce, challenge, scope="openid email profile"):
    query = {
        "response_type": "code",
        "client_id": op.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": state,
        "nonce": nonce,
    }
    if challenge:
        query |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return f"{op.authorization_endpoint}?{urllib.parse.urlencode(query)}"


def callback_params(location):
    assert location.startswith(REDIRECT_URI + "?"), location
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


def exchange(browser, op, code, verifier, method="client_secret_post"):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier,
    }
    headers = {}
    if method == "client_secret_post":
        data |= {"client_id": op.client_id, "client_secret": op.client_secret}
    else:
        pair = f"{urllib.parse.quote(op.client_id)}:{urllib.parse.quote(op.client_secret)}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    status, _, body = browser.request(op.token_endpoint, data, headers)
    return status, json.loads(body)


def open_login_page(browser, op, **params):
    status, _, html = browser.follow(authorize_url(op, **params))
    assert status == 200, html
    page = Forms(html)
    assert page.title == "Fournisseur d'identité de test"
    (form,) = page.forms
    assert {"login", "password"} <= set(form["fields"])
    assert "Se connecter" in page.buttons
    return form


def sign_in(browser, op, login, password, *, scope="openid email profile"):
    """The whole front channel; returns the callback's parameters and the PKCE verifier."""
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(12), secrets.token_urlsafe(12)
    form = open_login_page(browser, op, state=state, nonce=nonce, challenge=challenge, scope=scope)
    action = urllib.parse.urljoin(op.issuer, form["action"])
    status, _, location = browser.follow(action, {"login": login, "password": password})
    assert status == 303, location
    params = callback_params(location)
    assert params["state"] == state
    assert params["iss"] == op.issuer
    return params, verifier, nonce


# --- The tests ----------------------------------------------------------------------------


def test_discovery(provider):
    browser = Browser()
    status, _, body = browser.request(provider.discovery_url)
    assert status == 200
    doc = json.loads(body)
    assert doc["issuer"] == provider.issuer
    assert doc["jwks_uri"] == f"{provider.issuer}/jwks"
    assert doc["end_session_endpoint"] == f"{provider.issuer}/session/end"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "email", "profile", "staff"} <= set(doc["scopes_supported"])
    assert {"client_secret_post", "client_secret_basic"} <= set(
        doc["token_endpoint_auth_methods_supported"]
    )
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


def test_code_flow_with_pkce(provider):
    browser = Browser()
    # Login by email, in another case than the account's.
    params, verifier, nonce = sign_in(browser, provider, "ALICE.martin@EXAMPLE.org", PASSWORD)

    # A wrong verifier is refused (and the code is burnt by the attempt, so use another).
    status, body = exchange(Browser(), provider, params["code"], verifier + "x")
    assert status == 400 and body["error"] == "invalid_grant"
    params, verifier, nonce = sign_in(Browser(), provider, "alice", PASSWORD)

    status, tokens = exchange(Browser(), provider, params["code"], verifier)
    assert status == 200, tokens
    assert tokens["token_type"].lower() == "bearer"
    status, _, jwks = browser.request(provider.jwks_uri)
    verify_rs256(tokens["id_token"], json.loads(jwks))
    claims = jwt_payload(tokens["id_token"])
    assert claims["iss"] == provider.issuer
    assert claims["aud"] == provider.client_id
    assert claims["nonce"] == nonce
    assert claims["sub"] == "alice"
    assert claims["email"] == "Alice.Martin@example.org"
    assert claims["email_verified"] is True
    assert claims["given_name"] == "Alice"
    assert claims["family_name"] == "Martin"
    assert claims["staff_id"] == "STAFF-0042"

    status, _, body = Browser().request(
        provider.userinfo_endpoint, headers={"Authorization": f"Bearer {tokens['access_token']}"}
    )
    assert status == 200, body
    userinfo = json.loads(body)
    assert userinfo["sub"] == "alice"
    assert userinfo["email"] == "Alice.Martin@example.org"
    assert userinfo["staff_id"] == "STAFF-0042"
    assert userinfo["given_name"] == "Alice"


def test_staff_scope_sso_and_basic_auth(provider):
    provider.add_account("bob", "autre-mot", "bob@example.org", "STAFF-7")
    browser = Browser()
    sign_in(browser, provider, "bob", "autre-mot")
    # Signed in already: the next authorization skips the login page (single sign-on).
    verifier, challenge = pkce_pair()
    url = authorize_url(
        provider, state="s2", nonce="n2", challenge=challenge, scope="openid email staff"
    )
    status, _, location = browser.follow(url)
    assert status == 303, location
    code = callback_params(location)["code"]
    status, tokens = exchange(Browser(), provider, code, verifier, method="client_secret_basic")
    assert status == 200, tokens
    claims = jwt_payload(tokens["id_token"])
    assert claims["nonce"] == "n2"
    assert claims["staff_id"] == "STAFF-7"
    assert claims["email"] == "bob@example.org"
    assert "given_name" not in claims  # no `profile` scope asked


def test_wrong_password_shows_the_form_again(provider):
    browser = Browser()
    verifier, challenge = pkce_pair()
    form = open_login_page(browser, provider, state="s", nonce="n", challenge=challenge)
    action = urllib.parse.urljoin(provider.issuer, form["action"])
    status, _, html = browser.follow(action, {"login": "alice", "password": "faux"})
    assert status == 200
    assert "Identifiant ou mot de passe incorrect." in html
    page = Forms(html)
    assert page.title == "Fournisseur d'identité de test"
    assert page.forms[0]["fields"]["login"] == "alice"
    # Unknown accounts get the same answer.
    status, _, html = browser.follow(action, {"login": "nobody", "password": PASSWORD})
    assert status == 200 and "Identifiant ou mot de passe incorrect." in html
    # And the right password still works on the same interaction.
    status, _, location = browser.follow(action, {"login": "alice", "password": PASSWORD})
    assert status == 303 and "code" in callback_params(location)


def test_pkce_is_required(provider):
    status, _, location = Browser().follow(
        authorize_url(provider, state="s", nonce="n", challenge=None)
    )
    assert status == 303
    params = callback_params(location)
    assert params["error"] == "invalid_request"
    assert "PKCE" in params["error_description"]


def test_rp_initiated_logout(provider):
    browser = Browser()
    params, verifier, _ = sign_in(browser, provider, "alice", PASSWORD)
    status, tokens = exchange(browser, provider, params["code"], verifier)
    assert status == 200

    query = urllib.parse.urlencode(
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": POST_LOGOUT_URI,
            "state": "bye",
        }
    )
    status, _, html = browser.follow(f"{provider.end_session_endpoint}?{query}")
    # A page whose form submits itself (a browser runs its script): no click needed.
    assert status == 200, html
    assert "document.forms[0].submit()" in html
    (form,) = Forms(html).forms
    assert form["fields"]["logout"] == "yes"
    action = urllib.parse.urljoin(provider.issuer, form["action"])
    status, _, location = browser.follow(action, form["fields"])
    assert status == 303
    assert location == f"{POST_LOGOUT_URI}?state=bye"

    # The provider's session is over: the next authorization asks to sign in again.
    _, challenge = pkce_pair()
    open_login_page(browser, provider, state="s3", nonce="n3", challenge=challenge)


def test_accounts_file_is_reread(provider):
    provider.add_account("carol", "c-pass", "carol@example.org")
    params, _, _ = sign_in(Browser(), provider, "carol@example.org", "c-pass")
    assert params["code"]
    provider.remove_account("carol")
    browser = Browser()
    _, challenge = pkce_pair()
    form = open_login_page(browser, provider, state="s", nonce="n", challenge=challenge)
    action = urllib.parse.urljoin(provider.issuer, form["action"])
    status, _, html = browser.follow(action, {"login": "carol", "password": "c-pass"})
    assert status == 200 and "Identifiant ou mot de passe incorrect." in html


def test_start_needs_a_redirect_uri():
    op = OidcProvider()
    try:
        with pytest.raises(ValueError):
            op.start([])
    finally:
        op.close()
