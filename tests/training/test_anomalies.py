"""Anomalies in the ledgers: each check finds its planted case and nothing on clean
data, the scan is idempotent and resolves what was fixed, and the list is scoped."""

import pytest

from tests.conftest import CURRENT_YEAR, at
from training import services
from training.models import (
    Anomaly,
    Attendance,
    Enrolment,
    HoursEntry,
    RoleMembership,
    Session,
    Slot,
)
from training.services.anomalies import CHECKS, run_checks, scan_all
from training.services.attendance import Mark
from training.tasks import find_anomalies

pytestmark = pytest.mark.django_db
URL = "/audit/anomalies/"


@pytest.fixture
def past_session(make_session, trainer, teacher):
    """A session whose 3-hour slot took place two days ago, the teacher booked."""
    session = make_session(approval="none", days=-2)
    session.trainers.add(trainer)
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    return session


@pytest.fixture
def attended(past_session, trainer, teacher):
    """The sheet filled: the teacher present (180 min credited). Clean data."""
    slot = past_session.slots.get()
    services.record_attendance(user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "present")])
    return slot


def scan(academy, current_year):
    run_checks(academy=academy, school_year=current_year)
    return {(a.code, a.object_id) for a in Anomaly.objects.open()}


def plant_entry(slot, staff, minutes, author, **extra):
    programme = slot.session.module.programme
    return HoursEntry.objects.create(
        staff=staff,
        slot=slot,
        minutes=minutes,
        priority=programme.priority,
        modality=slot.modality,
        school_year=programme.school_year,
        source=extra.pop("source", HoursEntry.Source.ATTENDANCE),
        author=author,
        **extra,
    )


def test_clean_data_has_no_anomaly(academy, current_year, attended, settings):
    settings.DUNE_ATTENDANCE_GRACE_DAYS = 1
    assert scan(academy, current_year) == set()


def test_hours_without_attendance_are_found(
    academy, current_year, attended, make_user, school, manager
):
    stranger = make_user(school=school)
    entry = plant_entry(attended, stranger.staff, 120, manager)
    found = Anomaly.objects.filter(code="hours_without_attendance")
    assert scan(academy, current_year) == {("hours_without_attendance", entry.pk)}
    anomaly = found.get()
    assert anomaly.url == f"/personnels/{stranger.staff.pk}/parcours/"
    assert "2,0 h" in anomaly.message and anomaly.content_object == entry


def test_hours_cancelled_out_by_a_correction_are_not_an_anomaly(
    academy, current_year, attended, make_user, school, manager
):
    stranger = make_user(school=school)
    plant_entry(attended, stranger.staff, 120, manager)
    plant_entry(attended, stranger.staff, -120, manager, source="correction", reason="Erreur")
    assert scan(academy, current_year) == set()


def test_more_minutes_than_the_slot_lasts_are_found(
    academy, current_year, attended, teacher, manager
):
    # 180 credited by the sheet, 30 more planted: 210 for a 180-minute slot.
    plant_entry(attended, teacher.staff, 30, manager, source="correction", reason="Import")
    first = HoursEntry.objects.filter(staff=teacher.staff).order_by("pk").first()
    assert scan(academy, current_year) == {("minutes_over_slot_length", first.pk)}
    assert "210 min" in Anomaly.objects.get().message


def test_a_partial_presence_within_the_slot_is_not_over_length(
    academy, current_year, attended, trainer, teacher
):
    services.record_attendance(
        user=trainer, slot=attended, marks=[Mark(teacher.staff.pk, "partial", 90)], reason="Parti"
    )
    assert scan(academy, current_year) == set()


def test_attendance_on_a_cancelled_slot_is_found(academy, current_year, attended):
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    assert scan(academy, current_year) == {("attendance_on_cancelled_slot", attended.pk)}
    assert Anomaly.objects.get().url == f"/formations/seances/{attended.pk}/modifier/"


def test_over_capacity_sessions_are_found(
    academy, current_year, past_session, attended, make_user, school
):
    other = make_user(school=school)
    Enrolment.objects.create(session=past_session, staff=other.staff, state="booked")
    assert scan(academy, current_year) == set()  # 2 booked, 3 places
    Session.objects.filter(pk=past_session.pk).update(capacity=1)
    assert scan(academy, current_year) == {("over_capacity", past_session.pk)}
    assert "2 inscrits pour 1 places" in Anomaly.objects.get().message


def test_missing_attendance_sheets_are_found_after_the_grace_days(
    academy, current_year, past_session, settings
):
    slot = past_session.slots.get()
    settings.DUNE_ATTENDANCE_GRACE_DAYS = 3  # the slot ended 2 days ago: not yet
    assert scan(academy, current_year) == set()
    settings.DUNE_ATTENDANCE_GRACE_DAYS = 1
    assert scan(academy, current_year) == {("missing_attendance", slot.pk)}
    assert Anomaly.objects.get().url == f"/formations/seances/{slot.pk}/emargement/"


def test_an_approved_school_plan_without_lines_is_found(academy, current_year, school, head):
    from training import models

    SchoolPlan = getattr(models, "SchoolPlan", None)
    if SchoolPlan is None:
        pytest.skip("school plans not merged yet")
    plan = SchoolPlan.objects.create(
        school=school,
        school_year=current_year,
        status="approved",
        created_by=head,
        approved_by=head,
        approved_at=at(-1),
    )
    draft = SchoolPlan.objects.create(
        school=school, school_year=current_year, version=2, status="draft", created_by=head
    )
    assert scan(academy, current_year) == {("plan_without_lines", plan.pk)}
    assert Anomaly.objects.get().url == f"/plan-de-formation/{plan.pk}/"
    plan.lines.create(theme="ENT", planned_minutes=180)
    assert scan(academy, current_year) == set()
    assert draft.pk != plan.pk


def test_the_scan_is_idempotent_and_resolves_fixed_cases(
    academy, current_year, past_session, trainer, teacher, settings
):
    settings.DUNE_ATTENDANCE_GRACE_DAYS = 1
    slot = past_session.slots.get()
    first = run_checks(academy=academy, school_year=current_year)
    anomaly = Anomaly.objects.get()
    second = run_checks(academy=academy, school_year=current_year)
    assert (first.created, second.created, second.updated) == (1, 0, 1)
    assert list(Anomaly.objects.values_list("pk", "found_at")) == [(anomaly.pk, anomaly.found_at)]
    # The trainer fills the sheet: the next scan resolves it, and finds nothing new.
    services.record_attendance(user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "present")])
    third = run_checks(academy=academy, school_year=current_year)
    assert (third.resolved, third.created) == (1, 0)
    anomaly.refresh_from_db()
    assert anomaly.resolved_at is not None
    assert not Anomaly.objects.open().exists()


def test_a_case_found_again_after_resolution_opens_a_new_anomaly(academy, current_year, attended):
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    run_checks(academy=academy, school_year=current_year)
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.SCHEDULED)
    run_checks(academy=academy, school_year=current_year)
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    run_checks(academy=academy, school_year=current_year)
    assert Anomaly.objects.count() == 2
    assert Anomaly.objects.open().count() == 1


@pytest.mark.parametrize("n_people", [1, 6])
def test_the_scan_does_not_loop_over_rows(
    academy,
    current_year,
    attended,
    make_user,
    school,
    manager,
    n_people,
    django_assert_max_num_queries,
):
    for _i in range(n_people):
        plant_entry(attended, make_user(school=school).staff, 60, manager)
    run_checks(academy=academy, school_year=current_year)  # creates
    with django_assert_max_num_queries(2 * len(CHECKS) + 6):
        result = run_checks(academy=academy, school_year=current_year)  # updates
    assert result.open == n_people


def test_the_nightly_task_scans_every_academy_and_scopes_findings(
    academy, other_academy, current_year, attended, outsider, settings
):
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    assert find_anomalies.delay().get()["created"] == 1
    assert find_anomalies.delay().get()["created"] == 0
    anomaly = Anomaly.objects.get()
    assert (anomaly.academy, anomaly.school_year) == (academy, current_year)
    assert scan_all(academy_ids=[other_academy.pk]).open == 0


# --- The list page --------------------------------------------------------------------


@pytest.fixture
def planted(academy, current_year, attended):
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    run_checks(academy=academy, school_year=current_year)
    return Anomaly.objects.get()


def test_the_auditor_lists_his_academy_anomalies_with_links(client_for, auditor, planted):
    response = client_for(auditor).get(URL, {"annee": CURRENT_YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    assert planted.message.split("«")[0] in body
    assert f'href="{planted.url}"' in body


def test_the_list_filters_by_kind(client_for, manager, planted):
    client = client_for(manager)
    shown = client.get(URL, {"annee": CURRENT_YEAR, "type": "attendance_on_cancelled_slot"})
    hidden = client.get(URL, {"annee": CURRENT_YEAR, "type": "over_capacity"})
    assert planted.url in shown.content.decode()
    assert planted.url not in hidden.content.decode()
    assert 'data-testid="no-anomalies"' in hidden.content.decode()


def test_an_auditor_of_another_academy_sees_none(client_for, make_user, other_academy, planted):
    paris = make_user(role=RoleMembership.Role.AUDITOR, academy=other_academy)
    response = client_for(paris).get(URL, {"annee": CURRENT_YEAR})
    assert response.status_code == 200
    assert planted.url not in response.content.decode()
    assert client_for(paris).get(URL, {"annee": CURRENT_YEAR, "academie": "25"}).status_code == 404


def test_the_ministry_sees_every_academy(client_for, national, planted):
    response = client_for(national).get(URL, {"annee": CURRENT_YEAR})
    assert planted.url in response.content.decode()


@pytest.mark.parametrize("persona", ["teacher", "head", "trainer", "referent", "outsider"])
def test_others_get_a_404(client_for, request, persona, planted):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(URL).status_code == 404


def test_anonymous_is_sent_to_login(client, planted):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


def test_attendance_fixture_is_clean(attended, teacher):
    # Guard for the fixtures above: the clean case really credits the slot.
    assert Attendance.objects.get(staff=teacher.staff).status == "present"
    assert at(0) is not None


def test_the_academy_dashboard_links_to_the_anomalies(client_for, auditor, head, school):
    body = client_for(auditor).get("/audit/", {"annee": CURRENT_YEAR}).content.decode()
    assert f'href="/audit/anomalies/?annee={CURRENT_YEAR}"' in body
    school_page = client_for(head).get(f"/audit/etablissement/{school.uai}/")
    assert "/audit/anomalies/" not in school_page.content.decode()


@pytest.mark.parametrize("n_people", [1, 6])
def test_the_list_page_does_not_grow_with_rows(
    client_for,
    auditor,
    academy,
    current_year,
    attended,
    make_user,
    school,
    manager,
    n_people,
    django_assert_max_num_queries,
):
    for _i in range(n_people):
        plant_entry(attended, make_user(school=school).staff, 60, manager)
    run_checks(academy=academy, school_year=current_year)
    client = client_for(auditor)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"annee": CURRENT_YEAR})
    assert response.content.decode().count('data-code="hours_without_attendance"') == n_people
