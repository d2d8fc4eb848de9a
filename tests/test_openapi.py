"""The API document (``/api/openapi.json``) says what each endpoint does: one schema per
component name, so that each endpoint is documented with its own shape, and the errors
each one answers, ``{"detail": …}``, with the statuses real requests get."""

import enum
import json
import re
import typing

import pytest
from django.test import Client
from pydantic import BaseModel

from config.api import api
from training.models import Enrolment, RoleMembership
from training.schemas.errors import ErrorOut, ValidationErrorOut

WRITES = {"post", "put", "patch", "delete"}
REF = "#/components/schemas/"


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def ninja_operations():
    """Every ninja operation of the API, with its operation id in the document."""
    for _prefix, router in api._routers:  # the routers as mounted, children included
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                yield operation.operation_id or api.get_openapi_operation_id(operation), operation


def schemas_in(annotation, found: set) -> set:
    """The models and enums an annotation names, at any depth."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                schemas_in(field.annotation, found)
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        found.add(annotation)
    else:
        for argument in typing.get_args(annotation):
            schemas_in(argument, found)
    return found


def documented_schemas() -> set:
    """The schemas of the inputs and responses of every operation (the models ninja
    builds around them left out: they are no component)."""
    found = set()
    for _id, operation in ninja_operations():
        wrappers = [*operation.models, *operation.response_models.values()]
        for wrapper in wrappers:
            if isinstance(wrapper, type) and issubclass(wrapper, BaseModel):
                for field in wrapper.model_fields.values():
                    schemas_in(field.annotation, found)
    return found


def component(document, ref: str) -> dict:
    assert ref.startswith(REF), ref
    return document["components"]["schemas"][ref.removeprefix(REF)]


def response_schema(document, operation: dict, status: int) -> dict:
    return operation["responses"][status]["content"]["application/json"]["schema"]


def fields_of(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


# --- One schema per name, each endpoint its own shape ---------------------------------


def test_no_two_schemas_share_a_component_name():
    names = {}
    for schema in documented_schemas():
        names.setdefault(schema.__name__, set()).add(f"{schema.__module__}.{schema.__qualname__}")
    shared = {name: sorted(classes) for name, classes in names.items() if len(classes) > 1}
    assert shared == {}


def test_each_component_is_the_schema_of_its_name(document):
    components = document["components"]["schemas"]
    for schema in documented_schemas():
        documented = components[schema.__name__]
        if issubclass(schema, enum.Enum):
            assert documented["enum"] == [member.value for member in schema], schema
        else:
            assert set(documented["properties"]) == fields_of(schema), schema


def test_each_response_refers_to_the_schema_of_its_endpoint(document):
    by_id = {op["operationId"]: op for _path, _method, op in operations(document)}
    checked = 0
    for operation_id, operation in ninja_operations():
        for status in (200, 201):
            model = operation.response_models.get(status)
            if model is None:
                continue
            annotation = model.model_fields["response"].annotation
            schema = response_schema(document, by_id[operation_id], status)
            if "items" in schema:  # a list
                schema, annotation = schema["items"], typing.get_args(annotation)[0]
            documented = component(document, schema["$ref"])
            assert set(documented["properties"]) == fields_of(annotation), operation_id
            checked += 1
    assert checked == len(by_id)


def test_the_referents_report_and_the_enrolment_are_documented_with_their_own_fields(document):
    paths = document["paths"]
    report = component(
        document,
        response_schema(document, paths["/api/referents/reports/{uai}"]["get"], 200)["$ref"],
    )
    assert {"school_uai", "referents", "colleagues_reached"} <= set(report["properties"])
    assert "columns" not in report["properties"]
    audit = component(
        document, response_schema(document, paths["/api/audit/reports/{key}"]["get"], 200)["$ref"]
    )
    assert {"key", "columns", "rows"} <= set(audit["properties"])

    enrolment = component(
        document,
        response_schema(document, paths["/api/training/enrolments/{id}"]["get"], 200)["$ref"],
    )
    events = component(document, enrolment["properties"]["events"]["items"]["$ref"])
    assert {"from_state", "to_state", "actor", "at"} <= set(events["properties"])
    assert "action" not in events["properties"]
    plan = component(
        document,
        response_schema(document, paths["/api/training/school-plans/{id}"]["get"], 200)["$ref"],
    )
    plan_events = component(document, plan["properties"]["events"]["items"]["$ref"])
    assert {"action", "from_status", "author"} <= set(plan_events["properties"])


# --- The errors each endpoint answers -------------------------------------------------


def error_ref(operation, status):
    return operation["responses"][status]["content"]["application/json"]["schema"]["$ref"]


def test_every_operation_documents_401(document):
    # The whole API is behind a token or a session: no operation escapes it.
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in operations(document)
        if 401 not in operation["responses"]
    ]
    assert missing == []


def test_every_error_is_documented_with_the_detail_shape(document):
    for path, method, operation in operations(document):
        for status in operation["responses"]:
            if status < 400:
                continue
            expected = ValidationErrorOut if status == 422 else ErrorOut
            assert error_ref(operation, status) == REF + expected.__name__, (method, path, status)
    assert set(component(document, REF + "ErrorOut")["properties"]) == {"detail"}
    assert set(component(document, REF + "ValidationErrorOut")["properties"]) == {"detail"}


def test_what_every_kind_of_operation_answers(document):
    for path, method, operation in operations(document):
        statuses = set(operation["responses"])
        where = f"{method.upper()} {path}"
        if method in WRITES:  # a browser's write without its CSRF token, at least
            assert 403 in statuses, where
        if "{" in path:  # every path names an object looked up in the caller's scope
            assert 404 in statuses, where
        if "requestBody" in operation:
            assert 422 in statuses, where


# --- Real requests get the documented statuses, with the documented shape --------------


def documented_operation(document, method: str, url: str) -> dict:
    """The operation of the document a request reaches (paths without parameters
    first: ``/enrolments/approve`` before ``/enrolments/{id}``)."""
    path = url.split("?")[0]
    for template in sorted(document["paths"], key=lambda p: p.count("{")):
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path):
            operation = document["paths"][template].get(method)
            if operation is not None:
                return operation
    raise AssertionError(f"{method} {url} is not in the document")


def assert_documented(document, response, method: str, url: str, status: int):
    assert response.status_code == status, response.content
    operation = documented_operation(document, method, url)
    assert status in operation["responses"], (method, url, status)
    body = response.json()
    if status >= 400:
        schema = ValidationErrorOut if status == 422 else ErrorOut
        assert set(body) == {"detail"}
        schema.model_validate(body)
    else:
        documented = component(document, response_schema(document, operation, status)["$ref"])
        assert set(body) == set(documented["properties"])
    return body


def call(client, method, url, data=None):
    if method == "get":
        return client.get(url)
    return client.generic(
        method.upper(), url, json.dumps(data or {}), content_type="application/json"
    )


@pytest.mark.django_db
def test_real_requests_get_the_documented_statuses(
    document, client, client_for, teacher, head, auditor, outsider, make_user, school, session
):
    requested = Enrolment.objects.create(
        session=session, staff=teacher.staff, state=Enrolment.State.REQUESTED
    )
    enrolment = f"/api/training/enrolments/{requested.pk}"

    anonymous = call(client, "get", enrolment)
    assert_documented(document, anonymous, "get", enrolment, 401)
    anonymous = call(client, "get", f"/api/referents/reports/{school.uai}")
    assert_documented(document, anonymous, "get", f"/api/referents/reports/{school.uai}", 401)

    client_for(outsider)
    assert_documented(document, call(client, "get", enrolment), "get", enrolment, 404)
    url = f"/api/referents/reports/{school.uai}"
    assert_documented(document, call(client, "get", url), "get", url, 404)

    client_for(auditor)
    url = f"{enrolment}/approve"
    body = assert_documented(document, call(client, "post", url), "post", url, 403)
    assert body == {"detail": "Vous n'êtes pas chef de l'établissement de cette personne."}

    client_for(head)
    body = assert_documented(document, call(client, "get", enrolment), "get", enrolment, 200)
    assert body["events"] == []
    url = f"/api/referents/reports/{school.uai}?year=2010-2011"
    body = assert_documented(document, call(client, "get", url), "get", url, 200)
    assert body["school_uai"] == school.uai
    url = f"{enrolment}/decline"
    body = assert_documented(document, call(client, "post", url), "post", url, 422)
    assert body["detail"][0]["loc"] == ["body", "payload", "reason"]
    url = f"{enrolment}/approve"
    assert_documented(document, call(client, "post", url), "post", url, 200)
    body = assert_documented(document, call(client, "post", url), "post", url, 409)
    assert body == {"detail": "Cette demande n'est plus en attente (Inscrit)."}

    manager = make_user("manager", role=RoleMembership.Role.MANAGER, academy=school.academy)
    client_for(manager)
    url = "/api/schools"
    duplicate = {"uai": school.uai, "name": "Doublon", "kind": "college", "academy": "25"}
    body = assert_documented(document, call(client, "post", url, duplicate), "post", url, 422)
    assert all(isinstance(message, str) for message in body["detail"])


@pytest.mark.django_db
def test_a_browser_write_without_its_csrf_token_is_a_documented_403(document, head):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(head)
    url = "/api/training/enrolments/approve"
    response = call(browser, "post", url, {"ids": []})
    body = assert_documented(document, response, "post", url, 403)
    assert body == {"detail": "CSRF check Failed"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_to=2101-01-01"]
)
def test_an_absurd_date_is_a_422_never_a_server_error(client, teacher, query):
    client.force_login(teacher)
    response = client.get(f"/api/training/sessions?{query}")
    assert response.status_code == 422


@pytest.mark.django_db
def test_a_sensible_date_filter_is_accepted(client, teacher):
    client.force_login(teacher)
    assert client.get("/api/training/sessions?date_to=2100-12-31").status_code == 200


def test_bounds_and_lengths_are_in_the_document():
    from config.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    slot = schemas["SlotIn"]["properties"]
    assert slot["room"]["maxLength"] == 100 and slot["title"]["maxLength"] == 200
    assert schemas["LogIn"]["properties"]["description"]["maxLength"] == 2000


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/training/enrolments/approve", {"ids": [9223372036854775808]}),
        ("get", "/api/training/enrolments?session=9223372036854775808", None),
        ("get", "/api/training/sessions?district=9223372036854775808", None),
    ],
)
def test_an_identifier_beyond_64_bits_is_a_422(client, manager, method, url, body):
    client.force_login(manager)
    if method == "post":
        response = client.post(url, json.dumps(body), content_type="application/json")
    else:
        response = client.get(url)
    assert response.status_code == 422


@pytest.mark.django_db
def test_a_null_text_in_a_session_patch_empties_it(client, manager, session):
    client.force_login(manager)
    response = client.patch(
        f"/api/training/sessions/{session.pk}",
        json.dumps({"location": None, "external_trainers": None}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert (session.location, session.external_trainers) == ("", "")


@pytest.mark.django_db
@pytest.mark.parametrize("char", ["\x00", "\x1b", "\u202e", "\u2067"])
def test_a_control_or_bidi_character_in_an_api_text_is_a_422(client, manager, session, char):
    client.force_login(manager)
    slot = session.slots.get()
    response = client.patch(
        f"/api/training/slots/{slot.pk}",
        json.dumps({"room": f"B1{char}2"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "Caractère interdit" in response.json()["detail"][0]["msg"]
    slot.refresh_from_db()
    assert char not in slot.room


@pytest.mark.django_db
def test_tabs_and_line_feeds_stay_allowed(client, manager, session):
    client.force_login(manager)
    response = client.patch(
        f"/api/training/sessions/{session.pk}",
        json.dumps({"location": "Salle A\tbâtiment B"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
