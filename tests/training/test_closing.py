"""Closing a school year per académie: only the rectorate (or the ministry for all),
after a final check that needs confirming when anomalies remain; then that académie's
ledgers of the year are frozen and its figures stable, other académies untouched."""

import pytest
from django.db.models import Sum

from tests.conftest import CURRENT_YEAR, at
from training import reports, services
from training.errors import TrainingError
from training.models import (
    AcademyYearClosure,
    Anomaly,
    HoursEntry,
    Item,
    LedgerWriteError,
    Module,
    Programme,
    RoleMembership,
    Session,
    Slot,
)
from training.services import closing
from training.services.attendance import Mark

pytestmark = pytest.mark.django_db
URL = "/audit/cloture/"


@pytest.fixture
def past_session(make_session, trainer, teacher):
    session = make_session(approval="none", days=-2)
    session.trainers.add(trainer)
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    return session


@pytest.fixture
def attended(past_session, trainer, teacher):
    slot = past_session.slots.get()
    services.record_attendance(user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "present")])
    return slot


@pytest.fixture
def paris_slot(other_academy, current_year, priority, outsider_school):
    """A slot run by the Paris académie two days ago."""
    programme = Programme.objects.create(
        academy=other_academy,
        school_year=current_year,
        code="10A0010001",
        title="Numérique à Paris",
        priority=priority,
        degree=2,
    )
    module = Module.objects.create(programme=programme, code="P1", title="ENT parisien")
    session = Session.objects.create(module=module, capacity=5, status="published")
    return Slot.objects.create(
        session=session, modality="in_person", start=at(-2, 9), end=at(-2, 12)
    )


def ledger_total(academy, current_year):
    return (
        HoursEntry.objects.filter(
            school_year=current_year, slot__session__module__programme__academy=academy
        ).aggregate(t=Sum("minutes"))["t"]
        or 0
    )


@pytest.mark.parametrize("persona", ["teacher", "head", "trainer", "referent", "outsider"])
def test_closing_is_refused_to_non_rectorate_users(request, persona, academy, current_year):
    user = request.getfixturevalue(persona)
    with pytest.raises(TrainingError) as exc:
        closing.close_academy_year(user=user, academy=academy, school_year=current_year)
    assert exc.value.status == 403
    assert not AcademyYearClosure.objects.exists()


def test_an_auditor_of_another_academy_cannot_close_this_one(
    make_user, other_academy, academy, current_year
):
    paris = make_user(role=RoleMembership.Role.AUDITOR, academy=other_academy)
    with pytest.raises(TrainingError):
        closing.close_academy_year(user=paris, academy=academy, school_year=current_year)
    assert not closing.is_frozen(academy, current_year)


def test_only_the_ministry_closes_for_every_academy(auditor, national, current_year):
    with pytest.raises(TrainingError):
        closing.close_year_nationally(user=auditor, school_year=current_year)
    closures = closing.close_year_nationally(user=national, school_year=current_year)
    current_year.refresh_from_db()
    assert len(closures) == 30 and current_year.closed_at is not None


def test_closing_with_open_anomalies_needs_confirmation(
    auditor, academy, current_year, attended, settings
):
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    with pytest.raises(TrainingError, match="1 anomalie") as exc:
        closing.close_academy_year(user=auditor, academy=academy, school_year=current_year)
    assert exc.value.status == 409
    assert not closing.is_frozen(academy, current_year)
    # The check ran anyway: its finding is listed for the auditor.
    assert Anomaly.objects.open().filter(code="attendance_on_cancelled_slot").exists()
    closure = closing.close_academy_year(
        user=auditor, academy=academy, school_year=current_year, confirm=True
    )
    assert (closure.open_anomalies, closure.closed_by) == (1, auditor)
    again = closing.close_academy_year(user=auditor, academy=academy, school_year=current_year)
    assert again.pk == closure.pk


def test_after_closing_the_ledgers_are_frozen(
    manager, trainer, teacher, academy, current_year, past_session, attended
):
    online = Slot.objects.create(
        session=past_session,
        modality="self_paced",
        start=at(-3),
        end=at(-1),
        credited_minutes=60,
    )
    declaration = services.declare_work(user=teacher, slot=online, minutes=30)
    closing.close_academy_year(user=manager, academy=academy, school_year=current_year)
    before = (ledger_total(academy, current_year), list(HoursEntry.objects.values_list("pk")))
    refused = [
        lambda: services.record_attendance(
            user=trainer, slot=attended, marks=[Mark(teacher.staff.pk, "absent")], reason="Err"
        ),
        lambda: services.mark_all_present(user=trainer, slot=attended),
        lambda: services.review_declaration(user=trainer, attendance=declaration, accept=True),
        lambda: services.declare_work(user=teacher, slot=online, minutes=40),
        lambda: services.validate_items(
            user=trainer,
            staff=teacher.staff,
            items=Item.objects.filter(code="A.1-1"),
            session=past_session,
        ),
        lambda: services.update_slot(user=manager, slot=attended, room="Z"),
    ]
    for change in refused:
        with pytest.raises(TrainingError, match="close depuis") as exc:
            change()
        assert exc.value.status == 409
    # Below the services, the ledger itself refuses a new row.
    with pytest.raises(LedgerWriteError):
        HoursEntry.objects.create(
            staff=teacher.staff,
            slot=attended,
            minutes=10,
            priority=past_session.module.programme.priority,
            modality="in_person",
            school_year=current_year,
            source="correction",
            author=manager,
        )
    after = (ledger_total(academy, current_year), list(HoursEntry.objects.values_list("pk")))
    assert after == before and before[0] == 180
    declaration.refresh_from_db()
    assert declaration.status == "declared"
    assert not teacher.staff.evidence.filter(item__code="A.1-1", state="validated").exists()


def test_other_academies_are_not_frozen(
    auditor, academy, other_academy, current_year, paris_slot, outsider, national
):
    closing.close_academy_year(user=auditor, academy=academy, school_year=current_year)
    assert closing.is_frozen(academy, current_year)
    assert not closing.is_frozen(other_academy, current_year)
    entry = HoursEntry.objects.create(
        staff=outsider.staff,
        slot=paris_slot,
        minutes=60,
        priority=paris_slot.session.module.programme.priority,
        modality="in_person",
        school_year=current_year,
        source="attendance",
        author=national,
    )
    assert entry.pk


def test_reports_are_stable_after_closing(
    auditor, trainer, teacher, academy, current_year, attended
):
    filters = reports.ReportFilters(school_year=current_year)
    closing.close_academy_year(user=auditor, academy=academy, school_year=current_year)
    before = reports.hours_by_school(auditor, filters)
    with pytest.raises(TrainingError):
        services.record_attendance(
            user=trainer, slot=attended, marks=[Mark(teacher.staff.pk, "excused")], reason="x"
        )
    after = reports.hours_by_school(auditor, filters)
    assert before.equals(after)
    assert ledger_total(academy, current_year) == 180


# --- The closing page -----------------------------------------------------------------


@pytest.mark.parametrize("persona", ["teacher", "head", "trainer", "outsider"])
def test_the_closing_page_is_a_404_for_others(client_for, request, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"action": "cloturer", "annee": CURRENT_YEAR}).status_code == 404
    assert not AcademyYearClosure.objects.exists()


def test_the_closing_page_lists_open_anomalies_and_needs_the_checkbox(
    client_for, auditor, academy, current_year, attended
):
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    client = client_for(auditor)
    # Run the check now, from the page.
    response = client.post(URL, {"action": "verifier", "annee": CURRENT_YEAR}, follow=True)
    body = response.content.decode()
    assert "1 anomalie(s) ouverte(s)" in body
    assert 'data-testid="open-total">1<' in body
    assert 'name="confirmer"' in body
    # Closing without ticking the box is refused, and nothing is closed.
    response = client.post(URL, {"action": "cloturer", "annee": CURRENT_YEAR}, follow=True)
    assert "confirmez la clôture" in response.content.decode()
    assert not closing.is_frozen(academy, current_year)
    response = client.post(
        URL, {"action": "cloturer", "annee": CURRENT_YEAR, "confirmer": "1"}, follow=True
    )
    assert "est close pour l&#x27;académie de Versailles" in response.content.decode()
    assert closing.is_frozen(academy, current_year)
    assert 'data-testid="close-form"' not in response.content.decode()


def test_the_manager_closes_a_clean_year_without_confirmation(
    client_for, manager, academy, current_year, attended
):
    client_for(manager).post(URL, {"action": "cloturer", "annee": CURRENT_YEAR})
    closure = AcademyYearClosure.objects.get()
    assert (closure.academy, closure.open_anomalies) == (academy, 0)


def test_the_ministry_closes_for_all_from_the_page(client_for, national, current_year):
    client = client_for(national)
    assert client.get(URL, {"annee": CURRENT_YEAR}).status_code == 200
    client.post(URL, {"action": "cloturer", "annee": CURRENT_YEAR})
    assert AcademyYearClosure.objects.filter(school_year=current_year).count() == 30


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/connexion/")


# --- The API --------------------------------------------------------------------------

API = "/api/audit"


def test_the_api_lists_anomalies_and_closes_with_confirmation(
    client_for, auditor, academy, current_year, attended
):
    Slot.objects.filter(pk=attended.pk).update(status=Slot.Status.CANCELLED)
    client = client_for(auditor)
    refused = client.post(
        f"{API}/closures",
        {"school_year": CURRENT_YEAR, "academy": "25"},
        content_type="application/json",
    )
    assert refused.status_code == 409 and "anomalie" in refused.json()["detail"]
    listed = client.get(f"{API}/anomalies", {"school_year": CURRENT_YEAR}).json()
    assert [(a["code"], a["academy"]) for a in listed["items"]] == [
        ("attendance_on_cancelled_slot", "25")
    ]
    closed = client.post(
        f"{API}/closures",
        {"school_year": CURRENT_YEAR, "academy": "25", "confirm": True},
        content_type="application/json",
    )
    assert closed.status_code == 201
    assert closed.json()[0]["open_anomalies"] == 1
    assert closing.is_frozen(academy, current_year)


@pytest.mark.parametrize("persona", ["teacher", "head", "outsider"])
def test_the_api_is_a_404_for_others(client_for, request, persona, current_year):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(f"{API}/anomalies", {"school_year": CURRENT_YEAR}).status_code == 404
    response = client.post(
        f"{API}/closures",
        {"school_year": CURRENT_YEAR, "academy": "25", "confirm": True},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not AcademyYearClosure.objects.exists()


def test_the_api_refuses_anonymous(client):
    assert client.get(f"{API}/anomalies", {"school_year": CURRENT_YEAR}).status_code == 401
