"""The CAS test server itself: a real login, CAS 3 validation with attributes, single-use
tickets, single sign-on and single logout, with urllib only (no Dune database)."""

from __future__ import annotations

import http.cookiejar
import http.server
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.providers.cas_server import CasServer, free_port

CAS_NS = {"cas": "http://www.yale.edu/tp/cas"}
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))
SERVICE = "http://127.0.0.1:9/cb"  # nothing listens there: we stop at the redirect


@pytest.fixture(scope="module")
def cas():
    with CasServer() as server:
        server.add_user(
            "jdupont",
            "secret-1",
            "jean.dupont@ac-versailles.fr",
            staff_id="STAFF-0042",
            given_name="Jean",
            family_name="Dupont",
        )
        yield server


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # let the 3xx come back as an HTTPError we turn into a response


class Browser:
    """Cookies, no redirect following: (status, headers, body) per request."""

    def __init__(self):
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPCookieProcessor(self.cookies),
            _NoRedirect,
        )

    def request(self, url, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(url, body, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


class _FormInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields = {}
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == "login_form":
            self.in_form = True
        elif tag == "input" and self.in_form and attrs.get("name"):
            if attrs.get("type") != "checkbox":
                self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False


def login(cas, browser, service, username="jdupont", password="secret-1"):  # noqa: S107
    """The CAS login form, filled and posted; returns the service ticket of the redirect."""
    login_url = cas.login_url + "?" + urllib.parse.urlencode({"service": service})
    status, _, page = browser.request(login_url)
    assert status == 200, page
    parser = _FormInputs()
    parser.feed(page)
    fields = parser.fields
    assert {"csrfmiddlewaretoken", "lt", "service", "username", "password"} <= set(fields)
    fields.update(username=username, password=password)
    status, headers, page = browser.request(login_url, fields)
    assert status == 302, page
    location = headers["Location"]
    assert location.startswith(service + "?ticket=ST-"), location
    return urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)["ticket"][0]


def validate(cas, service, ticket, endpoint="p3/serviceValidate"):
    query = urllib.parse.urlencode({"service": service, "ticket": ticket})
    with NO_PROXY.open(cas.url(endpoint) + "?" + query, timeout=10) as response:
        return ET.fromstring(response.read())  # noqa: S314 - our own test server


def test_login_and_cas3_validation_with_attributes(cas):
    browser = Browser()
    ticket = login(cas, browser, SERVICE)

    xml = validate(cas, SERVICE, ticket)
    success = xml.find("cas:authenticationSuccess", CAS_NS)
    assert success is not None, ET.tostring(xml)
    assert success.findtext("cas:user", namespaces=CAS_NS) == "jdupont"
    attributes = success.find("cas:attributes", CAS_NS)
    assert attributes.findtext("cas:mail", namespaces=CAS_NS) == "jean.dupont@ac-versailles.fr"
    assert attributes.findtext("cas:staff_id", namespaces=CAS_NS) == "STAFF-0042"
    assert attributes.findtext("cas:givenName", namespaces=CAS_NS) == "Jean"
    assert attributes.findtext("cas:sn", namespaces=CAS_NS) == "Dupont"

    # A service ticket is good once.
    again = validate(cas, SERVICE, ticket)
    failure = again.find("cas:authenticationFailure", CAS_NS)
    assert failure is not None and failure.get("code") == "INVALID_TICKET"

    # Single sign-on: the CAS session gives a new ticket without the form.
    status, headers, _ = browser.request(cas.login_url + "?service=" + urllib.parse.quote(SERVICE))
    assert status == 302 and "ticket=ST-" in headers["Location"]
    # The CAS 2 endpoint answers too, with the same attributes.
    ticket2 = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)["ticket"][0]
    xml2 = validate(cas, SERVICE, ticket2, endpoint="serviceValidate")
    assert xml2.findtext(".//cas:mail", namespaces=CAS_NS) == "jean.dupont@ac-versailles.fr"


def test_users_added_while_running_and_bad_password(cas):
    cas.add_user("mmartin", "secret-2", "marie.martin@ac-versailles.fr")
    ticket = login(cas, Browser(), SERVICE, "mmartin", "secret-2")
    xml = validate(cas, SERVICE, ticket)
    assert xml.findtext(".//cas:user", namespaces=CAS_NS) == "mmartin"
    assert xml.find(".//cas:staff_id", CAS_NS) is None  # empty attributes are left out

    browser = Browser()
    login_url = cas.login_url + "?service=" + urllib.parse.quote(SERVICE)
    parser = _FormInputs()
    parser.feed(browser.request(login_url)[2])
    status, _, page = browser.request(
        login_url, {**parser.fields, "username": "mmartin", "password": "wrong"}
    )
    assert status == 200 and "cannot be determined to be authentic" in page


class _SloRecorder(http.server.BaseHTTPRequestHandler):
    posts: list[tuple[str, str]] = []

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.posts.append((self.path, self.rfile.read(length).decode()))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_single_logout_posts_a_logout_request_to_the_service(cas):
    _SloRecorder.posts.clear()
    port = free_port()
    service_http = http.server.ThreadingHTTPServer(("127.0.0.1", port), _SloRecorder)
    thread = threading.Thread(
        target=service_http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        service = f"http://127.0.0.1:{port}/cas/callback"
        browser = Browser()
        ticket = login(cas, browser, service)
        validate(cas, service, ticket)

        after = f"http://127.0.0.1:{port}/logged-out"
        status, headers, _ = browser.request(
            cas.logout_url + "?" + urllib.parse.urlencode({"service": after})
        )
        assert status == 302 and headers["Location"] == after

        # The POST is sent (and awaited) before /logout answers.
        assert len(_SloRecorder.posts) == 1
        path, body = _SloRecorder.posts[0]
        assert path == "/cas/callback"
        assert "logoutRequest=" in body
        logout_request = urllib.parse.parse_qs(body)["logoutRequest"][0]
        assert "LogoutRequest" in logout_request
        assert f"<samlp:SessionIndex>{ticket}</samlp:SessionIndex>" in logout_request

        # The CAS session is over: the form again, no ticket.
        status, _, page = browser.request(cas.login_url + "?service=" + urllib.parse.quote(service))
        assert status == 200 and 'name="password"' in page
    finally:
        service_http.shutdown()
        service_http.server_close()
