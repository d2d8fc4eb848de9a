import hashlib

import pytest
from django.test import Client

from training import services
from training.models import ApiToken, School

pytestmark = pytest.mark.django_db


def bearer(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_me_requires_authentication(client):
    response = client.get("/api/me")
    assert response.status_code == 401


def test_me_with_the_browser_session(client_for, referent):
    response = client_for(referent).get("/api/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "referent"
    assert [(r["code"], r["school_uai"]) for r in body["roles"]] == [
        ("teacher", "0783288A"),
        ("referent", "0783288A"),
    ]
    assert body["staff_id"] == referent.staff.staff_id


def test_api_token_is_stored_hashed_and_authenticates(client, teacher):
    token, raw = services.create_api_token(user=teacher, name="tableur")
    assert raw.startswith("dune_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in ApiToken.objects.values_list("token_hash", "prefix", "name")[0]
    response = client.get("/api/me", **bearer(raw))
    assert response.status_code == 200
    assert response.json()["username"] == "teacher"
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_revoked_token_is_refused(client, teacher):
    token, raw = services.create_api_token(user=teacher, name="script")
    services.revoke_api_token(token=token)
    assert client.get("/api/me", **bearer(raw)).status_code == 401


def test_unknown_token_is_refused(client, teacher):
    assert client.get("/api/me", **bearer("dune_nope")).status_code == 401


def test_token_of_a_deactivated_user_is_refused(client, teacher):
    _token, raw = services.create_api_token(user=teacher, name="script")
    teacher.is_active = False
    teacher.save()
    assert client.get("/api/me", **bearer(raw)).status_code == 401


def test_session_writes_need_the_csrf_token(manager, academy):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    payload = {"uai": "0910620E", "name": "Collège Neuf", "kind": "college", "academy": "25"}
    response = client.post("/api/schools", payload, content_type="application/json")
    assert response.status_code == 403
    assert not School.objects.filter(uai="0910620E").exists()


def test_token_writes_need_no_csrf(manager, academy):
    _token, raw = services.create_api_token(user=manager, name="import")
    client = Client(enforce_csrf_checks=True)
    payload = {"uai": "0910620E", "name": "Collège Neuf", "kind": "college", "academy": "25"}
    response = client.post("/api/schools", payload, content_type="application/json", **bearer(raw))
    assert response.status_code == 201, response.content
    assert response.json()["uai"] == "0910620E"


def test_manager_creates_a_school(client_for, manager, academy):
    payload = {
        "uai": "0910620e",
        "name": "Collège Neuf",
        "kind": "college",
        "academy": "25",
        "city": "Évry",
    }
    response = client_for(manager).post("/api/schools", payload, content_type="application/json")
    assert response.status_code == 201
    assert response.json() == {
        "uai": "0910620E",
        "name": "Collège Neuf",
        "kind": "college",
        "kind_label": "Collège",
        "degree": 2,
        "city": "Évry",
        "academy_code": "25",
        "district_name": None,
    }


def test_wrong_check_letter_is_a_clear_422(client_for, manager, academy):
    payload = {"uai": "0910620F", "name": "Collège", "kind": "college", "academy": "25"}
    response = client_for(manager).post("/api/schools", payload, content_type="application/json")
    assert response.status_code == 422
    assert "la lettre attendue est E" in response.json()["detail"][0]["msg"]
    assert not School.objects.filter(uai__startswith="0910620").exists()


def test_duplicate_uai_is_refused(client_for, manager, school):
    payload = {"uai": school.uai, "name": "Doublon", "kind": "college", "academy": "25"}
    response = client_for(manager).post("/api/schools", payload, content_type="application/json")
    assert response.status_code == 422
    assert "UAI" in response.json()["detail"][0]
    assert School.objects.get(uai=school.uai).name == "Collège Jean Moulin"


def test_auditor_cannot_create_a_school(client_for, auditor, academy):
    payload = {"uai": "0910620E", "name": "Collège", "kind": "college", "academy": "25"}
    response = client_for(auditor).post("/api/schools", payload, content_type="application/json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Vous ne gérez pas cette académie."}


def test_manager_cannot_create_a_school_in_another_academie(client_for, manager, other_academy):
    payload = {"uai": "0750655E", "name": "Collège", "kind": "college", "academy": "01"}
    response = client_for(manager).post("/api/schools", payload, content_type="application/json")
    assert response.status_code == 404


def test_school_lists_are_scoped(
    client_for, auditor, outsider, school, other_school, outsider_school
):
    body = client_for(auditor).get("/api/schools").json()
    assert body["count"] == 2
    assert {s["uai"] for s in body["items"]} == {"0783288A", "0920134W"}
    client_for(outsider)
    body = client_for(outsider).get("/api/schools").json()
    assert [s["uai"] for s in body["items"]] == ["0750655E"]


def test_school_outside_scope_is_404(client_for, outsider, school):
    assert client_for(outsider).get(f"/api/schools/{school.uai}").status_code == 404


def test_school_inside_scope(client_for, head, school):
    response = client_for(head).get(f"/api/schools/{school.uai.lower()}")
    assert response.status_code == 200
    assert response.json()["name"] == "Collège Jean Moulin"


def test_school_list_filters(client_for, national, school, other_school, outsider_school):
    client = client_for(national)
    assert [s["uai"] for s in client.get("/api/schools?academy=01").json()["items"]] == ["0750655E"]
    assert [s["uai"] for s in client.get("/api/schools?kind=legt").json()["items"]] == ["0920134W"]
    assert [s["uai"] for s in client.get("/api/schools?q=moulin").json()["items"]] == ["0783288A"]


@pytest.mark.parametrize("n_schools", [3, 30])
def test_school_list_queries_do_not_grow_with_rows(
    client_for, auditor, academy, n_schools, django_assert_max_num_queries
):
    from training.demo.directory import demo_uai

    School.objects.bulk_create(
        School(uai=demo_uai(i), name=f"École {i}", kind="ecole_primaire", degree=1, academy=academy)
        for i in range(n_schools)
    )
    client = client_for(auditor)
    with django_assert_max_num_queries(7):
        body = client.get("/api/schools").json()
    assert body["count"] == n_schools


def test_academies_visible(client_for, auditor, national):
    assert [a["code"] for a in client_for(auditor).get("/api/academies").json()["items"]] == ["25"]
    assert client_for(national).get("/api/academies").json()["count"] == 30


def test_openapi_docs_are_served(client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/me" in schema["paths"]
