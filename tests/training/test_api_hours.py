"""Attendance, the hours record and C2i2e evidence through the API (``/api/training/``):
each endpoint for the role allowed and for the outsider, each refusal with its status,
its French message and the ledger left as it was."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import CURRENT_YEAR, at
from training import services
from training.models import (
    Attendance,
    Domain,
    Enrolment,
    HoursEntry,
    Item,
    ItemEvidence,
    Slot,
    Staff,
    TeachingSituation,
)
from training.records import C2I2E

pytestmark = pytest.mark.django_db

API = "/api/training"
YEAR = {"school_year": CURRENT_YEAR}


def post(client, url, data=None):
    return client.post(f"{API}{url}", data or {}, content_type="application/json")


def put(client, url, data):
    return client.put(f"{API}{url}", data, content_type="application/json")


def get(client, url, **params):
    return client.get(f"{API}{url}", params)


def book(user, session):
    return Enrolment.objects.create(session=session, staff=user.staff, state=Enrolment.State.BOOKED)


def ledger():
    return list(HoursEntry.objects.order_by("pk").values_list("pk", "staff_id", "minutes"))


@pytest.fixture
def colleague(make_user, school):
    return make_user("colleague", school=school, first_name="Paul", last_name="Durand")


@pytest.fixture
def past_session(make_session, trainer, teacher, colleague):
    """A session whose 3-hour in-person slot was two days ago, the trainer's, with the
    teacher and a colleague booked."""
    session = make_session(days=-2)
    session.trainers.add(trainer)
    book(teacher, session)
    book(colleague, session)
    return session


@pytest.fixture
def slot(past_session):
    return past_session.slots.get()


def add_slot(session, modality, days, hours, **fields):
    return Slot.objects.create(
        session=session,
        modality=modality,
        start=at(days, 14),
        end=at(days, 14 + hours),
        **fields,
    )


def sheet_url(slot):
    return f"/slots/{slot.pk}/attendance"


# --- Attendance -----------------------------------------------------------------------


def test_trainer_records_attendance_into_the_ledger(client_for, trainer, teacher, colleague, slot):
    client = client_for(trainer)
    response = get(client, sheet_url(slot))
    assert response.status_code == 200, response.content
    assert [line["staff_id"] for line in response.json()["lines"]] == [
        colleague.staff.staff_id,  # Durand
        teacher.staff.staff_id,  # Martin
    ]
    assert all(line["status"] is None for line in response.json()["lines"])

    marks = [
        {"staff_id": teacher.staff.staff_id, "status": "present"},
        {"staff_id": colleague.staff.staff_id, "status": "partial", "minutes": 60},
    ]
    response = put(client, sheet_url(slot), {"marks": marks})
    assert response.status_code == 200, response.content
    lines = {line["staff_id"]: line for line in response.json()["lines"]}
    assert lines[teacher.staff.staff_id]["credited_minutes"] == 180
    assert lines[colleague.staff.staff_id]["status"] == "partial"
    assert lines[colleague.staff.staff_id]["credited_minutes"] == 60
    entries = HoursEntry.objects.filter(slot=slot)
    assert sorted(entries.values_list("staff__staff_id", "minutes", "source")) == sorted(
        [
            (teacher.staff.staff_id, 180, "attendance"),
            (colleague.staff.staff_id, 60, "attendance"),
        ]
    )
    assert set(entries.values_list("author", flat=True)) == {trainer.pk}


def test_all_present(client_for, trainer, teacher, colleague, slot):
    response = post(client_for(trainer), f"{sheet_url(slot)}/all-present")
    assert response.status_code == 200, response.content
    assert {line["credited_minutes"] for line in response.json()["lines"]} == {180}
    assert HoursEntry.objects.filter(slot=slot).count() == 2


def test_manager_may_correct_a_sheet(client_for, manager, teacher, slot):
    marks = [{"staff_id": teacher.staff.staff_id, "status": "present"}]
    response = put(client_for(manager), sheet_url(slot), {"marks": marks})
    assert response.status_code == 200, response.content
    assert ledger()[0][2] == 180


def test_partial_above_the_slot_length_is_refused(client_for, trainer, teacher, colleague, slot):
    before = ledger()
    marks = [
        {"staff_id": colleague.staff.staff_id, "status": "present"},
        {"staff_id": teacher.staff.staff_id, "status": "partial", "minutes": 200},
    ]
    response = put(client_for(trainer), sheet_url(slot), {"marks": marks})
    assert response.status_code in (400, 422)
    assert "présence partielle" in response.json()["detail"]
    assert ledger() == before
    assert not Attendance.objects.exists()


def test_negative_minutes_are_an_invalid_field(client_for, trainer, teacher, slot):
    marks = [{"staff_id": teacher.staff.staff_id, "status": "partial", "minutes": -5}]
    response = put(client_for(trainer), sheet_url(slot), {"marks": marks})
    assert response.status_code == 422
    assert ledger() == []


@pytest.mark.parametrize("who", ["not_booked", "unknown"])
def test_a_person_not_booked_is_refused(client_for, make_user, school, trainer, teacher, slot, who):
    staff_id = make_user(school=school).staff.staff_id if who == "not_booked" else "NOPE42"
    marks = [
        {"staff_id": teacher.staff.staff_id, "status": "present"},
        {"staff_id": staff_id, "status": "present"},
    ]
    response = put(client_for(trainer), sheet_url(slot), {"marks": marks})
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Une personne de la feuille n'est pas inscrite à cette session."
    )
    assert ledger() == []


def test_non_trainer_is_forbidden(client_for, teacher, slot):
    client = client_for(teacher)  # booked: he sees the session, not its sheet
    marks = [{"staff_id": teacher.staff.staff_id, "status": "present"}]
    for response in (
        get(client, sheet_url(slot)),
        put(client, sheet_url(slot), {"marks": marks}),
        post(client, f"{sheet_url(slot)}/all-present"),
    ):
        assert response.status_code == 403
        assert "formateurs" in response.json()["detail"]
    assert ledger() == []


def test_slot_not_started_yet(client_for, trainer, teacher, past_session):
    later = add_slot(past_session, "in_person", 5, 2)
    marks = [{"staff_id": teacher.staff.staff_id, "status": "present"}]
    response = put(client_for(trainer), sheet_url(later), {"marks": marks})
    assert response.status_code == 409
    assert response.json()["detail"] == "La séance n'a pas encore commencé."


def test_outsider_gets_404_everywhere(client_for, outsider, trainer, teacher, slot, past_session):
    online = add_slot(past_session, "self_paced", -1, 2)
    services.declare_work(user=teacher, slot=online, minutes=30)
    attendance = Attendance.objects.get(slot=online)
    client = client_for(outsider)
    staff_id = teacher.staff.staff_id
    marks = [{"staff_id": staff_id, "status": "present"}]
    responses = [
        get(client, sheet_url(slot)),
        put(client, sheet_url(slot), {"marks": marks}),
        post(client, f"{sheet_url(slot)}/all-present"),
        post(client, f"/slots/{online.pk}/declaration", {"minutes": 10}),
        post(client, f"/attendances/{attendance.pk}/review", {"accept": True}),
        get(client, f"/staff/{staff_id}/record", **YEAR),
        post(client, f"/staff/{staff_id}/items/validate", {"items": ["A.1-1"]}),
        get(client, "/hours", school="0783288A", **YEAR),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    assert ledger() == []
    assert Attendance.objects.get(pk=attendance.pk).status == "declared"
    assert not ItemEvidence.objects.exists()


# --- Online work: declaration and review ----------------------------------------------


def test_declaration_then_review(client_for, trainer, teacher, past_session):
    online = add_slot(past_session, "self_paced", -1, 3, credited_minutes=120)
    response = post(client_for(teacher), f"/slots/{online.pk}/declaration", {"minutes": 90})
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "declared"
    assert response.json()["staff_id"] == teacher.staff.staff_id
    assert ledger() == []

    response = post(
        client_for(trainer), f"/attendances/{response.json()['id']}/review", {"accept": True}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "present"
    assert response.json()["minutes"] == 90
    assert [(e[1], e[2]) for e in ledger()] == [(teacher.staff.pk, 90)]


def test_review_by_a_non_trainer_is_forbidden(client_for, teacher, colleague, past_session):
    online = add_slot(past_session, "self_paced", -1, 3)
    attendance = services.declare_work(user=teacher, slot=online, minutes=30)
    response = post(client_for(colleague), f"/attendances/{attendance.pk}/review", {"accept": True})
    assert response.status_code == 403
    assert ledger() == []


def test_declaration_before_the_work_opens(client_for, teacher, past_session):
    online = add_slot(past_session, "self_paced", 3, 2)
    response = post(client_for(teacher), f"/slots/{online.pk}/declaration", {"minutes": 30})
    assert response.status_code == 409
    assert response.json()["detail"].startswith("Ce travail en ligne ouvre le ")
    assert not Attendance.objects.exists()


# --- Records --------------------------------------------------------------------------


def test_record_totals_match_attendance_for_each_modality(
    client_for, trainer, teacher, slot, past_session
):
    virtual = add_slot(past_session, "virtual", -1, 1, video_url="https://visio.example.org/1")
    online = add_slot(past_session, "self_paced", -1, 3, credited_minutes=120)
    staff_id = teacher.staff.staff_id
    client = client_for(trainer)
    response = put(
        client, sheet_url(slot), {"marks": [{"staff_id": staff_id, "status": "present"}]}
    )
    assert response.status_code == 200
    marks = [{"staff_id": staff_id, "status": "partial", "minutes": 45}]
    assert put(client, sheet_url(virtual), {"marks": marks}).status_code == 200
    attendance = services.declare_work(user=teacher, slot=online, minutes=100)
    assert post(client, f"/attendances/{attendance.pk}/review", {"accept": True}).status_code == 200

    response = get(client_for(teacher), "/record", **YEAR)
    assert response.status_code == 200, response.content
    record = response.json()
    expected = {"in_person": 180, "virtual": 45, "self_paced": 100}
    for modality, minutes in expected.items():
        marked = sum(
            Attendance.objects.filter(staff=teacher.staff, slot__modality=modality).values_list(
                "minutes", flat=True
            )
        )
        assert record["by_modality"][modality] == marked == minutes
    assert record["total_minutes"] == 325
    assert record["by_priority"] == [
        {"title": past_session.module.programme.priority.title, "minutes": 325}
    ]
    assert sorted((line["slot_id"], line["minutes"]) for line in record["lines"]) == sorted(
        [(slot.pk, 180), (virtual.pk, 45), (online.pk, 100)]
    )
    assert {line["session_id"] for line in record["lines"]} == {past_session.pk}
    # The trainer (who trains him) and the manager see the same record.
    assert get(client, f"/staff/{staff_id}/record", **YEAR).json() == record


def test_record_of_staff_outside_scope(client_for, trainer, make_user, other_school):
    stranger = make_user(school=other_school)  # same académie, not trained by him
    response = get(client_for(trainer), f"/staff/{stranger.staff.staff_id}/record", **YEAR)
    assert response.status_code == 404
    assert get(client_for(trainer), "/staff/NOPE/record", **YEAR).status_code == 404


def test_unknown_school_year_is_invalid(client_for, teacher):
    response = get(client_for(teacher), "/record", school_year="1999-2000")
    assert response.status_code == 422
    assert "Année scolaire inconnue" in str(response.json()["detail"])


def test_correction_keeps_history(client_for, trainer, teacher, slot):
    client = client_for(trainer)
    staff_id = teacher.staff.staff_id
    put(client, sheet_url(slot), {"marks": [{"staff_id": staff_id, "status": "present"}]})
    marks = [{"staff_id": staff_id, "status": "partial", "minutes": 60}]

    response = put(client, sheet_url(slot), {"marks": marks})
    assert response.status_code == 400
    assert "motif" in response.json()["detail"]
    assert [e[2] for e in ledger()] == [180]

    response = put(client, sheet_url(slot), {"marks": marks, "reason": "Parti à 10 h"})
    assert response.status_code == 200, response.content
    entries = list(HoursEntry.objects.filter(staff=teacher.staff).order_by("pk"))
    assert [(e.minutes, e.source) for e in entries] == [
        (180, "attendance"),
        (-180, "correction"),
        (60, "attendance"),
    ]
    assert entries[1].reason == entries[2].reason == "Parti à 10 h"
    assert get(client_for(teacher), "/record", **YEAR).json()["total_minutes"] == 60


def test_closed_year_refuses_any_change(
    client_for, national, trainer, teacher, slot, past_session, current_year
):
    online = add_slot(past_session, "self_paced", -1, 3)
    attendance = services.declare_work(user=teacher, slot=online, minutes=30)
    staff_id = teacher.staff.staff_id
    put(
        client_for(trainer),
        sheet_url(slot),
        {"marks": [{"staff_id": staff_id, "status": "present"}]},
    )
    services.close_school_year(user=national, school_year=current_year)
    before = ledger()

    marks = [{"staff_id": staff_id, "status": "absent"}]
    responses = [
        put(client_for(trainer), sheet_url(slot), {"marks": marks, "reason": "Erreur"}),
        post(client_for(trainer), f"{sheet_url(slot)}/all-present"),
        post(client_for(trainer), f"/attendances/{attendance.pk}/review", {"accept": True}),
        post(client_for(teacher), f"/slots/{online.pk}/declaration", {"minutes": 60}),
    ]
    for response in responses:
        assert response.status_code == 409, response.content
        assert "est close" in response.json()["detail"]
    assert ledger() == before
    assert Attendance.objects.get(slot=slot).status == "present"
    record = get(client_for(teacher), "/record", **YEAR).json()
    assert record["closed"] is True
    assert record["total_minutes"] == 180


# --- C2i2e ----------------------------------------------------------------------------


def _codes_by_domain():
    return [
        list(Item.objects.filter(domain=domain).order_by("order").values_list("code", flat=True))
        for domain in Domain.objects.filter(framework__code=C2I2E).order_by("order")
    ]


def _validated_set(total: int, *, three_missing_in_first: bool = False) -> list[str]:
    """``total`` codes validated, the missing ones spread at most two per competence, or
    three in the first competence with enough items."""
    domains = _codes_by_domain()
    missing = []
    if three_missing_in_first:
        first = next(d for d in domains if len(d) >= 3)
        missing += first[:3]
        domains = [d for d in domains if d is not first]
    to_miss = sum(len(d) for d in _codes_by_domain()) - total - len(missing)
    for codes in domains:
        take = min(2, to_miss)
        missing += codes[:take]
        to_miss -= take
    assert to_miss == 0, "the reference framework is too small for this case"
    return [c for d in _codes_by_domain() for c in d if c not in missing]


def _validate(staff: Staff, codes: list[str], author) -> None:
    for item in Item.objects.filter(domain__framework__code=C2I2E, code__in=codes):
        ItemEvidence.objects.create(
            staff=staff, item=item, state="validated", source="trainer", author=author
        )


@pytest.mark.parametrize(
    ("validated", "three_missing", "situation", "eligible", "still_needed"),
    [
        (22, False, True, False, 1),
        (23, False, True, True, 0),
        (23, True, True, False, 0),
        # The arrêté also asks for a teaching or training situation led by the candidate.
        (23, False, False, False, 0),
    ],
)
def test_c2i2e_rule_in_the_record(
    client_for, trainer, teacher, validated, three_missing, situation, eligible, still_needed
):
    _validate(
        teacher.staff, _validated_set(validated, three_missing_in_first=three_missing), trainer
    )
    if situation:
        TeachingSituation.objects.create(
            staff=teacher.staff, date=dt.date(2011, 3, 1), group="4e B", validated_by=trainer
        )
    response = get(client_for(teacher), "/record", **YEAR)
    assert response.status_code == 200, response.content
    c2i2e = response.json()["c2i2e"]
    assert c2i2e["validated"] == validated
    assert c2i2e["eligible"] is eligible
    assert c2i2e["still_needed"] == still_needed
    assert c2i2e["min_validated_items"] == 23
    worst = max(d["missing"] for d in c2i2e["domains"])
    assert worst == (3 if three_missing else 2)
    for domain in c2i2e["domains"]:
        assert domain["validated"] + domain["missing"] == domain["total"]
        assert len(domain["missing_items"]) == domain["missing"]
        assert domain["ok"] is (domain["missing"] <= 2)


def test_trainer_validates_items(client_for, trainer, teacher, past_session):
    url = f"/staff/{teacher.staff.staff_id}/items/validate"
    payload = {"items": ["A.1-1", "B.1-2"], "session_id": past_session.pk}
    response = post(client_for(trainer), url, payload)
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 2}
    assert post(client_for(trainer), url, payload).json() == {"count": 0}
    evidence = ItemEvidence.objects.filter(staff=teacher.staff, state="validated")
    assert set(evidence.values_list("item__code", flat=True)) == {"A.1-1", "B.1-2"}
    record = get(client_for(teacher), "/record", **YEAR).json()
    assert record["c2i2e"]["validated"] == 2


def test_validation_refusals(client_for, manager, trainer, teacher, past_session):
    url = f"/staff/{teacher.staff.staff_id}/items/validate"
    response = post(client_for(manager), url, {"items": ["A.1-1"]})  # sees, does not train
    assert response.status_code == 403
    assert "ne formez pas" in response.json()["detail"]
    response = post(client_for(trainer), url, {"items": ["Z.9-9"]})
    assert response.status_code == 422
    assert "Item C2i2e inconnu : Z.9-9." in str(response.json()["detail"])
    assert not ItemEvidence.objects.exists()


def test_teacher_positions_himself(client_for, teacher):
    response = post(client_for(teacher), "/items/position", {"items": ["A.1-1", "A.2-1"]})
    assert response.status_code == 200, response.content
    assert response.json() == {"count": 2}
    states = ItemEvidence.objects.filter(staff=teacher.staff).values_list("state", flat=True)
    assert set(states) == {"positioned"}


# --- Hours of a list of people ----------------------------------------------------------


def _credit(staff: Staff, slot: Slot, minutes: int, author) -> None:
    programme = slot.session.module.programme
    HoursEntry.objects.create(
        staff=staff,
        slot=slot,
        minutes=minutes,
        priority=programme.priority,
        modality=slot.modality,
        school_year=programme.school_year,
        source="attendance",
        author=author,
    )


def test_hours_list_scoped_and_filtered(
    client_for, head, manager, teacher, colleague, slot, trainer
):
    _credit(teacher.staff, slot, 180, trainer)
    _credit(colleague.staff, slot, 60, trainer)
    _validate(teacher.staff, ["A.1-1", "A.1-2"], trainer)

    response = get(client_for(head), "/hours", **YEAR)
    assert response.status_code == 200, response.content
    rows = {row["staff_id"]: row for row in response.json()["items"]}
    assert set(rows) == {teacher.staff.staff_id, colleague.staff.staff_id}
    assert rows[teacher.staff.staff_id]["minutes"] == 180
    assert rows[teacher.staff.staff_id]["validated_items"] == 2
    assert rows[colleague.staff.staff_id]["minutes"] == 60

    # The manager sees the académie (the trainer's lycée too), filtered by school.
    response = get(client_for(manager), "/hours", school="0783288a", **YEAR)
    assert response.json()["count"] == 2
    assert get(client_for(manager), "/hours", **YEAR).json()["count"] == 3
    # A teacher sees himself only.
    items = get(client_for(teacher), "/hours", **YEAR).json()["items"]
    assert [row["staff_id"] for row in items] == [teacher.staff.staff_id]


def test_hours_list_in_constant_queries(client_for, make_user, school, manager, slot, trainer):
    client = client_for(manager)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = get(client, "/hours", school=school.uai, page_size=100, **YEAR)
        assert response.status_code == 200
        assert response.json()["count"] == Staff.objects.filter(school=school).count()
        return len(ctx.captured_queries)

    def grow(n: int) -> None:
        for _ in range(n):
            staff = make_user(school=school).staff
            _credit(staff, slot, 30, trainer)
            _validate(staff, ["A.1-1"], trainer)

    grow(3)
    small = count_queries()
    grow(20)
    assert count_queries() == small


def test_record_in_constant_queries(client_for, trainer, teacher, past_session, slot):
    client = client_for(trainer)
    url = f"/staff/{teacher.staff.staff_id}/record"

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = get(client, url, **YEAR)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _credit(teacher.staff, slot, 180, trainer)
    small = count_queries()
    for days in range(3, 13):
        _credit(teacher.staff, add_slot(past_session, "virtual", -days, 1), 60, trainer)
    assert count_queries() == small
