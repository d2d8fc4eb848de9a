"""Defects found in review of the HTML pages, each pinned by a test."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import at
from training.models import Attendance, Enrolment, EnrolmentEvent, Slot

pytestmark = pytest.mark.django_db


def book(session, *users):
    for user in users:
        enrolment = Enrolment.objects.create(
            session=session, staff=user.staff, state=Enrolment.State.BOOKED
        )
        EnrolmentEvent.objects.create(enrolment=enrolment, to_state=Enrolment.State.BOOKED)


# --- Messages are escaped -------------------------------------------------------------


def test_message_with_user_input_is_escaped(client_for, manager, session):
    client = client_for(manager)
    response = client.post(
        f"/formations/sessions/{session.pk}/designer/",
        {"staff_id": "<b id=x>pwn</b>"},
        follow=True,
    )
    page = response.content.decode()
    assert "<b id=x>" not in page
    assert "&lt;b id=x&gt;pwn&lt;/b&gt;" in page


def test_message_keeps_its_alert_level(client_for, manager, session):
    client = client_for(manager)
    response = client.post(
        f"/formations/sessions/{session.pk}/designer/", {"staff_id": "X0"}, follow=True
    )
    assert 'class="fr-alert fr-alert--error' in response.content.decode()


# --- Designated staff: a head books only on a designated session ----------------------


def test_head_cannot_book_directly_on_an_individual_session(
    client_for, head, teacher, make_session
):
    session = make_session(approval="head_then_rectorate")
    client = client_for(head)
    response = client.post(
        f"/formations/sessions/{session.pk}/designer/", {"staff_id": teacher.staff.staff_id}
    )
    assert response.status_code == 403
    assert not Enrolment.objects.filter(session=session).exists()


# --- Attendance sheet: the declarations list costs no query per row --------------------


def test_declarations_on_the_sheet_cost_no_query_per_row(
    client_for, make_user, make_session, trainer, school
):
    session = make_session(days=-2, approval="none")
    session.trainers.add(trainer)
    online = Slot.objects.create(
        session=session,
        modality="self_paced",
        start=at(-3, 12),
        end=at(5, 0),
        credited_minutes=120,
    )
    people = [make_user(school=school) for _ in range(3)]
    book(session, *people)
    slot = session.slots.get(modality="in_person")
    client = client_for(trainer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/formations/seances/{slot.pk}/emargement/")
        assert response.status_code == 200
        return len(queries)

    Attendance.objects.create(
        slot=online,
        staff=people[0].staff,
        status="declared",
        declared_minutes=30,
        recorded_by=people[0],
    )
    one = count()
    for user in people[1:]:
        Attendance.objects.create(
            slot=online,
            staff=user.staff,
            status="declared",
            declared_minutes=30,
            recorded_by=user,
        )
    assert count() == one


# --- Positioning: an empty selection is said, not "0 item(s) recorded" ----------------


def test_positioning_with_nothing_ticked_asks_for_an_item(client_for, teacher):
    response = client_for(teacher).post("/mon-parcours/positionnement/", {}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        "Cochez au moins un item que vous pensez maîtriser."
    ]


# --- Someone else's record does not say « votre degré » -------------------------------


def test_head_reading_a_record_without_target_is_not_addressed_as_the_teacher(
    client_for, head, teacher
):
    page = client_for(head).get(f"/personnels/{teacher.staff.pk}/parcours/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "votre degré" not in content
    assert "son degré" in content
