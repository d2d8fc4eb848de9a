"""Sessions: sign out everywhere ends every session and the calendar link; an idle
session ends; cookies are secure in production (tests/test_settings.py)."""

from __future__ import annotations

import time

from django.test import Client

from accounts.middleware import LAST_SEEN_KEY
from tests.conftest import PASSWORD
from training import services


def signed_in(address="10.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    assert (
        client.post("/connexion/", {"username": "teacher", "password": PASSWORD}).status_code == 302
    )
    return client


def test_sign_out_everywhere_ends_every_session_and_the_calendar_link(teacher):
    laptop, phone = signed_in("10.0.0.1"), signed_in("10.0.0.2")
    _calendar, secret = services.rotate_calendar_token(user=teacher)
    assert Client().get(f"/ical/{secret}/agenda.ics").status_code == 200
    response = laptop.post("/comptes/deconnexion-partout/")
    assert response["Location"] == "/connexion/"
    assert phone.get("/compte/").status_code == 302
    assert laptop.get("/compte/").status_code == 302
    assert Client().get(f"/ical/{secret}/agenda.ics").status_code == 404


def test_the_account_page_offers_it(teacher):
    page = signed_in().get("/compte/").text
    assert "Se déconnecter partout" in page


def test_an_idle_session_ends(teacher, settings):
    settings.DUNE_SESSION_IDLE_SECONDS = 600
    client = signed_in()
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 601
    session.save()
    assert client.get("/compte/").status_code == 302


def test_an_active_session_goes_on(teacher, settings):
    settings.DUNE_SESSION_IDLE_SECONDS = 600
    client = signed_in()
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 300
    session.save()
    assert client.get("/compte/").status_code == 200


def test_a_session_ends_after_its_lifetime_however_active(teacher, settings):
    from accounts.middleware import SIGNED_IN_KEY

    settings.SESSION_COOKIE_AGE = 8 * 3600
    client = signed_in()
    session = client.session
    session[SIGNED_IN_KEY] = int(time.time()) - 8 * 3600 - 1
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    assert client.get("/compte/").status_code == 302
