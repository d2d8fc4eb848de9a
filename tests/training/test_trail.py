"""The trail of every change: who, when, from which request or job, before and after;
shown on the session's page to those who follow it, searchable by the académie's
auditors, never edited."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.conftest import at
from tests.training.test_pages_management import local_input, slot_data
from training import trail


def text(response) -> str:
    return html.unescape(response.content.decode())


def move(client, slot):
    response = client.post(
        f"/formations/seances/{slot.pk}/modifier/",
        slot_data(start=local_input(at(32, 14)), end=local_input(at(32, 17)), room="B12"),
    )
    assert response.status_code == 302


def test_a_moved_slot_shows_on_the_session_page_who_when_old_and_new_time(
    client_for, manager, session
):
    slot = session.slots.get()
    before = slot.start
    client = client_for(manager)
    move(client, slot)
    page = text(client.get(f"/formations/sessions/{session.pk}/"))
    assert "Historique des modifications" in page
    entry = LogEntry.objects.get_for_object(slot).latest("timestamp")
    assert entry.actor == manager
    assert (
        entry.cid.startswith("requête ") and f"/formations/seances/{slot.pk}/modifier/" in entry.cid
    )
    changes = entry.changes_dict
    assert "start" in changes
    assert str(before.astimezone(dt.UTC))[:16] in changes["start"][0].replace("T", " ")
    assert manager.get_full_name() in page
    assert "B12" in page  # the room's old → new
    assert timezone.localtime(entry.timestamp).strftime("%d/%m/%Y %H:%M") in page


def test_who_only_reads_the_catalogue_does_not_see_the_trail(client_for, manager, teacher, session):
    move(client_for(manager), session.slots.get())
    page = text(client_for(teacher).get(f"/formations/sessions/{session.pk}/"))
    assert "Historique des modifications" not in page


def test_auditors_search_the_trail_of_their_academy_only(
    client_for, manager, auditor, outsider, session
):
    slot = session.slots.get()
    move(client_for(manager), slot)
    page = text(client_for(auditor).get(f"/audit/historique/?objet=slot&id={slot.pk}"))
    assert "B12" in page and manager.get_full_name() in page
    assert client_for(outsider).get("/audit/historique/").status_code == 404

    def slot_ids(academy_id):
        entries = trail.entries_of_academies([academy_id]).filter(content_type__model="slot")
        return set(entries.values_list("object_id", flat=True))

    assert slot.pk in slot_ids(session.module.programme.academy_id)
    assert slot.pk not in slot_ids(outsider.staff.school.academy_id)


def test_the_trail_is_never_edited_nor_deleted(client_for, manager, session):
    move(client_for(manager), session.slots.get())
    entry = LogEntry.objects.latest("timestamp")
    entry.changes_text = "falsifié"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


# --- Writes in bulk and enrolments ----------------------------------------------------


def import_file(kind, academy, manager, content: bytes):
    from training.imports import runner

    plan, written = runner.run_file(
        kind=kind, academy=academy, user=manager, data=content, dry_run=False, force=False
    )
    assert written, plan.refused
    return plan


def bulk_entries(model):
    from django.contrib.contenttypes.models import ContentType

    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), additional_data__bulk=True
    )


def test_an_import_of_schools_leaves_an_entry_per_school_created_or_changed(academy, manager):
    from tests.training.test_imports import data
    from training.models import School

    content = data("schools_utf8_semicolon.csv")
    import_file("schools", academy, manager, content)
    created = bulk_entries(School).filter(action=LogEntry.Action.CREATE)
    assert created.count() == 4
    college = School.objects.get(uai="0781001P")
    entry = created.get(object_id=college.pk)
    assert entry.actor == manager
    assert entry.changes_dict["name"] == ["None", "Collège Les Saules"]
    assert str(college) == entry.object_repr
    # Changed again: one entry, the old and the new name.
    import_file(
        "schools",
        academy,
        manager,
        content.replace("Lycée Camille Pissarro".encode(), "Lycée Camille-Pissarro".encode()),
    )
    [update] = bulk_entries(School).filter(action=LogEntry.Action.UPDATE)
    assert update.changes_dict == {"name": ["Lycée Camille Pissarro", "Lycée Camille-Pissarro"]}
    # The trail shows it like any other change: the auditors' search finds it.
    assert trail.entries_of_academies([academy.pk]).filter(pk=update.pk).exists()


def test_an_import_of_staff_leaves_an_entry_per_person(academy, manager, school, other_school):
    from tests.training.test_imports import data
    from training.models import Staff

    import_file("staff", academy, manager, data("staff_cp1252.csv"))
    created = bulk_entries(Staff).filter(action=LogEntry.Action.CREATE)
    imported = Staff.objects.filter(school__academy=academy)
    assert created.count() >= 1
    assert set(created.values_list("object_id", flat=True)) <= set(
        imported.values_list("pk", flat=True)
    )
    for entry in created:
        assert entry.actor == manager and "school" in entry.changes_dict


def test_an_enrolment_is_followed_by_the_trail(teacher, session, head):
    from training import services

    enrolment = services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    entries = LogEntry.objects.get_for_object(enrolment)
    assert entries.filter(action=LogEntry.Action.CREATE).exists()
    services.approve_enrolment(user=head, enrolment=enrolment)
    enrolment.refresh_from_db()
    update = LogEntry.objects.get_for_object(enrolment).filter(action=LogEntry.Action.UPDATE)
    assert update.exists()
    assert update.latest("timestamp").changes_dict["state"][1] == enrolment.state
