"""The pages of attendance, the hours ledger and C2i2e progress: the trainer's sheet,
online work, a teacher's record and attestation, validation of items, the follow-up."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io

import pytest
from django.db.models import Sum

from tests.conftest import CURRENT_YEAR, at
from training import services
from training.models import (
    Attendance,
    Enrolment,
    EnrolmentEvent,
    HoursEntry,
    HoursTarget,
    Item,
    ItemEvidence,
    Slot,
    TrainingPlan,
)

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def book(session, *users):
    for user in users:
        enrolment = Enrolment.objects.create(
            session=session, staff=user.staff, state=Enrolment.State.BOOKED
        )
        EnrolmentEvent.objects.create(enrolment=enrolment, to_state=Enrolment.State.BOOKED)


def ledger(user, slot) -> list[int]:
    return list(
        HoursEntry.objects.filter(staff=user.staff, slot=slot)
        .order_by("pk")
        .values_list("minutes", flat=True)
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def colleague(make_user, school):
    return make_user("colleague", school=school, first_name="Paul", last_name="Durand")


@pytest.fixture
def past(make_session, trainer, teacher, colleague):
    """A session of two days ago (one 3-hour slot), its trainer, two people booked."""
    session = make_session(days=-2, approval="none")
    session.trainers.add(trainer)
    book(session, teacher, colleague)
    return session


@pytest.fixture
def slot(past):
    return past.slots.get()


def sheet(slot) -> str:
    return f"/formations/seances/{slot.pk}/emargement/"


def fill(client, slot, **data):
    return client.post(sheet(slot), data, follow=True)


def test_trainer_marks_all_present_then_a_partial_presence(
    client_for, trainer, teacher, colleague, slot
):
    client = client_for(trainer)
    page = client.get(sheet(slot))
    assert page.status_code == 200
    assert "Claire Martin" in text(page) and "Tous présents" in text(page)

    response = fill(client, slot, action="all_present")
    assert "Feuille d'émargement enregistrée (2 ligne(s))." in messages_of(response)
    assert ledger(teacher, slot) == [180]
    assert ledger(colleague, slot) == [180]
    assert set(Attendance.objects.values_list("status", flat=True)) == {"present"}

    response = fill(
        client,
        slot,
        action="save",
        reason="Partie à 10 h 30",
        **{f"status-{teacher.staff.pk}": "partial", f"minutes-{teacher.staff.pk}": "90"},
        **{f"status-{colleague.staff.pk}": "present"},
    )
    assert "Feuille d'émargement enregistrée (1 ligne(s))." in messages_of(response)
    # A reversing entry and the new amount: the ledger is never edited.
    assert ledger(teacher, slot) == [180, -180, 90]
    assert ledger(colleague, slot) == [180]
    corrected = HoursEntry.objects.filter(staff=teacher.staff, minutes=-180).get()
    assert corrected.source == "correction" and corrected.reason == "Partie à 10 h 30"
    attendance = Attendance.objects.get(staff=teacher.staff)
    assert (attendance.status, attendance.minutes) == ("partial", 90)


def test_a_change_without_reason_is_refused_and_nothing_changes(
    client_for, trainer, teacher, colleague, slot
):
    client = client_for(trainer)
    fill(client, slot, action="all_present")
    response = fill(
        client,
        slot,
        action="save",
        **{f"status-{teacher.staff.pk}": "absent", f"status-{colleague.staff.pk}": "excused"},
    )
    assert "Indiquez le motif de la correction d'un émargement déjà saisi." in messages_of(response)
    assert ledger(teacher, slot) == [180] and ledger(colleague, slot) == [180]
    assert set(Attendance.objects.values_list("status", flat=True)) == {"present"}


def test_someone_not_booked_cannot_be_marked(client_for, trainer, teacher, outsider, slot):
    response = fill(
        client_for(trainer),
        slot,
        action="save",
        **{f"status-{teacher.staff.pk}": "present", f"status-{outsider.staff.pk}": "present"},
    )
    assert "Une personne de la feuille n'est pas inscrite à cette session." in messages_of(response)
    assert not Attendance.objects.exists() and not HoursEntry.objects.exists()


def test_a_partial_presence_needs_its_minutes(client_for, trainer, teacher, slot):
    response = fill(
        client_for(trainer), slot, action="save", **{f"status-{teacher.staff.pk}": "partial"}
    )
    assert any("présence partielle" in m for m in messages_of(response))
    assert not Attendance.objects.exists()


def test_sheet_of_a_slot_not_started_is_refused(client_for, trainer, teacher, make_session):
    session = make_session(approval="none")
    session.trainers.add(trainer)
    book(session, teacher)
    response = fill(client_for(trainer), session.slots.get(), action="all_present")
    assert "La séance n'a pas encore commencé." in messages_of(response)
    assert not Attendance.objects.exists()


def test_who_may_open_the_sheet(client_for, manager, auditor, head, teacher, outsider, slot):
    assert client_for(manager).get(sheet(slot)).status_code == 200
    # They see the session but do not take attendance.
    assert client_for(auditor).get(sheet(slot)).status_code == 403
    assert client_for(head).get(sheet(slot)).status_code == 403
    assert client_for(teacher).post(sheet(slot), {"action": "all_present"}).status_code == 403
    # The session is not his to see.
    assert client_for(outsider).get(sheet(slot)).status_code == 404
    assert client_for(outsider).post(sheet(slot), {"action": "all_present"}).status_code == 404
    assert not Attendance.objects.exists()


def test_session_page_links_the_sheet_for_trainers_only(client_for, trainer, teacher, slot):
    assert sheet(slot) in text(client_for(trainer).get(f"/formations/sessions/{slot.session_id}/"))
    assert sheet(slot) not in text(
        client_for(teacher).get(f"/formations/sessions/{slot.session_id}/")
    )


def test_online_work_is_declared_then_validated(client_for, trainer, teacher, past, slot):
    online = Slot.objects.create(
        session=past,
        modality="self_paced",
        start=at(-3, 12),
        end=at(5, 0),
        credited_minutes=120,
        title="Créer un espace de classe",
    )
    client = client_for(teacher)
    page = text(client.get(f"/formations/sessions/{past.pk}/"))
    assert "Déclarer le travail fait" in page
    response = client.post(f"/formations/seances/{online.pk}/declarer/", {"minutes": "90"})
    assert response.status_code == 302
    attendance = Attendance.objects.get(slot=online)
    assert (attendance.status, attendance.declared_minutes) == ("declared", 90)

    client = client_for(trainer)
    page = text(client.get(sheet(slot)))
    assert "Créer un espace de classe" in page and "1,5 h déclarées" in page
    review = f"/formations/declarations/{attendance.pk}/examiner/"
    response = client.post(review, {"decision": "reject"}, follow=True)
    assert "Indiquez le motif du refus : la personne le verra." in messages_of(response)
    client.post(review, {"decision": "accept", "next": sheet(slot)})
    assert ledger(teacher, online) == [90]
    assert Attendance.objects.get(pk=attendance.pk).status == "present"


# --- Record and attestation -----------------------------------------------------------


@pytest.fixture
def attended(client_for, trainer, slot):
    fill(client_for(trainer), slot, action="all_present")
    return slot


@pytest.fixture
def target(current_year):
    plan = TrainingPlan.objects.get(school_year=current_year)
    return HoursTarget.objects.create(
        plan=plan, degree=2, target_minutes=18 * 60, min_training_minutes=9 * 60
    )


def test_record_shows_the_hours_against_the_target(client_for, teacher, attended, target):
    response = client_for(teacher).get("/mon-parcours/")
    assert response.status_code == 200
    page = text(response)
    assert "3,0 h sur 18,0 h" in page
    assert "dont 9,0 h de formation au minimum" in page
    assert "Présentiel : 3,0 h" in page
    assert f'data-slot="{attended.pk}"' in page
    assert attended.session.module.title in page
    assert f"/mon-parcours/attestations/{attended.session_id}/" in page
    # Attending the module put its items in progress; none is validated yet.
    assert "Pas encore éligible à la certification." in page
    assert "(En cours)" in page
    assert CURRENT_YEAR in page


def test_record_shows_c2i2e_eligibility(client_for, teacher, trainer, attended):
    for item in Item.objects.filter(domain__framework__code="C2i2e-2011"):
        ItemEvidence.objects.update_or_create(
            staff=teacher.staff,
            item=item,
            defaults={"state": "validated", "source": "trainer", "author": trainer},
        )
    page = text(client_for(teacher).get("/mon-parcours/"))
    assert "Éligible à la certification." not in page  # no teaching situation yet
    services.record_situation(
        user=trainer, staff=teacher.staff, date=dt.date(2011, 3, 1), group="4e B"
    )
    page = text(client_for(teacher).get("/mon-parcours/"))
    assert "Éligible à la certification." in page
    assert "28 item(s) validé(s) sur 28." in page
    assert "au moins 23 items validés" in page


def test_teacher_positions_himself_on_items(client_for, teacher):
    items = list(Item.objects.filter(code__in=["A.2-1", "B.4-3"]))
    client = client_for(teacher)
    response = client.post(
        "/mon-parcours/positionnement/", {"items": [i.pk for i in items]}, follow=True
    )
    assert "Positionnement enregistré : 2 item(s)." in messages_of(response)
    assert set(ItemEvidence.objects.values_list("item__code", "state")) == {
        ("A.2-1", "positioned"),
        ("B.4-3", "positioned"),
    }


def test_head_sees_his_staff_record_not_other_schools(
    client_for, head, teacher, make_user, other_school, attended
):
    stranger = make_user("stranger", school=other_school)
    client = client_for(head)
    response = client.get(f"/personnels/{teacher.staff.pk}/parcours/")
    assert response.status_code == 200
    assert "Parcours de Claire Martin" in text(response)
    assert "Me positionner" not in text(response)
    attestation = f"/personnels/{teacher.staff.pk}/parcours/attestations/{attended.session_id}/"
    assert client.get(attestation).status_code == 200
    assert client.get(f"/personnels/{stranger.staff.pk}/parcours/").status_code == 404


def test_trainer_sees_his_participants_record(client_for, trainer, teacher, attended):
    response = client_for(trainer).get(f"/personnels/{teacher.staff.pk}/parcours/")
    assert response.status_code == 200


def test_attestation_renders(client_for, teacher, attended):
    response = client_for(teacher).get(f"/mon-parcours/attestations/{attended.session_id}/")
    assert response.status_code == 200
    page = text(response)
    assert "Attestation de présence" in page
    assert "Claire Martin" in page and "3,0 h" in page
    assert "République française" in page and "Académie de Versailles" in page
    assert "par délégation" in page  # the signature block
    assert "@media print" in page
    assert 'class="fr-header"' not in page
    assert f'href="/mon-parcours/attestations/{attended.session_id}.pdf"' in page
    # Nothing attended, nothing attested.
    other = client_for(teacher).get(f"/mon-parcours/attestations/{attended.session_id + 999}/")
    assert other.status_code == 404


def pdf_text(response) -> str:
    import io

    from pypdf import PdfReader

    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_attestation_as_pdf(client_for, teacher, trainer, outsider, attended):
    url = f"/mon-parcours/attestations/{attended.session_id}.pdf"
    response = client_for(teacher).get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert 'filename="attestation-' in response["Content-Disposition"]
    content = pdf_text(response)
    for expected in ("ATTESTATION DE PRÉSENCE", "Claire Martin", "Académie de Versailles", "3,0 h"):
        assert expected in content, expected
    assert "Télécharger en PDF" not in content  # the page's actions are not printed
    # The trainer prints it for his participant; a stranger gets nothing.
    staff_url = f"/personnels/{teacher.staff.pk}/parcours/attestations/{attended.session_id}.pdf"
    assert client_for(trainer).get(staff_url).status_code == 200
    assert client_for(outsider).get(staff_url).status_code == 404
    assert client_for(outsider).get(url).status_code == 404


def test_outsider_gets_404_everywhere(client_for, outsider, teacher, attended):
    client = client_for(outsider)
    staff = teacher.staff.pk
    session = attended.session_id
    assert client.get(sheet(attended)).status_code == 404
    assert client.get(f"/personnels/{staff}/parcours/").status_code == 404
    assert client.get(f"/personnels/{staff}/parcours/attestations/{session}/").status_code == 404
    assert client.get(f"/formations/sessions/{session}/competences/").status_code == 404
    # His own follow-up lists his Paris school only.
    response = client.get("/suivi/")
    assert response.status_code == 200
    assert "Claire Martin" not in text(response)


def test_follow_up_is_404_for_a_plain_teacher(client_for, teacher):
    assert client_for(teacher).get("/suivi/").status_code == 404
    assert client_for(teacher).get("/mon-parcours/").status_code == 200


# --- C2i2e validation -----------------------------------------------------------------


def competences(session) -> str:
    return f"/formations/sessions/{session.pk}/competences/"


def test_trainer_validates_items_in_bulk(client_for, trainer, teacher, colleague, past):
    a13, b11 = Item.objects.get(code="A.1-3"), Item.objects.get(code="B.1-1")
    client = client_for(trainer)
    page = text(client.get(competences(past)))
    assert "Valider A.1-3 pour Claire Martin" in page
    response = client.post(
        competences(past),
        {
            f"items-{teacher.staff.pk}": [a13.pk, b11.pk],
            # A.2-1 is not an item of the module: ignored
            f"items-{colleague.staff.pk}": [b11.pk, Item.objects.get(code="A.2-1").pk],
        },
        follow=True,
    )
    assert "Items validés : Paul Durand (1), Claire Martin (2)." in messages_of(response)
    assert set(
        ItemEvidence.objects.filter(state="validated").values_list(
            "staff__user__username", "item__code"
        )
    ) == {("teacher", "A.1-3"), ("teacher", "B.1-1"), ("colleague", "B.1-1")}
    assert 'data-validated="A.1-3"' in text(response)


def test_only_the_trainers_validate_items(client_for, manager, teacher, past):
    assert client_for(manager).get(competences(past)).status_code == 403
    assert client_for(teacher).post(competences(past), {}).status_code == 403


# --- Follow-up ------------------------------------------------------------------------


def test_head_follows_his_school_with_export(client_for, head, teacher, colleague, attended):
    client = client_for(head)
    response = client.get("/suivi/")
    assert response.status_code == 200
    rows = {r.record.pk: r.record for r in response.context["table"].page.object_list}
    assert set(rows) == {teacher.staff.pk, colleague.staff.pk}
    assert rows[teacher.staff.pk].minutes == 180
    assert "3,0 h" in text(response)

    export = client.get("/suivi/", {"_export": "csv", "sort": "-minutes"})
    assert export["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][0] == "Nom"
    assert len(lines) == 3
    xlsx = client.get("/suivi/", {"_export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_follow_up_scopes(client_for, auditor, trainer, teacher, colleague, other_school, attended):
    response = client_for(auditor).get("/suivi/", {"uai": other_school.uai})
    uais = {r.record.school.uai for r in response.context["table"].page.object_list}
    assert uais == {other_school.uai}  # the trainer's own profile is at the lycée
    response = client_for(trainer).get("/suivi/")
    people = {r.record.pk for r in response.context["table"].page.object_list}
    assert people == {teacher.staff.pk, colleague.staff.pk}


def test_nav_entries(client_for, teacher, head, trainer):
    def labels(user):
        return [label for label, _url in client_for(user).get("/").context["dune_nav"]]

    assert "Mon parcours" in labels(teacher) and "Suivi" not in labels(teacher)
    assert "Suivi" in labels(head)
    assert "Suivi" in labels(trainer)


# --- Query counts ---------------------------------------------------------------------


def _attend(trainer, session, n_slots):
    from training.services.attendance import mark_all_present

    for day in range(n_slots):
        slot = Slot.objects.create(
            session=session,
            modality="in_person",
            start=at(-10 - day, 14),
            end=at(-10 - day, 16),
        )
        mark_all_present(user=trainer, slot=slot)


@pytest.mark.parametrize("n_slots", [1, 6])
def test_record_page_query_count_is_constant(
    client_for, django_assert_max_num_queries, trainer, teacher, past, n_slots
):
    _attend(trainer, past, n_slots)
    client = client_for(teacher)
    client.get("/mon-parcours/")
    with django_assert_max_num_queries(16):
        response = client.get("/mon-parcours/")
    assert response.status_code == 200
    total = HoursEntry.objects.filter(staff=teacher.staff).aggregate(t=Sum("minutes"))["t"]
    assert total == 120 * n_slots


@pytest.mark.parametrize("n_people", [2, 12])
def test_follow_up_query_count_is_constant(
    client_for, django_assert_max_num_queries, make_user, school, head, trainer, past, n_people
):
    people = [make_user(f"p{i}", school=school) for i in range(n_people)]
    book(past, *people)
    _attend(trainer, past, 1)
    client = client_for(head)
    client.get("/suivi/")
    with django_assert_max_num_queries(10):
        response = client.get("/suivi/")
    assert len(response.context["table"].page.object_list) == n_people + 2


def test_the_record_names_the_text_of_the_certification_rule(client_for, teacher):
    response = client_for(teacher).get("/mon-parcours/")
    assert "Règle (Arrêté du 14 décembre 2010) : au moins 23 items validés" in response.text


def test_a_trainer_withdraws_a_validation_with_a_reason_kept_in_the_history(
    teacher, trainer, attended, outsider
):
    from auditlog.models import LogEntry

    from training.errors import TrainingError

    item = Item.objects.get(code="A.1-1")
    services.validate_items(user=trainer, staff=teacher.staff, items=[item])
    with pytest.raises(TrainingError, match="Indiquez pourquoi"):
        services.withdraw_item(user=trainer, staff=teacher.staff, item=item, reason=" ")
    with pytest.raises(TrainingError) as refused:
        services.withdraw_item(user=outsider, staff=teacher.staff, item=item, reason="erreur")
    assert refused.value.status == 403
    evidence = services.withdraw_item(
        user=trainer, staff=teacher.staff, item=item, reason="Validé sur la mauvaise séance"
    )
    assert (evidence.state, evidence.reason) == ("withdrawn", "Validé sur la mauvaise séance")
    states = [e.changes_dict.get("state") for e in LogEntry.objects.get_for_object(evidence)]
    assert ["validated", "withdrawn"] in states  # the earlier validation stays in the trail
    with pytest.raises(TrainingError, match="pas validé"):
        services.withdraw_item(user=trainer, staff=teacher.staff, item=item, reason="encore")


def test_a_situation_needs_its_class_or_group_and_is_never_in_the_future(
    teacher, trainer, attended
):
    from training.errors import TrainingError

    with pytest.raises(TrainingError, match="classe ou le groupe"):
        services.record_situation(
            user=trainer, staff=teacher.staff, date=dt.date(2011, 3, 1), group=""
        )
    with pytest.raises(TrainingError, match="pas à l'avance"):
        services.record_situation(
            user=trainer,
            staff=teacher.staff,
            date=dt.date.today() + dt.timedelta(days=1),
            group="4e B",
        )
    situation = services.record_situation(
        user=trainer, staff=teacher.staff, date=dt.date(2011, 3, 1), group="4e B",
        description="Séance de géographie au TNI",
    )  # fmt: skip
    assert (situation.validated_by, situation.group) == (trainer, "4e B")
