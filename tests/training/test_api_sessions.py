"""The catalogue, scheduling and enrolment API (``/api/training/``): each endpoint for the
role allowed and for the outsider, each transition, each refusal with its status, its
French message and the data left as it was."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import at
from training.models import (
    District,
    Enrolment,
    EnrolmentEvent,
    Item,
    Module,
    Programme,
    RoleMembership,
    Session,
    Slot,
)

pytestmark = pytest.mark.django_db

API = "/api/training"
State = Enrolment.State


def post(client, url, data=None):
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(f"{API}{url}", data, content_type="application/json")


def get(client, url, **params):
    return client.get(f"{API}{url}", params)


def enrol(staff_user, session, state=State.BOOKED, **fields):
    """An enrolment written directly, for the tests that start from one."""
    if state == State.WAITLISTED:
        fields.setdefault("waitlisted_at", timezone.now())
    return Enrolment.objects.create(session=session, staff=staff_user.staff, state=state, **fields)


@pytest.fixture
def colleague(make_user, school):
    """Another teacher of the teacher's collège (the head approves both)."""
    return make_user("colleague", school=school, first_name="Paul", last_name="Durand")


@pytest.fixture
def lycee_teacher(make_user, other_school):
    """A teacher of the lycée of the same académie: not the head's."""
    return make_user("lycee", school=other_school, first_name="Inès", last_name="Bernard")


@pytest.fixture
def other_module(programme):
    module = Module.objects.create(programme=programme, code="M2", title="Tableau numérique")
    module.items.set(Item.objects.filter(code="A.2-1"))
    return module


# --- Programmes and modules -----------------------------------------------------------


def programme_payload(**overrides):
    return {
        "academy": "25",
        "school_year": "2010-2011",
        "code": "10a0250099",
        "title": "Classes mobiles",
        "priority": "numerique",
        "kind": "designated",
        "degree": 1,
        "disciplines": ["Mathématiques", " Sciences "],
        **overrides,
    }


def test_manager_creates_a_programme(client_for, manager):
    response = post(client_for(manager), "/programmes", programme_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "10A0250099"
    assert body["academy_code"] == "25"
    assert body["school_year"] == "2010-2011"
    assert body["priority_code"] == "numerique"
    assert body["kind"] == "designated"
    assert body["kind_label"] == "Public désigné"
    assert body["degree"] == 1
    assert body["disciplines"] == ["Mathématiques", "Sciences"]
    assert body["modules"] == []
    assert Programme.objects.get(pk=body["id"]).disciplines == "Mathématiques, Sciences"


def test_auditor_cannot_create_a_programme(client_for, auditor):
    response = post(client_for(auditor), "/programmes", programme_payload())
    assert response.status_code == 403
    assert response.json() == {"detail": "Seul le rectorat de l'académie peut modifier son offre."}
    assert not Programme.objects.filter(code="10A0250099").exists()


def test_outsider_cannot_create_a_programme_in_versailles(client_for, outsider):
    response = post(client_for(outsider), "/programmes", programme_payload())
    assert response.status_code == 404
    assert not Programme.objects.filter(code="10A0250099").exists()


def test_unknown_priority_is_a_422(client_for, manager):
    response = post(client_for(manager), "/programmes", programme_payload(priority="cuisine"))
    assert response.status_code == 422
    assert response.json() == {"detail": ["Priorité inconnue pour 2010-2011 : cuisine."]}
    assert not Programme.objects.filter(code="10A0250099").exists()


def test_programmes_are_listed_within_the_academie(client_for, teacher, outsider, module):
    body = get(client_for(teacher), "/programmes").json()
    assert body["count"] == 1
    [programme] = body["items"]
    assert programme["code"] == "10A0250001"
    assert [m["code"] for m in programme["modules"]] == ["M1"]
    assert programme["modules"][0]["items"] == ["A.1-3", "B.1-1"]
    assert get(client_for(outsider), "/programmes").json()["count"] == 0


def test_manager_creates_a_module_with_its_items(client_for, manager, programme):
    payload = {
        "programme_id": programme.pk,
        "code": "M9",
        "title": "Parcours hybride",
        "planned_in_person_minutes": 360,
        "planned_online_minutes": 750,
        "items": ["A.1-1", "B.2-3"],
        "parcours": "pairformance",
    }
    response = post(client_for(manager), "/modules", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["programme_id"] == programme.pk
    assert body["items"] == ["A.1-1", "B.2-3"]
    assert body["parcours"] == "pairformance"
    assert body["planned_online_minutes"] == 750


def test_unknown_item_is_a_422(client_for, manager, programme):
    payload = {"programme_id": programme.pk, "code": "M9", "title": "X", "items": ["Z.9-9"]}
    response = post(client_for(manager), "/modules", payload)
    assert response.status_code == 422
    assert response.json() == {"detail": ["Item C2i2e inconnu : Z.9-9."]}
    assert not Module.objects.filter(code="M9").exists()


def test_teacher_cannot_create_a_module(client_for, teacher, programme):
    payload = {"programme_id": programme.pk, "code": "M9", "title": "Module"}
    response = post(client_for(teacher), "/modules", payload)
    assert response.status_code == 403
    assert not Module.objects.filter(code="M9").exists()


def test_outsider_cannot_create_a_module(client_for, outsider, programme):
    payload = {"programme_id": programme.pk, "code": "M9", "title": "Module"}
    assert post(client_for(outsider), "/modules", payload).status_code == 404
    assert not Module.objects.filter(code="M9").exists()


# --- The catalogue --------------------------------------------------------------------


def test_catalogue_lists_published_sessions_with_seats(
    client_for, teacher, colleague, lycee_teacher, make_session
):
    session = make_session(capacity=2)
    make_session(status="draft")
    enrol(colleague, session)
    enrol(lycee_teacher, session, state=State.WAITLISTED)
    enrol(teacher, session, state=State.CANCELLED)
    body = get(client_for(teacher), "/sessions").json()
    assert body["count"] == 1
    [item] = body["items"]
    assert item["id"] == session.pk
    assert item["module_title"] == "Intégrer l'ENT"
    assert item["programme_title"] == "Usages du numérique"
    assert item["priority_code"] == "numerique"
    assert item["items"] == ["A.1-3", "B.1-1"]
    assert (item["booked_count"], item["waitlisted_count"], item["seats_left"]) == (1, 1, 1)
    assert dt.datetime.fromisoformat(item["first_start"]) == at(30, 9)


def test_outsider_sees_nothing_of_the_catalogue(client_for, outsider, session):
    assert get(client_for(outsider), "/sessions").json()["count"] == 0


def test_catalogue_filters(client_for, teacher, academy, make_session, other_module, programme):
    district = District.objects.create(academy=academy, kind="bassin", name="Mantes")
    teacher.staff.school.district = district
    teacher.staff.school.save()
    programme.disciplines = "Mathématiques"
    programme.save()
    first = make_session(location="Collège Jean Moulin")  # slot 30 days ahead, in person
    second = make_session(module=other_module, slots=False, district=district)
    Slot.objects.create(
        session=second,
        modality="virtual",
        start=at(40, 14),
        end=at(40, 16),
        video_url="https://visio.example.org/abc",
    )
    client = client_for(teacher)

    def ids(**params):
        return [s["id"] for s in get(client, "/sessions", **params).json()["items"]]

    assert ids() == [first.pk, second.pk]
    assert ids(q="tableau") == [second.pk]
    assert ids(q="moulin") == [first.pk]
    assert ids(priority="numerique") == [first.pk, second.pk]
    assert ids(priority="langue") == []
    assert ids(degree=2) == [first.pk, second.pk]
    assert ids(degree=1) == []
    assert ids(discipline="math") == [first.pk, second.pk]
    assert ids(discipline="anglais") == []
    assert ids(modality="virtual") == [second.pk]
    assert ids(modality="in_person") == [first.pk]
    assert ids(district=district.pk) == [second.pk]
    day = timezone.localdate()
    assert ids(date_from=str(day + dt.timedelta(days=31))) == [second.pk]
    assert ids(date_to=str(day + dt.timedelta(days=30))) == [first.pk]
    assert ids(item="A.2-1") == [second.pk]
    assert ids(item="B.1-1") == [first.pk]


def test_catalogue_rejects_an_unknown_modality(client_for, teacher, session):
    assert get(client_for(teacher), "/sessions", modality="pigeon").status_code == 422


@pytest.mark.parametrize("n_sessions", [2, 12])
def test_catalogue_queries_do_not_grow_with_rows(
    client_for, teacher, colleague, make_session, n_sessions, django_assert_max_num_queries
):
    for _ in range(n_sessions):
        enrol(colleague, make_session())
    client = client_for(teacher)
    with django_assert_max_num_queries(8):
        body = get(client, "/sessions").json()
    assert body["count"] == n_sessions
    assert all(s["booked_count"] == 1 for s in body["items"])


# --- Sessions -------------------------------------------------------------------------


def test_session_detail_with_slots_trainers_and_own_enrolment(
    client_for, teacher, trainer, session
):
    session.trainers.add(trainer)
    enrolment = enrol(teacher, session, state=State.REQUESTED)
    body = get(client_for(teacher), f"/sessions/{session.pk}").json()
    assert body["trainers"] == [trainer.get_full_name()]
    [slot] = body["slots"]
    assert slot["modality"] == "in_person"
    assert slot["school_uai"] == "0920134W"
    assert slot["room"] == "B12"
    assert slot["minutes"] == 180
    assert body["my_enrolment"]["id"] == enrolment.pk
    assert body["my_enrolment"]["state"] == "requested"
    assert body["my_enrolment"]["state_label"] == "Demandée"


def test_session_detail_without_own_enrolment(client_for, manager, session):
    body = get(client_for(manager), f"/sessions/{session.pk}").json()
    assert body["my_enrolment"] is None


def test_session_outside_scope_is_404(client_for, outsider, teacher, make_session):
    published = make_session()
    draft = make_session(status="draft")
    assert get(client_for(outsider), f"/sessions/{published.pk}").status_code == 404
    assert get(client_for(teacher), f"/sessions/{draft.pk}").status_code == 404


def session_payload(module, **overrides):
    return {
        "module_id": module.pk,
        "group": "07",
        "capacity": 12,
        "approval": "head_then_rectorate",
        "enrolment_opens": at(1).isoformat(),
        "enrolment_closes": at(10).isoformat(),
        **overrides,
    }


def test_manager_creates_a_session(client_for, manager, trainer, module, other_school):
    payload = session_payload(module, trainers=["trainer"], host_school="0920134w")
    response = post(client_for(manager), "/sessions", payload)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["group"] == "07"
    assert body["trainers"] == [trainer.get_full_name()]
    assert body["host_school_uai"] == "0920134W"
    assert body["seats_left"] == 12
    assert body["slots"] == []
    session = Session.objects.get(pk=body["id"])
    assert session.approval == "head_then_rectorate"
    assert session.waitlist_enabled  # the model's default when not sent


def test_teacher_cannot_create_a_session(client_for, teacher, module):
    response = post(client_for(teacher), "/sessions", session_payload(module))
    assert response.status_code == 403
    assert response.json() == {"detail": "Seul le rectorat de l'académie peut modifier son offre."}
    assert not Session.objects.filter(group="07").exists()


def test_outsider_cannot_create_a_session(client_for, outsider, module):
    assert post(client_for(outsider), "/sessions", session_payload(module)).status_code == 404
    assert not Session.objects.filter(group="07").exists()


def test_manager_updates_a_session(client_for, manager, trainer, session):
    payload = {"capacity": 8, "location": "Salle polyvalente", "trainers": ["trainer"]}
    response = patch(client_for(manager), f"/sessions/{session.pk}", payload)
    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert (session.capacity, session.location) == (8, "Salle polyvalente")
    assert list(session.trainers.all()) == [trainer]
    assert session.approval == "head"  # not sent, not changed


def test_capacity_below_booked_is_refused(client_for, manager, teacher, colleague, session):
    enrol(teacher, session)
    enrol(colleague, session)
    response = patch(client_for(manager), f"/sessions/{session.pk}", {"capacity": 1})
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Impossible de réduire à 1 places : 2 personnes sont déjà inscrites."
    }
    session.refresh_from_db()
    assert session.capacity == 3


def test_auditor_cannot_update_a_session(client_for, auditor, session):
    response = patch(client_for(auditor), f"/sessions/{session.pk}", {"capacity": 9})
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.capacity == 3


def test_outsider_cannot_update_a_session(client_for, outsider, session):
    assert (
        patch(client_for(outsider), f"/sessions/{session.pk}", {"capacity": 9}).status_code == 404
    )
    session.refresh_from_db()
    assert session.capacity == 3


def test_manager_publishes_a_session(client_for, manager, make_session):
    draft = make_session(status="draft")
    response = post(client_for(manager), f"/sessions/{draft.pk}/publish")
    assert response.status_code == 200
    assert response.json()["status"] == "published"
    draft.refresh_from_db()
    assert draft.status == "published"


def test_auditor_cannot_publish(client_for, auditor, make_session):
    draft = make_session(status="draft")
    assert post(client_for(auditor), f"/sessions/{draft.pk}/publish").status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_outsider_cannot_publish(client_for, outsider, make_session):
    draft = make_session(status="draft")
    assert post(client_for(outsider), f"/sessions/{draft.pk}/publish").status_code == 404


def test_manager_cancels_a_session_with_reason(client_for, manager, teacher, session):
    enrolment = enrol(teacher, session)
    response = post(client_for(manager), f"/sessions/{session.pk}/cancel", {"reason": "Grève"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["cancelled_reason"]) == ("cancelled", "Grève")
    assert [s["status"] for s in body["slots"]] == ["cancelled"]
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.reason) == ("session_cancelled", "Grève")


def test_cancelling_a_session_needs_a_reason(client_for, manager, teacher, session):
    enrolment = enrol(teacher, session)
    response = post(client_for(manager), f"/sessions/{session.pk}/cancel", {"reason": " "})
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Indiquez le motif de l'annulation : les inscrits le recevront."
    }
    session.refresh_from_db()
    enrolment.refresh_from_db()
    assert (session.status, enrolment.state) == ("published", "booked")


def test_outsider_cannot_cancel_a_session(client_for, outsider, session):
    response = post(client_for(outsider), f"/sessions/{session.pk}/cancel", {"reason": "Non"})
    assert response.status_code == 404
    session.refresh_from_db()
    assert session.status == "published"


# --- Slots ----------------------------------------------------------------------------


def slot_payload(**overrides):
    return {
        "modality": "in_person",
        "start": at(45, 9).isoformat(),
        "end": at(45, 12).isoformat(),
        "title": "Atelier",
        "school": "0920134W",
        "room": "C3",
        **overrides,
    }


def test_manager_adds_a_slot(client_for, manager, session):
    response = post(client_for(manager), f"/sessions/{session.pk}/slots", slot_payload())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["warnings"] == []
    assert body["slot"]["title"] == "Atelier"
    assert body["slot"]["school_uai"] == "0920134W"
    assert body["slot"]["minutes"] == 180
    assert session.slots.count() == 2


def test_slot_during_the_holidays_is_added_with_a_warning(
    client_for, manager, make_session, module_2010
):
    session = make_session(module=module_2010)
    paris = timezone.get_current_timezone()
    payload = slot_payload(
        start=dt.datetime(2010, 10, 27, 9, tzinfo=paris).isoformat(),
        end=dt.datetime(2010, 10, 27, 12, tzinfo=paris).isoformat(),
    )
    response = post(client_for(manager), f"/sessions/{session.pk}/slots", payload)
    assert response.status_code == 201, response.content
    assert response.json()["warnings"] == [
        "Attention : cette séance tombe pendant les vacances (Toussaint, zone C)."
    ]


def test_slot_ending_before_its_start_is_refused(client_for, manager, session):
    payload = slot_payload(start=at(45, 12).isoformat(), end=at(45, 9).isoformat())
    response = post(client_for(manager), f"/sessions/{session.pk}/slots", payload)
    assert response.status_code == 400
    assert response.json() == {"detail": "La fin de la séance doit être après son début."}
    assert session.slots.count() == 1


def test_slot_with_a_naive_datetime_is_a_422(client_for, manager, session):
    payload = slot_payload(start="2030-01-10T09:00:00", end="2030-01-10T12:00:00")
    response = post(client_for(manager), f"/sessions/{session.pk}/slots", payload)
    assert response.status_code == 422
    assert session.slots.count() == 1


def test_room_conflict_is_refused_naming_the_other_slot(client_for, manager, make_session):
    first = make_session()  # B12 of the lycée, 30 days ahead, 9:00–12:00
    second = make_session(slots=False)
    payload = slot_payload(start=at(30, 10).isoformat(), end=at(30, 11).isoformat(), room="b12")
    response = post(client_for(manager), f"/sessions/{second.pk}/slots", payload)
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert detail.startswith("La salle B12 est déjà occupée par « Intégrer l'ENT — groupe 01 »")
    assert at(30).strftime("%d/%m/%Y") in detail
    assert not second.slots.exists()
    assert first.slots.count() == 1


def test_manager_overrides_a_conflict_with_a_reason(client_for, manager, make_session):
    make_session()
    second = make_session(slots=False)
    payload = slot_payload(
        start=at(30, 10).isoformat(),
        end=at(30, 11).isoformat(),
        room="B12",
        override=True,
        override_reason="Salle partagée, accord du proviseur",
    )
    response = post(client_for(manager), f"/sessions/{second.pk}/slots", payload)
    assert response.status_code == 201, response.content
    slot = Slot.objects.get(pk=response.json()["slot"]["id"])
    assert slot.conflict_override_by == manager
    assert slot.conflict_override_reason == "Salle partagée, accord du proviseur"


def test_auditor_cannot_add_a_slot(client_for, auditor, session):
    response = post(client_for(auditor), f"/sessions/{session.pk}/slots", slot_payload())
    assert response.status_code == 403
    assert session.slots.count() == 1


def test_outsider_cannot_add_a_slot(client_for, outsider, session):
    response = post(client_for(outsider), f"/sessions/{session.pk}/slots", slot_payload())
    assert response.status_code == 404
    assert session.slots.count() == 1


def test_manager_moves_a_slot(client_for, manager, session):
    slot = session.slots.get()
    payload = {"start": at(31, 14).isoformat(), "end": at(31, 17).isoformat(), "room": "A1"}
    response = patch(client_for(manager), f"/slots/{slot.pk}", payload)
    assert response.status_code == 200, response.content
    assert response.json()["slot"]["room"] == "A1"
    slot.refresh_from_db()
    assert (slot.start, slot.room, slot.sequence) == (at(31, 14), "A1", 1)


def test_moving_a_slot_end_before_start_is_refused(client_for, manager, session):
    slot = session.slots.get()
    response = patch(client_for(manager), f"/slots/{slot.pk}", {"end": at(30, 8).isoformat()})
    assert response.status_code == 400
    assert response.json() == {"detail": "La fin de la séance doit être après son début."}
    slot.refresh_from_db()
    assert (slot.end, slot.sequence) == (at(30, 12), 0)


def test_outsider_cannot_move_a_slot(client_for, outsider, session):
    slot = session.slots.get()
    assert patch(client_for(outsider), f"/slots/{slot.pk}", {"room": "Z"}).status_code == 404
    slot.refresh_from_db()
    assert slot.room == "B12"


def test_manager_cancels_a_slot(client_for, manager, session):
    slot = session.slots.get()
    response = post(client_for(manager), f"/slots/{slot.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    slot.refresh_from_db()
    assert (slot.status, slot.sequence) == ("cancelled", 1)


def test_teacher_cannot_cancel_a_slot(client_for, teacher, outsider, session):
    slot = session.slots.get()
    assert post(client_for(teacher), f"/slots/{slot.pk}/cancel").status_code == 403
    assert post(client_for(outsider), f"/slots/{slot.pk}/cancel").status_code == 404
    slot.refresh_from_db()
    assert slot.status == "scheduled"


# --- Enrolment: the transitions -------------------------------------------------------


def test_teacher_requests_and_head_approves_then_the_seat_is_booked(
    client_for, teacher, head, session
):
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["staff_name"], body["session_id"]) == (
        "requested",
        "Claire Martin",
        session.pk,
    )
    response = post(client_for(head), f"/enrolments/{body['id']}/approve")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "booked"
    enrolment = Enrolment.objects.get(pk=body["id"])
    assert enrolment.state == "booked"
    assert enrolment.head_approved_at is not None


def test_head_then_rectorate_needs_the_rectorate_confirmation(
    client_for, teacher, head, manager, make_session
):
    session = make_session(approval="head_then_rectorate")
    enrolment_id = post(client_for(teacher), f"/sessions/{session.pk}/enrolments").json()["id"]
    assert post(client_for(head), f"/enrolments/{enrolment_id}/approve").json()["state"] == (
        "approved"
    )
    queue = get(client_for(manager), "/confirmations").json()
    assert [e["id"] for e in queue["items"]] == [enrolment_id]
    response = post(client_for(manager), f"/enrolments/{enrolment_id}/confirm")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "booked"
    assert response.json()["rectorate_confirmed_at"] is not None
    assert get(client_for(manager), "/confirmations").json()["count"] == 0


def test_head_cannot_confirm_for_the_rectorate(client_for, teacher, head, make_session):
    session = make_session(approval="head_then_rectorate")
    enrolment = enrol(teacher, session, state=State.APPROVED, head_approved_at=timezone.now())
    response = post(client_for(head), f"/enrolments/{enrolment.pk}/confirm")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Seul le rectorat de l'académie confirme les inscriptions."
    }
    enrolment.refresh_from_db()
    assert enrolment.state == "approved"


def test_session_without_approval_books_at_once(client_for, teacher, make_session):
    session = make_session(approval="none")
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    assert response.status_code == 201
    assert response.json()["state"] == "booked"


def test_full_session_puts_the_request_on_the_waitlist(
    client_for, teacher, colleague, make_session
):
    session = make_session(approval="none", capacity=1)
    enrol(colleague, session)
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    assert response.status_code == 201
    assert response.json()["state"] == "waitlisted"
    assert response.json()["waitlisted_at"] is not None


def test_head_declines_with_a_reason(client_for, teacher, head, session):
    enrolment = enrol(teacher, session, state=State.REQUESTED)
    response = post(
        client_for(head), f"/enrolments/{enrolment.pk}/decline", {"reason": "Conseil de classe"}
    )
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["reason"]) == (
        "declined",
        "Conseil de classe",
    )
    event = EnrolmentEvent.objects.get(enrolment=enrolment)
    assert (event.from_state, event.to_state, event.actor, event.reason) == (
        "requested",
        "declined",
        head,
        "Conseil de classe",
    )


def test_declining_needs_a_reason(client_for, teacher, head, session):
    enrolment = enrol(teacher, session, state=State.REQUESTED)
    response = post(client_for(head), f"/enrolments/{enrolment.pk}/decline", {"reason": ""})
    assert response.status_code == 400
    assert response.json() == {"detail": "Indiquez le motif du refus : la personne le recevra."}
    enrolment.refresh_from_db()
    assert enrolment.state == "requested"


def test_teacher_cancels_with_a_reason(client_for, teacher, session):
    enrolment = enrol(teacher, session)
    response = post(client_for(teacher), f"/enrolments/{enrolment.pk}/cancel", {"reason": "Malade"})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["reason"]) == ("cancelled", "Malade")


def test_head_cannot_cancel_for_his_teacher(client_for, teacher, head, session):
    enrolment = enrol(teacher, session)
    response = post(client_for(head), f"/enrolments/{enrolment.pk}/cancel", {"reason": "Non"})
    assert response.status_code == 403
    assert response.json() == {"detail": "Seule la personne inscrite peut se désister."}
    enrolment.refresh_from_db()
    assert enrolment.state == "booked"


def test_cancelling_a_booked_seat_promotes_the_waitlist(
    client_for, teacher, colleague, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    booked = enrol(teacher, session)
    waiting = enrol(colleague, session, state=State.WAITLISTED)
    client = client_for(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/enrolments/{booked.pk}/cancel", {"reason": "Empêchée"})
    assert response.status_code == 200
    waiting.refresh_from_db()
    assert waiting.state == "booked"
    event = waiting.events.get()
    assert (event.from_state, event.to_state, event.actor) == ("waitlisted", "booked", None)


# --- Enrolment: the refusals ----------------------------------------------------------


def assert_refused(response, status, detail):
    assert response.status_code == status, response.content
    assert response.json() == {"detail": detail}


def test_enrolling_before_the_window_opens_is_refused(client_for, teacher, session):
    Session.objects.filter(pk=session.pk).update(enrolment_opens=at(2, 8))
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    opens = at(2, 8).strftime("%d/%m/%Y %H:%M")
    assert_refused(response, 409, f"Les inscriptions ouvrent le {opens}.")
    assert not Enrolment.objects.exists()


def test_enrolling_after_the_window_closed_is_refused(client_for, teacher, session):
    Session.objects.filter(pk=session.pk).update(enrolment_opens=at(-5), enrolment_closes=at(-1))
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    closed = at(-1).strftime("%d/%m/%Y %H:%M")
    assert_refused(response, 409, f"Les inscriptions sont closes depuis le {closed}.")
    assert not Enrolment.objects.exists()


def test_enrolling_twice_is_refused(client_for, teacher, session):
    client = client_for(teacher)
    assert post(client, f"/sessions/{session.pk}/enrolments").status_code == 201
    response = post(client, f"/sessions/{session.pk}/enrolments")
    assert_refused(response, 409, "Claire Martin a déjà une inscription en cours à cette session.")
    assert Enrolment.objects.count() == 1


def test_a_cancelled_session_is_not_in_reach(client_for, teacher, session):
    Session.objects.filter(pk=session.pk).update(status="cancelled")
    assert post(client_for(teacher), f"/sessions/{session.pk}/enrolments").status_code == 404
    assert not Enrolment.objects.exists()


def test_enrolling_again_on_a_cancelled_session_is_refused(client_for, manager, teacher, session):
    enrol(teacher, session)
    assert (
        post(client_for(manager), f"/sessions/{session.pk}/cancel", {"reason": "Grève"}).status_code
        == 200
    )
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    assert_refused(response, 409, "Cette session est annulée.")
    assert list(Enrolment.objects.values_list("state", flat=True)) == ["session_cancelled"]


def test_full_session_without_waitlist_is_refused(client_for, teacher, colleague, make_session):
    session = make_session(capacity=1, waitlist=False)
    enrol(colleague, session)
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    assert_refused(response, 409, "Cette session est complète et n'a pas de liste d'attente.")
    assert session.enrolments.count() == 1


def test_overlapping_ones_own_booking_is_refused(client_for, teacher, make_session, other_module):
    mine = make_session()  # 30 days ahead, 9:00–12:00
    enrol(teacher, mine)
    other = make_session(module=other_module, slots=False)
    Slot.objects.create(session=other, modality="in_person", start=at(30, 11), end=at(30, 13))
    response = post(client_for(teacher), f"/sessions/{other.pk}/enrolments")
    assert response.status_code == 409
    detail = response.json()["detail"]
    day = at(30).strftime("%d/%m/%Y")
    assert detail.startswith(f"La séance du {day} 11:00 chevauche « Intégrer l'ENT — groupe 01 »")
    assert detail.endswith("Claire Martin a déjà une place.")
    assert not other.enrolments.exists()


def test_designated_programme_refuses_applications(client_for, teacher, programme, session):
    Programme.objects.filter(pk=programme.pk).update(kind="designated")
    response = post(client_for(teacher), f"/sessions/{session.pk}/enrolments")
    assert_refused(
        response,
        409,
        "Cette formation est à public désigné : le rectorat ou le chef d'établissement "
        "inscrit les participants.",
    )


def test_someone_without_a_staff_profile_cannot_enrol(client_for, manager, session):
    response = post(client_for(manager), f"/sessions/{session.pk}/enrolments")
    assert_refused(
        response, 403, "Seuls les personnels d'un établissement s'inscrivent en leur nom."
    )
    assert not Enrolment.objects.exists()


def test_outsider_cannot_enrol(client_for, outsider, session):
    assert post(client_for(outsider), f"/sessions/{session.pk}/enrolments").status_code == 404
    assert not Enrolment.objects.exists()


def test_enrolling_takes_a_bounded_number_of_queries(
    client_for, teacher, head, session, django_assert_max_num_queries
):
    client = client_for(teacher)
    # 20, and the trail's entry of the new enrolment and of its change of state.
    with django_assert_max_num_queries(22):
        assert post(client, f"/sessions/{session.pk}/enrolments").status_code == 201


def test_head_cannot_approve_for_another_school(client_for, head, lycee_teacher, session):
    enrolment = enrol(lycee_teacher, session, state=State.REQUESTED)
    assert post(client_for(head), f"/enrolments/{enrolment.pk}/approve").status_code == 404
    enrolment.refresh_from_db()
    assert (enrolment.state, enrolment.head_approved_at) == ("requested", None)


def test_auditor_who_sees_the_request_may_not_approve_it(client_for, auditor, teacher, session):
    enrolment = enrol(teacher, session, state=State.REQUESTED)
    response = post(client_for(auditor), f"/enrolments/{enrolment.pk}/approve")
    assert_refused(response, 403, "Vous n'êtes pas chef de l'établissement de cette personne.")
    enrolment.refresh_from_db()
    assert enrolment.state == "requested"


def test_approving_a_decided_request_is_refused(client_for, head, teacher, session):
    enrolment = enrol(teacher, session, state=State.BOOKED)
    response = post(client_for(head), f"/enrolments/{enrolment.pk}/approve")
    assert_refused(response, 409, "Cette demande n'est plus en attente (Inscrit).")


def test_outsider_cannot_act_on_enrolments(client_for, outsider, teacher, session):
    enrolment = enrol(teacher, session, state=State.REQUESTED)
    client = client_for(outsider)
    assert get(client, f"/enrolments/{enrolment.pk}").status_code == 404
    for action, body in [
        ("approve", None),
        ("decline", {"reason": "Non"}),
        ("confirm", None),
        ("cancel", {"reason": "Non"}),
    ]:
        assert post(client, f"/enrolments/{enrolment.pk}/{action}", body).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.state == "requested"


NOT_FOUND = "Demande d'inscription introuvable."


def test_bulk_approval(client_for, head, teacher, colleague, lycee_teacher, make_session):
    roomy = make_session(approval="head")
    full = make_session(approval="head", capacity=1, waitlist=False)
    enrol(lycee_teacher, full)
    mine = enrol(teacher, roomy, state=State.REQUESTED)
    refused = enrol(colleague, full, state=State.REQUESTED)
    foreign = enrol(lycee_teacher, roomy, state=State.REQUESTED)
    ids = [mine.pk, refused.pk, foreign.pk, 999999]
    response = post(client_for(head), "/enrolments/approve", {"ids": ids})
    assert response.status_code == 200
    # The other school's request and the unknown id are refused alike: nothing tells
    # the head that the first one exists.
    assert response.json() == {
        "done": [mine.pk],
        "refused": [
            {
                "id": refused.pk,
                "detail": "Cette session est complète et n'a pas de liste d'attente.",
            },
            {"id": foreign.pk, "detail": NOT_FOUND},
            {"id": 999999, "detail": NOT_FOUND},
        ],
    }
    states = dict(Enrolment.objects.values_list("pk", "state"))
    assert (states[mine.pk], states[refused.pk], states[foreign.pk]) == (
        "booked",
        "requested",
        "requested",
    )


def test_bulk_approval_gives_the_reason_of_a_request_in_scope(
    client_for, head, teacher, colleague, session
):
    decided = enrol(teacher, session, state=State.BOOKED)
    waiting = enrol(colleague, session, state=State.REQUESTED)
    ids = [decided.pk, waiting.pk, decided.pk]
    response = post(client_for(head), "/enrolments/approve", {"ids": ids})
    assert response.status_code == 200
    assert response.json() == {
        "done": [waiting.pk],
        "refused": [{"id": decided.pk, "detail": "Cette demande n'est plus en attente (Inscrit)."}],
    }


def test_bulk_approval_by_the_outsider_does_nothing(client_for, outsider, teacher, session):
    enrolment = enrol(teacher, session, state=State.REQUESTED)
    response = post(client_for(outsider), "/enrolments/approve", {"ids": [enrolment.pk, 999999]})
    assert response.json() == {
        "done": [],
        "refused": [{"id": enrolment.pk, "detail": NOT_FOUND}, {"id": 999999, "detail": NOT_FOUND}],
    }
    enrolment.refresh_from_db()
    assert enrolment.state == "requested"


# --- Bookings (public désigné) --------------------------------------------------------


def test_manager_books_a_person(client_for, manager, teacher, programme, session):
    Programme.objects.filter(pk=programme.pk).update(kind="designated")
    response = post(
        client_for(manager),
        f"/sessions/{session.pk}/bookings",
        {"staff_id": teacher.staff.staff_id},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["state"], response.json()["staff_name"]) == ("booked", "Claire Martin")
    event = Enrolment.objects.get().events.last()
    assert event.reason == f"Inscription par {manager.get_full_name()}"


def test_head_books_his_own_staff_only(
    client_for, head, teacher, lycee_teacher, session, programme
):
    client = client_for(head)
    refused = post(client, f"/sessions/{session.pk}/bookings", {"staff_id": teacher.staff.staff_id})
    assert refused.status_code == 403  # not a public désigné session: the teacher asks
    Programme.objects.filter(pk=programme.pk).update(kind="designated")
    other = post(
        client, f"/sessions/{session.pk}/bookings", {"staff_id": lycee_teacher.staff.staff_id}
    )
    assert other.status_code == 404
    response = post(
        client, f"/sessions/{session.pk}/bookings", {"staff_id": teacher.staff.staff_id}
    )
    assert response.status_code == 201
    assert list(Enrolment.objects.values_list("staff__user__username", flat=True)) == ["teacher"]


def test_teacher_cannot_book_anyone(client_for, teacher, session):
    response = post(
        client_for(teacher),
        f"/sessions/{session.pk}/bookings",
        {"staff_id": teacher.staff.staff_id},
    )
    assert_refused(response, 403, "Vous ne pouvez pas inscrire cette personne.")
    assert not Enrolment.objects.exists()


def test_outsider_cannot_book(client_for, outsider, teacher, session):
    response = post(
        client_for(outsider),
        f"/sessions/{session.pk}/bookings",
        {"staff_id": teacher.staff.staff_id},
    )
    assert response.status_code == 404
    assert not Enrolment.objects.exists()


# --- Lists of enrolments, queues, roster ----------------------------------------------


def test_enrolment_lists_are_scoped_and_filtered(
    client_for, teacher, colleague, lycee_teacher, head, outsider, make_session
):
    first, second = make_session(), make_session()
    a = enrol(teacher, first)
    b = enrol(colleague, second, state=State.REQUESTED)
    enrol(lycee_teacher, first)
    assert [e["id"] for e in get(client_for(teacher), "/enrolments").json()["items"]] == [a.pk]
    client = client_for(head)
    assert {e["id"] for e in get(client, "/enrolments").json()["items"]} == {a.pk, b.pk}
    assert [e["id"] for e in get(client, "/enrolments", state="requested").json()["items"]] == [
        b.pk
    ]
    assert [e["id"] for e in get(client, "/enrolments", session=first.pk).json()["items"]] == [a.pk]
    assert get(client_for(outsider), "/enrolments").json()["count"] == 0


def test_enrolment_detail_shows_its_history(client_for, teacher, head, session):
    client = client_for(teacher)
    enrolment_id = post(client, f"/sessions/{session.pk}/enrolments").json()["id"]
    post(client_for(head), f"/enrolments/{enrolment_id}/decline", {"reason": "Examens"})
    body = get(client_for(teacher), f"/enrolments/{enrolment_id}").json()
    assert body["state"] == "declined"
    assert [(e["from_state"], e["to_state"], e["actor"], e["reason"]) for e in body["events"]] == [
        ("", "requested", "Claire Martin", ""),
        ("requested", "declined", head.get_full_name(), "Examens"),
    ]
    assert all(e["at"] for e in body["events"])


def test_approval_queue_of_the_head(client_for, head, teacher, lycee_teacher, outsider, session):
    mine = enrol(teacher, session, state=State.REQUESTED)
    enrol(lycee_teacher, session, state=State.REQUESTED)
    body = get(client_for(head), "/approvals").json()
    assert [e["id"] for e in body["items"]] == [mine.pk]
    assert get(client_for(outsider), "/approvals").json()["count"] == 0


@pytest.mark.parametrize("n_requests", [2, 12])
def test_approval_queue_queries_do_not_grow_with_rows(
    client_for, head, make_user, school, make_session, n_requests, django_assert_max_num_queries
):
    for _ in range(n_requests):
        enrol(make_user(school=school), make_session(), state=State.REQUESTED)
    client = client_for(head)
    with django_assert_max_num_queries(5):
        body = get(client, "/approvals").json()
    assert body["count"] == n_requests


def test_confirmation_queue_is_the_rectorates(client_for, manager, head, teacher, make_session):
    session = make_session(approval="head_then_rectorate")
    enrolment = enrol(teacher, session, state=State.APPROVED, head_approved_at=timezone.now())
    assert [e["id"] for e in get(client_for(manager), "/confirmations").json()["items"]] == [
        enrolment.pk
    ]
    assert get(client_for(head), "/confirmations").json()["count"] == 0


def test_roster_for_the_trainer(
    client_for, trainer, teacher, colleague, make_user, school, make_session
):
    session = make_session(capacity=1)
    session.trainers.add(trainer)
    second = make_user("second", school=school, first_name="Zoé", last_name="Aubry")
    enrol(colleague, session, state=State.WAITLISTED, waitlisted_at=at(-2))
    enrol(second, session, state=State.WAITLISTED, waitlisted_at=at(-1))
    enrol(teacher, session)
    enrol(make_user(school=school), session, state=State.CANCELLED)
    body = get(client_for(trainer), f"/sessions/{session.pk}/roster").json()
    assert [(e["name"], e["state"]) for e in body["items"]] == [
        ("Claire Martin", "booked"),
        ("Paul Durand", "waitlisted"),
        ("Zoé Aubry", "waitlisted"),
    ]
    assert body["items"][0]["school_uai"] == "0783288A"
    assert body["items"][0]["email"] == "teacher@example.org"


def test_roster_is_hidden_from_others(client_for, teacher, trainer, head, outsider, session):
    enrol(teacher, session)
    # The teacher, his head and a trainer of the académie see the session, not its roster.
    for user in (teacher, head, trainer, outsider):
        assert get(client_for(user), f"/sessions/{session.pk}/roster").status_code == 404


def test_roster_for_the_rectorate(client_for, auditor, teacher, session):
    enrol(teacher, session)
    assert get(client_for(auditor), f"/sessions/{session.pk}/roster").json()["count"] == 1


@pytest.mark.parametrize("n_people", [2, 12])
def test_roster_queries_do_not_grow_with_rows(
    client_for, manager, make_user, school, make_session, n_people, django_assert_max_num_queries
):
    session = make_session(capacity=n_people)
    for _ in range(n_people):
        enrol(make_user(school=school), session)
    client = client_for(manager)
    with django_assert_max_num_queries(7):
        body = get(client, f"/sessions/{session.pk}/roster").json()
    assert body["count"] == n_people


def test_manager_of_another_academie_cannot_see_versailles(
    client_for, make_user, other_academy, teacher, session
):
    paris_manager = make_user(role=RoleMembership.Role.MANAGER, academy=other_academy)
    enrolment = enrol(teacher, session, state=State.REQUESTED)
    client = client_for(paris_manager)
    assert get(client, f"/sessions/{session.pk}").status_code == 404
    assert get(client, f"/enrolments/{enrolment.pk}").status_code == 404
    assert post(client, f"/sessions/{session.pk}/publish").status_code == 404
