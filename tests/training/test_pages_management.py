"""The pages of heads and the rectorate: approval queue, session editor, roster, booking
of designated staff."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tests.conftest import at, make_school
from training import services
from training.models import (
    Enrolment,
    Module,
    Programme,
    RoleMembership,
    Session,
    Slot,
)

pytestmark = pytest.mark.django_db
State = Enrolment.State


def text(response) -> str:
    return html.unescape(response.content.decode())


def request(user, session):
    return services.request_enrolment(user=user, session=session, staff=user.staff)


def rows(table) -> list:
    return [row.record for row in table.page.object_list]


def local_input(moment) -> str:
    """A datetime as the browser's datetime-local field sends it (Paris time)."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def teachers(make_user, school):
    return [make_user(f"t{i}", school=school) for i in range(3)]


@pytest.fixture
def other_head(make_user, other_school):
    """The head of the lycée of the same académie: not the teacher's head."""
    user = make_user("other-head")
    RoleMembership.objects.create(user=user, role=RoleMembership.Role.HEAD, school=other_school)
    return user


# --- Approval queue -------------------------------------------------------------------


def test_head_sees_the_requests_of_his_staff(client_for, head, teacher, session):
    enrolment = request(teacher, session)
    response = client_for(head).get("/validation/")
    assert response.status_code == 200
    assert rows(response.context["approvals"]) == [enrolment]
    assert response.context["confirmations"] is None
    page = text(response)
    assert "Claire Martin" in page
    assert f'name="ids" value="{enrolment.pk}"' in page


def test_queue_is_404_for_a_teacher(client_for, teacher):
    assert client_for(teacher).get("/validation/").status_code == 404
    assert (
        client_for(teacher).post("/validation/decision/", {"action": "approve"}).status_code == 404
    )


def test_outsider_head_sees_an_empty_queue(client_for, outsider, teacher, session):
    request(teacher, session)
    response = client_for(outsider).get("/validation/")
    assert response.status_code == 200
    assert rows(response.context["approvals"]) == []
    assert "Claire Martin" not in text(response)


def test_head_approves_one_request_and_the_seat_is_booked(client_for, head, teacher, session):
    enrolment = request(teacher, session)
    response = client_for(head).post(
        "/validation/decision/", {"action": "approve", "ids": [enrolment.pk]}, follow=True
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.BOOKED
    assert "Validées : Claire Martin (Intégrer l'ENT, groupe 01) : Inscrit." in text(response)


def test_head_approves_in_bulk(client_for, head, teachers, session):
    enrolments = [request(t, session) for t in teachers]
    client_for(head).post(
        "/validation/decision/", {"action": "approve", "ids": [e.pk for e in enrolments]}
    )
    assert {e.state for e in Enrolment.objects.all()} == {State.BOOKED}


def test_bulk_approval_lists_each_refusal_with_its_reason(client_for, head, teachers, make_session):
    session = make_session(capacity=2, waitlist=False)
    enrolments = [request(t, session) for t in teachers]
    response = client_for(head).post(
        "/validation/decision/",
        {"action": "approve", "ids": [e.pk for e in enrolments]},
        follow=True,
    )
    states = sorted(Enrolment.objects.values_list("state", flat=True))
    assert states == ["booked", "booked", "requested"]
    page = text(response)
    assert "Validées :" in page
    assert "Non traitée : " in page
    assert "Cette session est complète et n'a pas de liste d'attente." in page


def test_decline_needs_a_reason(client_for, head, teacher, session):
    enrolment = request(teacher, session)
    response = client_for(head).post(
        "/validation/decision/", {"action": "decline", "ids": [enrolment.pk]}, follow=True
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.REQUESTED
    assert "Indiquez le motif du refus" in text(response)


def test_head_declines_with_a_reason(client_for, head, teacher, session):
    enrolment = request(teacher, session)
    response = client_for(head).post(
        "/validation/decision/",
        {"action": "decline", "ids": [enrolment.pk], "reason": "Conseils de classe"},
        follow=True,
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.DECLINED
    assert enrolment.reason == "Conseils de classe"
    assert "Refusées :" in text(response)


def test_outsider_cannot_approve_ids_are_ignored(client_for, outsider, teacher, session):
    enrolment = request(teacher, session)
    response = client_for(outsider).post(
        "/validation/decision/", {"action": "approve", "ids": [enrolment.pk]}, follow=True
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.REQUESTED
    assert "1 demande(s) ignorée(s)" in text(response)


def test_head_of_another_school_cannot_approve_or_decline(client_for, other_head, teacher, session):
    enrolment = request(teacher, session)
    client = client_for(other_head)
    client.post("/validation/decision/", {"action": "approve", "ids": [enrolment.pk]})
    client.post(
        "/validation/decision/", {"action": "decline", "ids": [enrolment.pk], "reason": "Non"}
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.REQUESTED
    assert enrolment.events.count() == 1


def test_crafted_ids_are_dropped_not_an_error(client_for, head, teacher, session):
    enrolment = request(teacher, session)
    client_for(head).post(
        "/validation/decision/", {"action": "approve", "ids": ["x", "", str(enrolment.pk)]}
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.BOOKED


def test_head_cannot_confirm_for_the_rectorate(client_for, head, teacher, make_session):
    session = make_session(approval="head_then_rectorate")
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    client_for(head).post("/validation/decision/", {"action": "confirm", "ids": [enrolment.pk]})
    enrolment.refresh_from_db()
    assert enrolment.state == State.APPROVED


def test_manager_confirms_what_the_head_approved(client_for, head, manager, teacher, make_session):
    session = make_session(approval="head_then_rectorate")
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    client = client_for(manager)
    response = client.get("/validation/")
    assert response.context["approvals"] is None
    assert rows(response.context["confirmations"]) == [enrolment]
    client.post("/validation/decision/", {"action": "confirm", "ids": [enrolment.pk]})
    enrolment.refresh_from_db()
    assert enrolment.state == State.BOOKED


@pytest.mark.parametrize("n_requests", [2, 15])
def test_queue_queries_do_not_grow_with_rows(
    client_for, head, make_user, school, make_session, n_requests, django_assert_max_num_queries
):
    for _i in range(n_requests):
        request(make_user(school=school), make_session())
    client = client_for(head)
    with django_assert_max_num_queries(9):
        response = client.get("/validation/")
    assert len(rows(response.context["approvals"])) == n_requests


# --- Session editor -------------------------------------------------------------------


def session_data(module, **overrides):
    data = {
        "module": module.pk,
        "group": "07",
        "capacity": 12,
        "waitlist_enabled": "on",
        "enrolment_opens": local_input(at(-1)),
        "enrolment_closes": local_input(at(20)),
        "approval": "head",
        "location": "Salle polyvalente",
        "promotion_cutoff_days": 2,
        "cancellation_cutoff_days": 1,
    }
    data.update(overrides)
    return data


def test_manager_creates_a_session(client_for, manager, trainer, module):
    response = client_for(manager).post(
        "/formations/sessions/nouvelle/",
        session_data(module, trainers=[trainer.pk], host_school_uai=""),
    )
    session = Session.objects.get(module=module, group="07")
    assert response.status_code == 302
    assert response["Location"] == f"/formations/sessions/{session.pk}/"
    assert session.status == Session.Status.DRAFT
    assert session.capacity == 12
    assert list(session.trainers.all()) == [trainer]
    assert timezone.localtime(session.enrolment_closes).hour == 9


def test_manager_adds_staff_of_the_academie_as_trainer_by_identifier(
    client_for, manager, referent, module
):
    client_for(manager).post(
        "/formations/sessions/nouvelle/",
        session_data(module, extra_trainers=referent.staff.staff_id),
    )
    assert list(Session.objects.get(group="07").trainers.all()) == [referent]


def test_session_form_lays_out_a_parcours_from_its_first_day(client_for, manager, programme):
    from training.models import ParcoursPhase, ParcoursTemplate

    template = ParcoursTemplate.objects.create(code="PF", title="Pairform@nce")
    ParcoursPhase.objects.create(
        template=template, order=1, title="Introduction", modality="in_person", minutes=180
    )
    ParcoursPhase.objects.create(
        template=template, order=2, title="Travail à distance", modality="self_paced",
        minutes=240, offset_days=7,
    )  # fmt: skip
    module = Module.objects.create(
        programme=programme, code="PF1", title="Parcours", parcours=template
    )
    first_day = timezone.localdate() + dt.timedelta(days=30)
    client_for(manager).post(
        "/formations/sessions/nouvelle/", session_data(module, first_day=first_day.isoformat())
    )
    session = Session.objects.get(module=module)
    assert [s.title for s in session.slots.all()] == ["Introduction", "Travail à distance"]


def test_session_form_offers_only_modules_of_the_managed_academie(
    client_for, manager, module, other_academy, school_year, priority
):
    paris = Programme.objects.create(
        academy=other_academy, school_year=school_year, code="10A0010001", title="Paris",
        priority=priority,
    )  # fmt: skip
    paris_module = Module.objects.create(programme=paris, code="P1", title="Module de Paris")
    client = client_for(manager)
    page = text(client.get("/formations/sessions/nouvelle/"))
    assert "Intégrer l'ENT" in page and "Module de Paris" not in page
    response = client.post("/formations/sessions/nouvelle/", session_data(paris_module))
    assert response.status_code == 200
    assert not Session.objects.filter(module=paris_module).exists()


def test_session_form_refuses_a_duplicate_group(client_for, manager, module, session):
    response = client_for(manager).post(
        "/formations/sessions/nouvelle/", session_data(module, group=session.group)
    )
    assert response.status_code == 200
    assert Session.objects.filter(module=module).count() == 1


def test_session_create_is_403_for_others(client_for, teacher, head, auditor, outsider):
    for user in (teacher, head, auditor, outsider):
        assert client_for(user).get("/formations/sessions/nouvelle/").status_code == 403


def test_manager_edits_a_session(client_for, manager, session):
    data = session_data(session.module, capacity=8, location="CDI")
    response = client_for(manager).post(f"/formations/sessions/{session.pk}/modifier/", data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.capacity == 8
    assert session.location == "CDI"


def test_manager_changes_the_trainers_of_a_session(client_for, manager, trainer, referent, session):
    session.trainers.set([trainer])
    client = client_for(manager)
    url = f"/formations/sessions/{session.pk}/modifier/"
    page = text(client.get(url))
    # DSFR checkboxes, the session's trainer ticked.
    assert re.search(rf'type="checkbox" name="trainers" value="{trainer.pk}"[^>]*checked', page)
    data = session_data(session.module, trainers=[trainer.pk])
    client.post(url, {**data, "extra_trainers": referent.staff.staff_id})
    assert set(session.trainers.all()) == {trainer, referent}
    client.post(url, {**data, "trainers": []})
    assert list(session.trainers.all()) == []


def test_capacity_below_the_booked_seats_is_refused_in_french(
    client_for, manager, teachers, make_session
):
    session = make_session(approval="none")
    for t in teachers[:2]:
        request(t, session)
    response = client_for(manager).post(
        f"/formations/sessions/{session.pk}/modifier/", session_data(session.module, capacity=1)
    )
    assert response.status_code == 200
    assert "Impossible de réduire à 1 places : 2 personnes sont déjà inscrites." in text(response)
    session.refresh_from_db()
    assert session.capacity == 3


def test_session_editor_is_403_for_those_who_see_it_and_404_for_the_outsider(
    client_for, teacher, auditor, trainer, outsider, session
):
    urls = [
        f"/formations/sessions/{session.pk}/modifier/",
        f"/formations/sessions/{session.pk}/seances/nouvelle/",
        f"/formations/sessions/{session.pk}/annuler/",
    ]
    for user in (teacher, auditor, trainer):
        client = client_for(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(f"/formations/sessions/{session.pk}/publier/").status_code == 403
    client = client_for(outsider)
    for url in urls:
        assert client.get(url).status_code == 404
    assert client.post(f"/formations/sessions/{session.pk}/publier/").status_code == 404


def test_manager_publishes_a_draft(client_for, manager, make_session):
    draft = make_session(status="draft")
    client_for(manager).post(f"/formations/sessions/{draft.pk}/publier/")
    draft.refresh_from_db()
    assert draft.status == Session.Status.PUBLISHED


def test_manager_cancels_a_session_with_a_reason(client_for, manager, teacher, make_session):
    session = make_session(approval="none")
    enrolment = request(teacher, session)
    client = client_for(manager)
    response = client.post(f"/formations/sessions/{session.pk}/annuler/", {"reason": ""})
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.status == Session.Status.PUBLISHED
    client.post(f"/formations/sessions/{session.pk}/annuler/", {"reason": "Formateur malade"})
    session.refresh_from_db()
    enrolment.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert enrolment.state == State.SESSION_CANCELLED


# --- Slots ----------------------------------------------------------------------------


def slot_data(**overrides):
    data = {
        "modality": "in_person",
        "title": "",
        "start": local_input(at(45, 9)),
        "end": local_input(at(45, 12)),
        "school_uai": "0920134W",
        "room": "A1",
    }
    data.update(overrides)
    return data


def test_manager_adds_a_slot(client_for, manager, session):
    response = client_for(manager).post(
        f"/formations/sessions/{session.pk}/seances/nouvelle/", slot_data()
    )
    assert response.status_code == 302
    slot = session.slots.get(room="A1")
    assert slot.start == at(45, 9)
    assert slot.school.uai == "0920134W"


def test_slot_conflict_names_the_other_slot_then_is_overridden_with_a_reason(
    client_for, manager, trainer, session, make_session
):
    session.trainers.set([trainer])
    other = make_session(days=50)
    other.trainers.set([trainer])
    client = client_for(manager)
    url = f"/formations/sessions/{other.pk}/seances/nouvelle/"
    clash = slot_data(start=local_input(at(30, 10)), end=local_input(at(30, 11)), room="C3")

    response = client.post(url, clash)
    assert response.status_code == 200
    page = text(response)
    assert "Un formateur de la session anime déjà « Intégrer l'ENT" in page
    assert timezone.localtime(at(30, 9)).strftime("%d/%m/%Y") in page
    assert not other.slots.filter(room="C3").exists()

    response = client.post(url, {**clash, "override": "on", "override_reason": ""})
    assert response.status_code == 200
    assert "Indiquez pourquoi vous passez outre le conflit." in text(response)

    response = client.post(
        url, {**clash, "override": "on", "override_reason": "Co-animation prévue"}
    )
    assert response.status_code == 302
    slot = other.slots.get(room="C3")
    assert slot.conflict_override_by == manager
    assert slot.conflict_override_reason == "Co-animation prévue"


def test_room_conflict_is_refused(client_for, manager, session, make_session):
    other = make_session(days=50)
    response = client_for(manager).post(
        f"/formations/sessions/{other.pk}/seances/nouvelle/",
        slot_data(start=local_input(at(30, 11)), end=local_input(at(30, 13)), room="B12"),
    )
    assert "La salle B12 est déjà occupée par « Intégrer l'ENT" in text(response)


def test_slot_in_the_holidays_gives_a_warning(client_for, manager, make_session, module_2010):
    session = make_session(module=module_2010)
    paris = dt.timezone(dt.timedelta(hours=1))
    response = client_for(manager).post(
        f"/formations/sessions/{session.pk}/seances/nouvelle/",
        slot_data(start="2010-12-22T09:00", end="2010-12-22T12:00"),
        follow=True,
    )
    assert session.slots.filter(start=dt.datetime(2010, 12, 22, 9, tzinfo=paris)).exists()
    assert "Attention : cette séance tombe pendant les vacances (Noël" in text(response)


def test_virtual_slot_needs_its_link(client_for, manager, session):
    response = client_for(manager).post(
        f"/formations/sessions/{session.pk}/seances/nouvelle/",
        slot_data(modality="virtual", school_uai="", room=""),
    )
    assert response.status_code == 200
    assert "Une classe virtuelle doit avoir son lien." in text(response)


def test_manager_moves_a_slot(client_for, manager, session):
    slot = session.slots.get()
    client = client_for(manager)
    page = text(client.get(f"/formations/seances/{slot.pk}/modifier/"))
    assert f'value="{local_input(slot.start)}"' in page
    response = client.post(
        f"/formations/seances/{slot.pk}/modifier/",
        slot_data(start=local_input(at(32, 14)), end=local_input(at(32, 17)), room="B12"),
    )
    assert response.status_code == 302
    slot.refresh_from_db()
    assert slot.start == at(32, 14)
    assert slot.sequence == 1


def test_manager_cancels_a_slot(client_for, manager, session):
    slot = session.slots.get()
    client_for(manager).post(f"/formations/seances/{slot.pk}/annuler/")
    slot.refresh_from_db()
    assert slot.status == Slot.Status.CANCELLED


def test_slot_pages_are_403_for_a_teacher_and_404_for_the_outsider(
    client_for, teacher, outsider, session
):
    slot = session.slots.get()
    assert client_for(teacher).get(f"/formations/seances/{slot.pk}/modifier/").status_code == 403
    assert client_for(teacher).post(f"/formations/seances/{slot.pk}/annuler/").status_code == 403
    assert client_for(outsider).get(f"/formations/seances/{slot.pk}/modifier/").status_code == 404
    assert client_for(outsider).post(f"/formations/seances/{slot.pk}/annuler/").status_code == 404
    slot.refresh_from_db()
    assert slot.status == Slot.Status.SCHEDULED


# --- Roster ---------------------------------------------------------------------------


def test_trainer_and_auditor_see_the_roster(client_for, trainer, auditor, teacher, make_session):
    session = make_session(approval="none")
    session.trainers.set([trainer])
    request(teacher, session)
    for user in (trainer, auditor):
        response = client_for(user).get(f"/formations/sessions/{session.pk}/participants/")
        assert response.status_code == 200
        assert "Martin" in text(response) and "Collège Jean Moulin" in text(response)


def test_roster_is_404_for_teacher_head_and_outsider(client_for, teacher, head, outsider, session):
    for user in (teacher, head, outsider):
        response = client_for(user).get(f"/formations/sessions/{session.pk}/participants/")
        assert response.status_code == 404


def test_roster_leaves_out_ended_enrolments_unless_asked(
    client_for, manager, teachers, make_session
):
    session = make_session(approval="none")
    kept, gone = (request(t, session) for t in teachers[:2])
    services.cancel_enrolment(user=teachers[1], enrolment=gone, reason="Malade")
    client = client_for(manager)
    url = f"/formations/sessions/{session.pk}/participants/"
    assert rows(client.get(url).context["table"]) == [kept]
    assert len(rows(client.get(url, {"tous": "1"}).context["table"])) == 2


def test_roster_exports_csv_for_french_spreadsheets(client_for, auditor, teacher, make_session):
    session = make_session(approval="none")
    request(teacher, session)
    response = client_for(auditor).get(
        f"/formations/sessions/{session.pk}/participants/", {"_export": "csv"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert lines[0][:3] == ["Nom", "Prénom", "Identifiant agent"]
    assert lines[1][:2] == ["Martin", "Claire"]
    assert "Inscrit" in lines[1]


def test_roster_exports_xlsx(client_for, manager, teacher, make_session):
    session = make_session(approval="none")
    request(teacher, session)
    response = client_for(manager).get(
        f"/formations/sessions/{session.pk}/participants/", {"_export": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:2] == ["Martin", "Claire"]


@pytest.mark.parametrize("n_enrolments", [2, 15])
def test_roster_queries_do_not_grow_with_rows(
    client_for, auditor, make_user, school, make_session, n_enrolments,
    django_assert_max_num_queries,
):  # fmt: skip
    session = make_session(capacity=20, approval="none")
    for _i in range(n_enrolments):
        request(make_user(school=school), session)
    client = client_for(auditor)
    with django_assert_max_num_queries(9):
        response = client.get(f"/formations/sessions/{session.pk}/participants/")
    assert len(rows(response.context["table"])) == n_enrolments


# --- Designated staff -----------------------------------------------------------------


@pytest.fixture
def designated_session(make_session, academy, school_year, priority):
    programme = Programme.objects.create(
        academy=academy, school_year=school_year, code="10A0250099", title="Désigné",
        priority=priority, kind=Programme.Kind.DESIGNATED,
    )  # fmt: skip
    module = Module.objects.create(programme=programme, code="D1", title="Formation désignée")
    return make_session(module=module)


def test_manager_books_a_person_by_staff_id(client_for, manager, teacher, designated_session):
    response = client_for(manager).post(
        f"/formations/sessions/{designated_session.pk}/designer/",
        {"staff_id": teacher.staff.staff_id},
        follow=True,
    )
    assert Enrolment.objects.get(session=designated_session).state == State.BOOKED
    assert (
        response.redirect_chain[-1][0]
        == f"/formations/sessions/{designated_session.pk}/participants/"
    )
    assert "Claire Martin : Inscrit." in text(response)


def test_head_books_his_own_staff_on_a_designated_session(
    client_for, head, teacher, designated_session
):
    client = client_for(head)
    page = text(client.get(f"/formations/sessions/{designated_session.pk}/"))
    assert f'action="/formations/sessions/{designated_session.pk}/designer/"' in page
    response = client.post(
        f"/formations/sessions/{designated_session.pk}/designer/",
        {"staff_id": teacher.staff.staff_id},
    )
    assert response["Location"] == f"/formations/sessions/{designated_session.pk}/"
    assert Enrolment.objects.get(session=designated_session).state == State.BOOKED


def test_head_cannot_book_staff_of_another_school(
    client_for, other_head, teacher, designated_session
):
    response = client_for(other_head).post(
        f"/formations/sessions/{designated_session.pk}/designer/",
        {"staff_id": teacher.staff.staff_id},
        follow=True,
    )
    assert "Aucun personnel que vous pouvez inscrire" in text(response)
    assert not Enrolment.objects.exists()


def test_booking_is_403_for_an_auditor_and_404_for_the_outsider(
    client_for, auditor, outsider, teacher, designated_session
):
    url = f"/formations/sessions/{designated_session.pk}/designer/"
    data = {"staff_id": teacher.staff.staff_id}
    assert client_for(auditor).post(url, data).status_code == 403
    assert client_for(outsider).post(url, data).status_code == 404
    assert not Enrolment.objects.exists()


def test_unknown_school_uai_is_refused_in_the_slot_form(
    client_for, manager, session, other_academy
):
    make_school(other_academy, "0750655E", "Collège de Paris")
    response = client_for(manager).post(
        f"/formations/sessions/{session.pk}/seances/nouvelle/", slot_data(school_uai="0750655E")
    )
    assert response.status_code == 200
    assert "Aucun établissement de votre académie n'a l'UAI 0750655E." in text(response)
