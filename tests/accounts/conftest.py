"""Real identity providers for the sign-in tests: an OpenID Connect provider (npm's
certified ``oidc-provider``) and a CAS server (``django-cas-server``), each started once
per test run on a loopback port (``tests/providers/``)."""

from __future__ import annotations

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

from accounts import providers
from tests.providers.cas_server import CasServer
from tests.providers.oidc_provider import ensure_installed, start_provider

OIDC_CALLBACK = "http://testserver/comptes/oidc/retour/"
HOME = "http://testserver/"


@pytest.fixture(scope="session")
def oidc_server():
    ensure_installed()
    provider = start_provider([OIDC_CALLBACK], [HOME])
    yield provider
    provider.close()


@pytest.fixture
def oidc(oidc_server, settings):
    """Dune configured for the test provider, as the README tells an académie."""
    settings.OIDC_ISSUER = oidc_server.issuer
    settings.OIDC_RP_CLIENT_ID = oidc_server.client_id
    settings.OIDC_RP_CLIENT_SECRET = oidc_server.client_secret
    settings.DUNE_OIDC_ENABLED = True
    settings.DUNE_OIDC_NAME = "l'académie de Versailles"
    settings.OIDC_RP_SCOPES = "openid email profile"
    settings.DUNE_OIDC_STAFF_ID_CLAIM = "staff_id"
    providers._discovered.clear()
    oidc_server.clear_accounts()
    yield oidc_server
    providers._discovered.clear()


@pytest.fixture(scope="session")
def cas_server_process():
    server = CasServer().start()
    yield server
    server.stop()


@pytest.fixture
def cas(cas_server_process, settings):
    settings.CAS_SERVER_URL = cas_server_process.base_url
    settings.DUNE_CAS_ENABLED = True
    settings.DUNE_CAS_NAME = "l'ENT"
    settings.DUNE_CAS_STAFF_ID_ATTRIBUTE = "staff_id"
    cas_server_process.clear_users()
    return cas_server_process


class _Stop(urllib.request.HTTPRedirectHandler):
    """Follows redirects at the provider, stops at the one back to Dune (testserver)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if newurl.startswith("http://testserver"):
            raise _BackToDune(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _BackToDune(Exception):
    def __init__(self, url):
        super().__init__(url)
        self.url = url


class Browser:
    """The person's browser at the provider (a cookie jar): Dune's side goes through
    Django's test client, the provider's through real HTTP."""

    def __init__(self):
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _Stop()
        )

    def open(self, url, data=None):
        """The URL back to Dune, or the provider's page (URL, HTML)."""
        try:
            response = self.opener.open(url, data, timeout=15)
        except _BackToDune as back:
            return back.url, None
        return response.geturl(), response.read().decode()

    def submit(self, page_url, html, fields):
        """Fill and send the first form of the page."""
        form = re.search(r"<form[^>]*>(.*?)</form>", html, re.S | re.I)
        action = re.search(r'<form[^>]*action="([^"]*)"', html, re.I)
        data = dict(
            re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(1), re.I)
        )
        data.update(fields)
        target = urllib.parse.urljoin(page_url, action.group(1) if action else page_url)
        return self.open(target, urllib.parse.urlencode(data).encode())


def sign_in_at_provider(client, start_path, login, password, *, field="login"):
    """Click the provider's button in Dune, sign in at the provider; returns Dune's
    answer to the provider's redirect back."""
    response = client.get(start_path)
    assert response.status_code == 302, response
    browser = Browser()
    url, html = browser.open(response["Location"])
    if html is not None:  # the provider's sign-in form
        url, html = browser.submit(url, html, {field: login, "password": password})
    assert html is None, f"the provider did not send the person back: {url}\n{html[:500]}"
    path = url.removeprefix("http://testserver")
    return client.get(path)
