"""A person who leaves the directory is deactivated, never deleted: history stays, and
sessions, API tokens and calendar feeds stop at once; reactivation restores them."""

from __future__ import annotations

from django.test import Client

from training import services
from training.models import Staff


def api_me(raw):
    return Client().get("/api/me", HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_deactivation_stops_sessions_tokens_and_feeds_and_keeps_history(
    client_for, manager, teacher
):
    _token, raw = services.create_api_token(user=teacher, name="tableur")
    _calendar, secret = services.rotate_calendar_token(user=teacher)
    feed = f"/ical/{secret}/agenda.ics"
    session = Client()
    session.force_login(teacher)
    assert api_me(raw).status_code == 200
    assert Client().get(feed).status_code == 200
    assert session.get("/compte/").status_code == 200

    response = client_for(manager).post(f"/comptes/personnels/{teacher.pk}/desactiver/")
    assert response.status_code == 302
    assert api_me(raw).status_code == 401
    assert Client().get(feed).status_code == 404
    assert session.get("/compte/").status_code == 302  # sent to the sign-in page
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert Staff.objects.filter(user=teacher, active=False).exists()

    client_for(manager).post(f"/comptes/personnels/{teacher.pk}/reactiver/")
    assert api_me(raw).status_code == 200
    assert Client().get(feed).status_code == 200


def test_a_manager_of_another_academy_cannot_deactivate(client_for, manager, outsider):
    response = client_for(manager).post(f"/comptes/personnels/{outsider.pk}/desactiver/")
    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


def test_a_deactivated_person_cannot_sign_in_with_a_password(client, teacher):
    from tests.conftest import PASSWORD

    services.deactivate_person(actor=None, person=teacher)
    response = client.post("/connexion/", {"username": "teacher", "password": PASSWORD})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
