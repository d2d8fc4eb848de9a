"""The référents through the API (``/api/referents/``): each endpoint for the role it is
for, the outsider's 404 on every Versailles object, each refusal with its status and its
French message, and nothing changed by a refused call."""

import datetime as dt

import pytest
import time_machine

from referents import services
from referents.models import (
    AllowanceInstalment,
    MissionLog,
    PayrollExport,
)
from training.models import RoleMembership, Slot

pytestmark = pytest.mark.django_db
API = "/api/referents"
D = dt.date


def post(client, url, data=None):
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def put(client, url, data):
    return client.put(f"{API}{url}", data, content_type="application/json")


def get(client, url, **params):
    return client.get(f"{API}{url}", params)


APPOINT = {"scheme": "fic2010-12", "annual_cents": 120000, "mission_letter": "Missions 1a à 2c"}


def test_a_teacher_volunteers_and_the_head_appoints(client_for, make_user, school, head):
    user = make_user("volunteer", school=school)
    with time_machine.travel(D(2010, 9, 6)):
        response = post(client_for(user), "/appointments", {"motivation": "J'anime l'ENT"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["school_uai"], body["school_year"]) == (
        "volunteered",
        "0783288A",
        "2010-2011",
    )
    with time_machine.travel(D(2010, 9, 7)):
        again = post(client_for(user), "/appointments", {"motivation": "Encore"})
    assert again.status_code == 409
    assert "déjà candidat" in again.json()["detail"]

    head_client = client_for(head)
    listed = get(head_client, "/appointments", state="volunteered").json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]
    response = post(head_client, f"/appointments/{body['id']}/appoint", APPOINT)
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["annual_cents"]) == ("appointed", 120000)


def test_an_amount_outside_the_regime_changes_nothing(client_for, head, candidate):
    _user, appointment = candidate
    client = client_for(head)
    response = post(
        client, f"/appointments/{appointment.pk}/appoint", {**APPOINT, "annual_cents": 300000}
    )
    assert response.status_code == 400
    assert "entre 400,00 € et 2 400,00 €" in response.json()["detail"]
    unknown = post(client, f"/appointments/{appointment.pk}/appoint", {**APPOINT, "scheme": "x"})
    assert unknown.status_code == 422
    appointment.refresh_from_db()
    assert (appointment.state, appointment.annual_cents) == ("volunteered", None)


def test_the_head_declines_with_a_reason(client_for, head, candidate):
    user, appointment = candidate
    client = client_for(head)
    assert (
        post(client, f"/appointments/{appointment.pk}/decline", {"reason": ""}).status_code == 400
    )
    response = post(client, f"/appointments/{appointment.pk}/decline", {"reason": "Poste pourvu"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["reason"]) == ("declined", "Poste pourvu")
    # The volunteer reads the answer on his own candidature.
    mine = get(client_for(user), f"/appointments/{appointment.pk}").json()
    assert mine["state_label"] == "Candidature non retenue"


def test_a_teacher_cannot_appoint_himself(client_for, candidate):
    user, appointment = candidate
    response = post(client_for(user), f"/appointments/{appointment.pk}/appoint", APPOINT)
    assert response.status_code == 403
    appointment.refresh_from_db()
    assert appointment.state == "volunteered"


def test_sharing_the_mission_is_the_heads_setting(client_for, head, teacher, school, outsider):
    assert (
        put(client_for(teacher), "/schools/0783288A/mission", {"shared": True}).status_code == 404
    )
    assert (
        put(client_for(outsider), "/schools/0783288A/mission", {"shared": True}).status_code == 404
    )
    response = put(client_for(head), "/schools/0783288A/mission", {"shared": True})
    assert response.json() == {"school_uai": "0783288A", "shared": True}


def test_the_referent_logs_missions_and_reads_his_year(
    client_for, appointed, make_user, make_session, school
):
    user, appointment = appointed
    colleague = make_user("colleague", school=school)
    session = make_session(days=-3)
    session.trainers.add(user)
    upcoming = make_session(days=10)
    upcoming.trainers.add(user)
    client = client_for(user)
    with time_machine.travel(D(2010, 10, 20)):
        bad = [
            {"date": "2010-10-01", "category": "1c", "minutes": 0},
            {"date": "2010-12-01", "category": "1c", "minutes": 30},
            {"date": "2010-08-01", "category": "1c", "minutes": 30},
            {"date": "2010-10-01", "category": "1c", "minutes": 30, "colleagues": ["NOPE"]},
        ]
        for payload in bad:
            assert post(client, "/logs", payload).status_code in (400, 403, 422), payload
        assert not MissionLog.objects.exists()
        response = post(
            client,
            "/logs",
            {
                "date": "2010-10-01",
                "category": "1c",
                "minutes": 45,
                "description": "ENT",
                "colleagues": [colleague.staff.staff_id],
            },
        )
        assert response.status_code == 201, response.content
        assert response.json()["colleagues"] == [colleague.staff.staff_id]
    slot_minutes = sum(s.minutes for s in session.slots.exclude(status=Slot.Status.CANCELLED))
    response = post(
        client,
        "/logs",
        {"date": str(dt.date.today()), "category": "training", "session_id": session.pk},
    )
    # The appointment of 2010-2011 has no end, but a mission is dated in its school year.
    assert response.status_code == 400
    assert "année scolaire 2010-2011" in response.json()["detail"]
    response = post(
        client, "/logs", {"date": "2011-03-01", "category": "training", "session_id": session.pk}
    )
    assert response.status_code == 201, response.content
    assert response.json()["minutes"] == slot_minutes

    me = get(client, "/me").json()
    assert me["appointment"]["id"] == appointment.pk
    assert {row["category"]: row["minutes"] for row in me["by_category"]} == {
        "1c": 45,
        "training": slot_minutes,
    }
    assert [s["id"] for s in me["sessions"]] == [upcoming.pk]
    assert len(me["logs"]) == 2


def test_me_is_404_for_who_is_not_referent(client_for, teacher, head):
    assert get(client_for(teacher), "/me").status_code == 404
    assert get(client_for(head), "/me").status_code == 404


def test_service_fait_then_payroll(client_for, appointed, head, auditor, manager, school):
    services.compute_instalments(month=D(2010, 9, 1))
    month = {"month": "2010-09-01"}
    # Only the head confirms: the auditor sees the school, and is refused.
    refused = post(client_for(auditor), "/schools/0783288A/service-done", month)
    assert refused.status_code == 403
    assert "chef d'établissement" in refused.json()["detail"]
    assert AllowanceInstalment.objects.get().service_done_at is None
    done = post(client_for(head), "/schools/0783288A/service-done", month)
    assert done.json() == {"count": 1}
    rows = get(client_for(head), "/schools/0783288A/instalments", **month).json()
    assert [(r["amount_cents"], r["service_done_at"] is not None) for r in rows] == [(10000, True)]

    client = client_for(manager)
    assert [r["amount_cents"] for r in get(client, "/payroll/25/pending").json()] == [10000]
    export = post(client, "/payroll/25/exports")
    assert export.status_code == 201
    assert [r["amount_cents"] for r in export.json()["instalments"]] == [10000]
    again = post(client, "/payroll/25/exports")
    assert again.status_code == 409
    assert "Aucune mensualité à exporter" in again.json()["detail"]
    assert get(client, "/payroll/25/exports").json()["count"] == 1
    assert get(client_for(head), "/payroll/25/pending").status_code == 404


def test_the_report_equals_the_logs(client_for, appointed, head, auditor, school_year):
    _user, appointment = appointed
    for day, category, minutes in [(1, "1a", 60), (2, "1a", 30), (3, "2b", 90)]:
        MissionLog.objects.create(
            appointment=appointment, date=D(2010, 10, day), category=category, minutes=minutes
        )
    for persona in (head, auditor):
        body = get(client_for(persona), "/reports/0783288A", year="2010-2011").json()
        assert body["missions"] == [
            {"category": "1a", "logs": 2, "minutes": 90},
            {"category": "2b", "logs": 1, "minutes": 90},
        ]
        assert body["mission_minutes"] == 180
        assert body["committed_cents"] == 120000
        assert [r["staff_id"] for r in body["referents"]] == [appointment.staff.staff_id]


def test_summary_and_directory_for_the_rectorate(client_for, appointed, auditor, teacher):
    user, _appointment = appointed
    summary = get(client_for(auditor), "/summary", year="2010-2011").json()
    assert [s["academy"] for s in summary] == ["25"]
    assert summary[0]["total"]["covered"] == 1
    assert summary[0]["total"]["committed_cents"] == 120000
    directory = get(client_for(auditor), "/directory", year="2010-2011").json()
    assert [row["email"] for row in directory["items"]] == [user.email]
    # A référent reads his network; a teacher reads neither.
    assert get(client_for(user), "/directory", year="2010-2011").status_code == 200
    assert get(client_for(teacher), "/directory").status_code == 404
    assert get(client_for(teacher), "/summary").status_code == 404


def test_the_outsider_sees_nothing_of_versailles(client_for, outsider, appointed, head, school):
    user, appointment = appointed
    MissionLog.objects.create(
        appointment=appointment, date=D(2010, 10, 1), category="1a", minutes=30
    )
    services.compute_instalments(month=D(2010, 9, 1))
    client = client_for(outsider)
    assert get(client, "/appointments").json()["items"] == []
    assert get(client, "/logs").json()["items"] == []
    for url in [
        f"/appointments/{appointment.pk}",
        "/reports/0783288A",
        "/payroll/25/pending",
        "/payroll/25/exports",
        "/summary",
    ]:
        assert get(client, url).status_code == 404, url
    assert get(client, "/schools/0783288A/instalments", month="2010-09-01").status_code == 404
    for url, data in [
        (f"/appointments/{appointment.pk}/end", {"end": "2010-12-31", "reason": "x"}),
        (f"/appointments/{appointment.pk}/decline", {"reason": "x"}),
        (f"/appointments/{appointment.pk}/appoint", APPOINT),
        ("/schools/0783288A/service-done", {"month": "2010-09-01"}),
        ("/payroll/25/exports", None),
    ]:
        assert post(client, url, data).status_code == 404, url
    appointment.refresh_from_db()
    assert appointment.state == "appointed"
    assert AllowanceInstalment.objects.get().service_done_at is None
    assert not PayrollExport.objects.exists()


def test_an_auditor_of_another_academy_sees_nothing(
    client_for, make_user, other_academy, appointed
):
    stranger = make_user("stranger", role=RoleMembership.Role.AUDITOR, academy=other_academy)
    client = client_for(stranger)
    assert get(client, "/appointments").json()["items"] == []
    assert get(client, "/reports/0783288A").status_code == 404
    assert [s["academy"] for s in get(client, "/summary").json()] == ["01"]


def test_anonymous_is_401(client):
    assert client.get(f"{API}/appointments").status_code == 401
    assert client.post(f"{API}/logs", {}, content_type="application/json").status_code == 401
