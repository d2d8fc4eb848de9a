"""« Mon agenda »: the personal calendar feed link, shown once, rotated and revoked, with
the instructions to subscribe to it."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.sessions.models import Session as DjangoSession
from django.db import connection

from training import services
from training.models import CalendarToken

pytestmark = pytest.mark.django_db

AGENDA = "/agenda/"
ROTATE = "/agenda/lien/"
REVOKE = "/agenda/lien/revoquer/"
FEED = re.compile(r"http://testserver/ical/([A-Za-z0-9_-]{20,})/agenda\.ics")
SECRET_URL = re.compile(r"/ical/[A-Za-z0-9_-]{20,}/")


def text(response) -> str:
    return html.unescape(response.content.decode())


def create_link(client) -> tuple[str, str]:
    """Create (or renew) the link and read it from the one page that shows it; returns
    the page's text and the secret."""
    # Rendered by the POST itself: the secret is never written anywhere, not even in the
    # session, to survive a redirect.
    response = client.post(ROTATE)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = text(response)
    match = FEED.search(page)
    assert match, "the new link is shown right after it is created"
    return page, match.group(1)


def everything_stored() -> str:
    """Every value of every table, and the decoded sessions, as one text."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (our own table names)
            chunks.extend(repr(row) for row in cursor.fetchall())
    chunks.extend(repr(s.get_decoded()) for s in DjangoSession.objects.all())
    return "\n".join(chunks)


# --- Access ---------------------------------------------------------------------------


def test_agenda_page_needs_login(client):
    response = client.get(AGENDA)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_creating_or_revoking_a_link_needs_login(client):
    assert client.post(ROTATE)["Location"].startswith("/connexion/")
    assert client.post(REVOKE)["Location"].startswith("/connexion/")
    assert not CalendarToken.objects.exists()


def test_creating_and_revoking_are_posts_only(client_for, teacher):
    client = client_for(teacher)
    assert client.get(ROTATE).status_code == 405
    assert client.get(REVOKE).status_code == 405
    assert not CalendarToken.objects.exists()


def test_page_without_link_offers_to_create_one_and_is_not_cached(client_for, teacher):
    response = client_for(teacher).get(AGENDA)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    page = text(response)
    assert "Mon agenda" in page
    assert "Vous n'avez pas de lien actif" in page
    assert "Créer mon lien" in page
    assert "Désactiver le lien" not in page
    assert not SECRET_URL.search(page)


# --- The link, shown once -------------------------------------------------------------


def test_new_link_is_shown_once_as_https_and_webcal(client_for, teacher):
    client = client_for(teacher)
    page, raw = create_link(client)
    assert f'value="http://testserver/ical/{raw}/agenda.ics"' in page
    assert f'value="webcal://testserver/ical/{raw}/agenda.ics"' in page
    assert f'href="webcal://testserver/ical/{raw}/agenda.ics"' in page
    assert "il ne sera plus affiché" in page

    again = client.get(AGENDA)
    assert again["Cache-Control"] == "no-store"
    page = text(again)
    assert raw not in page
    assert "Votre lien est actif" in page
    assert "Générer un nouveau lien" in page and "Désactiver le lien" in page
    assert "n'est affiché qu'une fois" in page


def test_active_link_says_when_it_was_created_and_last_read(client_for, teacher):
    client = client_for(teacher)
    _page, raw = create_link(client)
    page = text(client.get(AGENDA))
    assert "Aucune application d'agenda ne l'a encore lu" in page
    token = CalendarToken.objects.get(user=teacher)
    assert f"<code>{token.prefix}…</code>" in page

    services.authenticate_calendar_token(raw)  # what the feed does on each read
    page = text(client.get(AGENDA))
    assert "Dernière lecture par une application d'agenda" in page


def test_only_the_hash_of_the_secret_is_stored(client_for, teacher):
    client = client_for(teacher)
    _page, raw = create_link(client)
    client.get(AGENDA)  # the one display is over: the session forgets the secret

    token = CalendarToken.objects.get(user=teacher)
    assert token.token_hash == services.hash_token(raw)
    assert token.prefix == raw[: len(token.prefix)]
    stored = everything_stored()
    assert raw not in stored
    assert token.token_hash in stored


def test_school_and_catalogue_feeds_of_a_teacher(client_for, teacher, school):
    client = client_for(teacher)
    page = text(client.get(AGENDA))
    # Public: the catalogue of the person's académie, at any time.
    assert 'value="http://testserver/ical/catalogue/25.ics"' in page
    assert 'href="webcal://testserver/ical/catalogue/25.ics"' in page
    # The school's feed rides on the secret: explained, then shown with the new link only.
    assert "L'agenda de mon établissement" in page
    assert "/ical/<votre lien>/etablissements/<UAI>.ics" in page
    assert school.uai not in page

    page, raw = create_link(client)
    assert f'value="http://testserver/ical/{raw}/etablissements/{school.uai}.ics"' in page
    assert f'value="webcal://testserver/ical/{raw}/etablissements/{school.uai}.ics"' in page
    # The links shown work.
    assert client.get(f"/ical/{raw}/etablissements/{school.uai}.ics").status_code == 200
    assert client.get("/ical/catalogue/25.ics").status_code == 200


def test_head_gets_the_feed_of_his_school(client_for, head, school):
    client = client_for(head)
    page, raw = create_link(client)
    assert f"/ical/{raw}/etablissements/{school.uai}.ics" in page
    assert client.get(f"/ical/{raw}/etablissements/{school.uai}.ics").status_code == 200
    assert "/ical/catalogue/25.ics" in page


def test_auditor_has_no_school_feed(client_for, auditor):
    page, raw = create_link(client_for(auditor))
    assert f"/ical/{raw}/etablissements/" not in page
    assert "L'agenda de mon établissement" not in page
    assert "/ical/catalogue/25.ics" in page


def test_instructions_for_each_calendar_app(client_for, teacher):
    page = text(client_for(teacher).get(AGENDA))
    for app in ("Outlook", "Thunderbird", "Google Agenda", "iPhone", "Android"):
        assert app in page
    assert "Google n'accepte pas le lien webcal://" in page
    assert "À partir de l'URL" in page
    # Subscribe versus a one-time import.
    assert "S'abonner" in page and "Importer une fois" in page
    assert "environ toutes les heures" in page
    assert "ne suivra pas les changements" in page


# --- Rotate and revoke ----------------------------------------------------------------


def test_rotating_stops_the_old_url_at_once(client_for, teacher):
    client = client_for(teacher)
    _page, old = create_link(client)
    page, new = create_link(client)
    assert new != old
    assert "l'ancien ne fonctionne plus" in page
    assert CalendarToken.objects.filter(user=teacher).active().count() == 1
    assert CalendarToken.objects.get(user=teacher, revoked_at__isnull=True).token_hash == (
        services.hash_token(new)
    )

    assert client.get(f"/ical/{old}/agenda.ics").status_code == 404
    fresh = client.get(f"/ical/{new}/agenda.ics")
    assert fresh.status_code == 200
    assert fresh["Content-Type"].startswith("text/calendar")


def test_revoking_stops_the_link(client_for, teacher):
    client = client_for(teacher)
    _page, raw = create_link(client)
    response = client.post(REVOKE, follow=True)
    page = text(response)
    assert "Lien désactivé" in page
    assert "Vous n'avez pas de lien actif" in page
    assert not CalendarToken.objects.filter(user=teacher).active().exists()
    assert client.get(f"/ical/{raw}/agenda.ics").status_code == 404


def test_revoking_without_a_link_changes_nothing(client_for, teacher):
    response = client_for(teacher).post(REVOKE, follow=True)
    assert "Vous n'aviez pas de lien actif" in text(response)
    assert not CalendarToken.objects.exists()


def test_a_secret_renewed_in_another_tab_is_not_shown(client_for, teacher):
    """The secret waiting in the session is shown only if it still works."""
    client = client_for(teacher)
    client.post(ROTATE)
    services.rotate_calendar_token(user=teacher)  # another tab, before the page loads
    page = text(client.get(AGENDA))
    assert not FEED.search(page)
    assert "Votre lien est actif" in page


# --- The outsider ---------------------------------------------------------------------


def test_outsider_sees_only_his_own_link(client_for, teacher, outsider, outsider_school):
    teacher_client = client_for(teacher)
    _page, teachers_secret = create_link(teacher_client)
    teacher_token = CalendarToken.objects.get(user=teacher)

    outsider_client = client_for(outsider)  # the same test client, now as the outsider
    page = text(outsider_client.get(AGENDA))
    assert "Vous n'avez pas de lien actif" in page
    assert teacher_token.prefix not in page and teachers_secret not in page
    assert "/ical/catalogue/01.ics" in page and "/ical/catalogue/25.ics" not in page

    outsider_client.post(REVOKE)
    teacher_token.refresh_from_db()
    assert teacher_token.revoked_at is None

    page, secret = create_link(outsider_client)
    assert secret != teachers_secret
    assert f"/etablissements/{outsider_school.uai}.ics" in page
    assert "0783288A" not in page  # the teacher's collège
    assert CalendarToken.objects.filter(user=teacher).active().get() == teacher_token


# --- Links from the other pages -------------------------------------------------------


def nav_labels(response) -> list[str]:
    return [label for label, _url in response.context["dune_nav"]]


def test_nav_has_my_agenda_for_people_with_a_role(client_for, teacher, auditor, make_user):
    assert "Mon agenda" in nav_labels(client_for(teacher).get("/"))
    assert "Mon agenda" in nav_labels(client_for(auditor).get("/"))
    assert "Mon agenda" not in nav_labels(client_for(make_user()).get("/"))


def test_session_page_offers_each_slot_as_ics_and_links_to_my_agenda(client_for, teacher, session):
    client = client_for(teacher)
    page = text(client.get(f"/formations/sessions/{session.pk}/"))
    slot = session.slots.get()
    assert f'href="/ical/seances/{slot.pk}.ics"' in page
    assert "Télécharger (.ics)" in page
    assert 'href="/agenda/"' in page
    download = client.get(f"/ical/seances/{slot.pk}.ics")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/calendar")


def test_cancelled_slot_has_no_download(client_for, teacher, session):
    session.slots.update(status="cancelled")
    page = text(client_for(teacher).get(f"/formations/sessions/{session.pk}/"))
    assert "/ical/seances/" not in page


def test_my_training_links_to_my_agenda(client_for, teacher):
    page = text(client_for(teacher).get("/mes-formations/"))
    assert 'href="/agenda/"' in page
