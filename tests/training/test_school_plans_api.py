"""School training plans and needs through the API (``/api/training/``): each endpoint
for the role allowed and for the outsider (404), each refusal with its status and
French message, and nothing changed by a refusal."""

import pytest

from tests.conftest import CURRENT_YEAR
from training.models import SchoolPlan, TrainingNeed

pytestmark = pytest.mark.django_db

API = "/api/training"


def post(client, path, data=None):
    return client.post(f"{API}{path}", data or {}, content_type="application/json")


def get(client, path, **params):
    return client.get(f"{API}{path}", params)


@pytest.fixture
def plan_id(client_for, referent, module):
    client = client_for(referent)
    response = post(client, "/school-plans", {"uai": "0783288A", "school_year": CURRENT_YEAR})
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    response = post(
        client,
        f"/school-plans/{plan_id}/lines",
        {"module_id": module.pk, "planned_minutes": 180, "target_staff": []},
    )
    assert response.status_code == 201, response.content
    return plan_id


def test_anonymous_gets_401(client):
    assert get(client, "/school-plans").status_code == 401
    assert post(client, "/needs", {"theme": "ENT"}).status_code == 401


def test_teacher_creates_and_lists_own_needs(client_for, teacher, outsider):
    client = client_for(teacher)
    response = post(
        client,
        "/needs",
        {"theme": "Le TNI", "items": ["A.1-1"], "modality": "virtual", "school_year": CURRENT_YEAR},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["theme"], body["items"], body["uai"], body["staff"]) == (
        "Le TNI",
        ["A.1-1"],
        "0783288A",
        teacher.staff.staff_id,
    )
    post(client_for(outsider), "/needs", {"theme": "Paris"})
    listed = get(client_for(teacher), "/needs").json()
    assert [n["theme"] for n in listed["items"]] == ["Le TNI"]


def test_need_with_unknown_item_is_refused(client_for, teacher):
    response = post(client_for(teacher), "/needs", {"theme": "ENT", "items": ["Z.9-9"]})
    assert response.status_code == 422
    assert "Z.9-9" in str(response.json()["detail"])
    assert not TrainingNeed.objects.exists()


def test_workflow_through_the_api(client_for, referent, head, plan_id):
    response = post(client_for(referent), f"/school-plans/{plan_id}/submit")
    assert response.status_code == 200 and response.json()["status"] == "submitted"

    client = client_for(head)
    response = post(client, f"/school-plans/{plan_id}/return", {"comment": ""})
    assert response.status_code == 400
    assert "commentaire" in response.json()["detail"]
    response = post(client, f"/school-plans/{plan_id}/return", {"comment": "Trop vague."})
    assert (response.json()["status"], response.json()["head_comment"]) == (
        "returned",
        "Trop vague.",
    )
    post(client_for(referent), f"/school-plans/{plan_id}/submit")
    # One test client: logging in as someone else replaces the session.
    response = post(client_for(head), f"/school-plans/{plan_id}/approve", {"comment": "Validé."})
    body = response.json()
    assert body["status"] == "approved"
    assert [e["action"] for e in body["events"]] == [
        "created",
        "line_added",
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    line = body["lines"][0]
    assert (line["planned_minutes"], line["targets"], line["rate"]) == (180, 1, 0.0)

    response = post(client_for(referent), f"/school-plans/{plan_id}/submit")
    assert response.status_code == 409
    response = post(client_for(referent), f"/school-plans/{plan_id}/new-version")
    assert response.status_code == 201 and response.json()["version"] == 2


def test_referent_cannot_approve(client_for, referent, plan_id):
    post(client_for(referent), f"/school-plans/{plan_id}/submit")
    response = post(client_for(referent), f"/school-plans/{plan_id}/approve")
    assert response.status_code == 403
    assert "Seul le chef" in response.json()["detail"]
    assert SchoolPlan.objects.get().status == "submitted"


def test_empty_plan_cannot_be_submitted(client_for, referent):
    client = client_for(referent)
    plan_id = post(
        client, "/school-plans", {"uai": "0783288A", "school_year": CURRENT_YEAR}
    ).json()["id"]
    response = post(client, f"/school-plans/{plan_id}/submit")
    assert response.status_code == 409 and "sans ligne" in response.json()["detail"]


def test_unknown_module_or_staff_is_refused(client_for, referent, plan_id, outsider):
    client = client_for(referent)
    response = post(
        client, f"/school-plans/{plan_id}/lines", {"module_id": 999999, "planned_minutes": 60}
    )
    assert response.status_code == 422
    response = post(
        client,
        f"/school-plans/{plan_id}/lines",
        {"theme": "ENT", "planned_minutes": 60, "target_staff": [outsider.staff.staff_id]},
    )
    assert response.status_code == 422
    assert SchoolPlan.objects.get().lines.count() == 1


def test_outsider_gets_404(client_for, outsider, plan_id, referent):
    post(client_for(referent), f"/school-plans/{plan_id}/submit")
    client = client_for(outsider)
    assert get(client, f"/school-plans/{plan_id}").status_code == 404
    body = {"comment": "x", "theme": "ENT", "planned_minutes": 60}
    for path in ("submit", "approve", "return", "new-version", "lines"):
        assert post(client, f"/school-plans/{plan_id}/{path}", body).status_code == 404
    line_id = SchoolPlan.objects.get().lines.get().pk
    assert client.delete(f"{API}/school-plans/lines/{line_id}").status_code == 404
    assert get(client, "/school-plans").json()["items"] == []
    assert (
        post(client, "/school-plans", {"uai": "0783288A", "school_year": CURRENT_YEAR}).status_code
        == 404
    )
    assert SchoolPlan.objects.get().status == "submitted"


def test_rectorate_lists_submitted_plans_only(client_for, auditor, referent, plan_id):
    client = client_for(auditor)
    assert get(client, "/school-plans").json()["items"] == []
    assert get(client, f"/school-plans/{plan_id}").status_code == 404
    post(client_for(referent), f"/school-plans/{plan_id}/submit")
    items = get(client, "/school-plans", school_year=CURRENT_YEAR).json()["items"]
    assert [(p["id"], p["status"], p["uai"]) for p in items] == [(plan_id, "submitted", "0783288A")]
    assert get(client, f"/school-plans/{plan_id}").json()["lines"][0]["planned_minutes"] == 180
    # Read only.
    response = post(client, f"/school-plans/{plan_id}/approve")
    assert response.status_code == 403
