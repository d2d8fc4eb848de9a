"""Every text the API accepts has a maximum length, and the document says it.

A query or path parameter, a field of a request body or an item of a list of texts:
each declares its ``maxLength`` in ``/api/openapi.json``, unless the document already
bounds it otherwise (an enum, a format such as a date, a pattern, a constant). A longer
value is then a 422 before any query, never a server error nor a text stored cut.
"""

from __future__ import annotations

import pytest

from tests.conftest import CURRENT_YEAR
from training.models import SchoolPlan
from training.validators import TEXT_MAX_LENGTH

pytestmark = pytest.mark.django_db

# What bounds a text without ``maxLength``.
BOUNDED_OTHERWISE = ("enum", "format", "maxLength", "const", "pattern")


def unbounded_texts(document: dict) -> list[str]:
    """The places of the document where a text input has no bound, one per line:
    ``GET /api/schools ?q``, ``POST /api/schools body→SchoolIn.name``…"""
    components = document["components"]["schemas"]
    found: list[str] = []

    def walk(schema: dict, where: str, seen: tuple = ()) -> None:
        if "$ref" in schema:
            name = schema["$ref"].split("/")[-1]
            if name not in seen:
                walk(components[name], f"{where}→{name}", (*seen, name))
            return
        for key in ("anyOf", "allOf", "oneOf"):
            for option in schema.get(key, []):
                walk(option, where, seen)
        kind = schema.get("type")
        if kind == "string" and not any(key in schema for key in BOUNDED_OTHERWISE):
            found.append(where)
        if kind == "array" and "items" in schema:
            walk(schema["items"], f"{where}[]", seen)
        for name, field in schema.get("properties", {}).items():
            walk(field, f"{where}.{name}", seen)

    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                where = f"{method.upper()} {path} ?{parameter['name']}"
                walk(parameter.get("schema", {}), where)
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                walk(media.get("schema", {}), f"{method.upper()} {path} body")
    return found


@pytest.fixture
def document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_the_walk_finds_an_unbounded_text():
    # The check itself: a text without bound is reported with its place.
    document = {
        "paths": {
            "/x/{id}": {
                "post": {
                    "parameters": [{"name": "q", "schema": {"type": "string"}}],
                    "requestBody": {
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/In"}}
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "In": {
                    "properties": {
                        "day": {"type": "string", "format": "date"},
                        "name": {"type": "string", "maxLength": 10},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "note": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    }
                }
            }
        },
    }
    assert unbounded_texts(document) == [
        "POST /x/{id} ?q",
        "POST /x/{id} body→In.tags[]",
        "POST /x/{id} body→In.note",
    ]


def test_every_text_input_of_the_api_has_a_maximum_length(document):
    unbounded = unbounded_texts(document)
    assert unbounded == [], f"{len(unbounded)} texts without maxLength:\n" + "\n".join(unbounded)


def test_the_lengths_are_those_of_the_columns(document):
    schemas = document["components"]["schemas"]
    school = schemas["SchoolIn"]["properties"]
    assert (school["uai"]["maxLength"], school["academy"]["maxLength"]) == (8, 2)
    assert (school["name"]["maxLength"], school["city"]["maxLength"]) == (200, 100)
    assert schemas["PlanIn"]["properties"]["school_year"]["maxLength"] == 9
    assert schemas["CommentIn"]["properties"]["comment"]["maxLength"] == TEXT_MAX_LENGTH
    assert schemas["BookingIn"]["properties"]["staff_id"]["maxLength"] == 32
    path = document["paths"]["/api/schools/{uai}"]["get"]
    assert path["parameters"][0]["schema"]["maxLength"] == 8
    assert "422" in path["responses"]


def test_a_search_too_long_is_a_422(client_for, teacher):
    client = client_for(teacher)
    assert client.get("/api/training/sessions", {"q": "x" * 200}).status_code == 200
    response = client.get("/api/training/sessions", {"q": "x" * 201})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "q"


def test_a_path_parameter_too_long_is_a_422(client_for, head, school):
    client = client_for(head)
    assert client.get(f"/api/schools/{school.uai}").status_code == 200
    response = client.get(f"/api/schools/{school.uai}X")
    assert response.status_code == 422
    assert set(response.json()) == {"detail"}


def test_a_comment_too_long_on_a_return_is_a_422_and_changes_nothing(
    client_for, referent, head, module
):
    client = client_for(referent)
    response = client.post(
        "/api/training/school-plans",
        {"uai": "0783288A", "school_year": CURRENT_YEAR},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    plan_id = response.json()["id"]
    response = client.post(
        f"/api/training/school-plans/{plan_id}/lines",
        {"module_id": module.pk, "planned_minutes": 180, "target_staff": []},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    response = client.post(f"/api/training/school-plans/{plan_id}/submit")
    assert response.status_code == 200, response.content

    client = client_for(head)
    response = client.post(
        f"/api/training/school-plans/{plan_id}/return",
        {"comment": "x" * (TEXT_MAX_LENGTH + 1)},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "comment"]
    plan = SchoolPlan.objects.get(pk=plan_id)
    assert (plan.status, plan.head_comment) == (SchoolPlan.Status.SUBMITTED, "")
    assert [e.action for e in plan.events.order_by("pk")][-1] == "submitted"

    response = client.post(
        f"/api/training/school-plans/{plan_id}/return",
        {"comment": "x" * TEXT_MAX_LENGTH},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["head_comment"] == "x" * TEXT_MAX_LENGTH


def test_every_operation_with_a_body_documents_its_400(document):
    """A body that is not JSON is a 400 of ninja's: documented wherever a body is read."""
    missing = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "requestBody" in operation and "400" not in operation["responses"]
    ]
    assert missing == []


def test_a_body_that_is_not_json_is_a_400_with_its_detail(client_for, manager, academy):
    from training.models import School

    before = School.objects.count()
    response = client_for(manager).post(
        "/api/schools", "{pas du json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "detail" in response.json()
    assert School.objects.count() == before


@pytest.mark.parametrize(
    "url",
    [
        "/api/audit/anomalies?school_year=2026%00",
        "/api/training/sessions?q=ab%00c",
        "/api/schools?q=%1b",
        "/api/referents/summary?year=20%0010",
    ],
)
def test_a_control_character_in_a_query_is_a_422(client_for, manager, url):
    """A NUL byte would reach PostgreSQL (which refuses it) and answer 500."""
    response = client_for(manager).get(url)
    assert response.status_code == 422, response.content
