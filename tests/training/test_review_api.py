"""Defects found in review of the API and its services, each pinned by a test."""

import pytest

from training.models import Session

pytestmark = pytest.mark.django_db

API = "/api/training"

# Larger than any 64-bit integer: SQLite and PostgreSQL both reject it in LIMIT/OFFSET.
HUGE = "1" + "0" * 20


@pytest.mark.parametrize(
    "url",
    [
        f"/sessions?limit={HUGE}",
        f"/sessions?offset={HUGE}",
        f"/enrolments?limit={HUGE}",
        f"/hours?page={HUGE}",
    ],
)
def test_huge_page_parameters_are_a_422_not_a_500(client_for, manager, session, url):
    client = client_for(manager)
    client.raise_request_exception = False
    response = client.get(API + url)
    assert response.status_code == 422, response.content


def test_page_size_is_capped(client_for, manager, session):
    response = client_for(manager).get(f"{API}/sessions?limit=100000")
    assert response.status_code == 422


def test_patch_session_with_null_capacity_is_a_422_and_changes_nothing(
    client_for, manager, session
):
    client = client_for(manager)
    client.raise_request_exception = False
    response = client.patch(
        f"{API}/sessions/{session.pk}", {"capacity": None}, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert Session.objects.get(pk=session.pk).capacity == session.capacity
