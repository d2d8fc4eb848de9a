"""Attendance, the hours ledger and C2i2e progress, through the services."""

import pytest
import time_machine

from tests.conftest import CURRENT_YEAR, at
from training import records, services
from training.competences import progress
from training.errors import TrainingError
from training.models import (
    Attendance,
    Domain,
    Framework,
    HoursEntry,
    Item,
    ItemEvidence,
    LedgerWriteError,
    Slot,
)
from training.services.attendance import Mark

pytestmark = pytest.mark.django_db
Status = Attendance.Status


@pytest.fixture
def past_session(make_session, trainer, teacher):
    """A session whose 3-hour slot took place two days ago, the teacher booked."""
    session = make_session(approval="none", days=-2)
    session.trainers.add(trainer)
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    return session


def ledger(staff):
    return list(HoursEntry.objects.filter(staff=staff).values_list("minutes", "source", "reason"))


def total(staff):
    return sum(m for m, _s, _r in ledger(staff))


def test_attendance_credits_the_slot_length(trainer, teacher, past_session):
    slot = past_session.slots.get()
    services.record_attendance(user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "present")])
    assert ledger(teacher.staff) == [(180, "attendance", "")]
    entry = HoursEntry.objects.get()
    assert (entry.slot, entry.modality, entry.priority.code, entry.school_year.name) == (
        slot,
        "in_person",
        "numerique",
        CURRENT_YEAR,
    )
    assert entry.author == trainer


def test_a_correction_is_a_reversing_entry_plus_a_new_one(trainer, teacher, past_session):
    slot = past_session.slots.get()
    services.record_attendance(user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "present")])
    with pytest.raises(TrainingError, match="motif"):
        services.record_attendance(
            user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "partial", 90)]
        )
    assert total(teacher.staff) == 180
    services.record_attendance(
        user=trainer,
        slot=slot,
        marks=[Mark(teacher.staff.pk, "partial", 90)],
        reason="Parti à 10h30",
    )
    assert ledger(teacher.staff) == [
        (180, "attendance", ""),
        (-180, "correction", "Parti à 10h30"),
        (90, "attendance", "Parti à 10h30"),
    ]
    services.record_attendance(
        user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "excused")], reason="Convocation"
    )
    assert total(teacher.staff) == 0
    assert Attendance.objects.get().status == Status.EXCUSED


def test_the_ledger_cannot_be_edited_or_deleted(trainer, teacher, past_session):
    services.mark_all_present(user=trainer, slot=past_session.slots.get())
    entry = HoursEntry.objects.get()
    entry.minutes = 999
    with pytest.raises(LedgerWriteError):
        entry.save()
    with pytest.raises(LedgerWriteError):
        entry.delete()
    with pytest.raises(LedgerWriteError):
        HoursEntry.objects.filter(pk=entry.pk).update(minutes=1)
    with pytest.raises(LedgerWriteError):
        HoursEntry.objects.all().delete()
    assert HoursEntry.objects.values_list("minutes", flat=True).get() == 180


@pytest.mark.parametrize(
    ("mark", "message"),
    [
        (Mark(0, "present"), "pas inscrite"),
        (None, "entre 1 et 179 minutes"),
    ],
)
def test_bad_sheets_change_nothing(
    trainer, teacher, past_session, make_user, school, mark, message
):
    slot = past_session.slots.get()
    stranger = make_user(school=school)
    # One good line, and a bad one: a person not booked, or a partial longer than the slot.
    if mark and mark.staff_id == 0:
        marks = [Mark(teacher.staff.pk, "present"), Mark(stranger.staff.pk, "present")]
    else:
        other = make_user(school=school)
        services.request_enrolment(user=other, session=past_session, staff=other.staff)
        marks = [Mark(other.staff.pk, "present"), Mark(teacher.staff.pk, "partial", 200)]
    with pytest.raises(TrainingError, match=message):
        services.record_attendance(user=trainer, slot=slot, marks=marks)
    assert not HoursEntry.objects.exists()
    assert not Attendance.objects.exists()


def test_only_trainers_take_attendance(teacher, head, outsider, past_session, manager):
    slot = past_session.slots.get()
    for user in (teacher, head, outsider):
        with pytest.raises(TrainingError) as exc:
            services.mark_all_present(user=user, slot=slot)
        assert exc.value.status == 403
    services.mark_all_present(user=manager, slot=slot)  # the rectorate may correct a sheet
    assert total(teacher.staff) == 180


def test_no_attendance_before_the_slot(trainer, teacher, make_session):
    session = make_session(approval="none", days=5)
    session.trainers.add(trainer)
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    with pytest.raises(TrainingError, match="pas encore commencé"):
        services.mark_all_present(user=trainer, slot=session.slots.get())


def test_self_paced_work_is_declared_then_validated(trainer, teacher, make_session, manager):
    session = make_session(approval="none", slots=False)
    session.trainers.add(trainer)
    slot = Slot.objects.create(
        session=session, modality="self_paced", start=at(-3), end=at(10), credited_minutes=120
    )
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    with pytest.raises(TrainingError, match="entre 1 et 120 minutes"):
        services.declare_work(user=teacher, slot=slot, minutes=150)
    attendance = services.declare_work(user=teacher, slot=slot, minutes=100)
    assert (attendance.status, total(teacher.staff)) == (Status.DECLARED, 0)
    with pytest.raises(TrainingError):
        services.review_declaration(user=teacher, attendance=attendance, accept=True)
    services.review_declaration(user=trainer, attendance=attendance, accept=True)
    assert ledger(teacher.staff) == [(100, "self_paced", "")]
    assert HoursEntry.objects.get().modality == "self_paced"


def test_a_declaration_before_the_work_opens_is_refused(teacher, make_session):
    session = make_session(approval="none", slots=False)
    slot = Slot.objects.create(
        session=session, modality="self_paced", start=at(3), end=at(10), credited_minutes=60
    )
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    with pytest.raises(TrainingError, match="ouvre le"):
        services.declare_work(user=teacher, slot=slot, minutes=30)
    assert not Attendance.objects.exists()


def test_closing_the_year_freezes_its_ledger(
    trainer, teacher, national, past_session, current_year
):
    slot = past_session.slots.get()
    services.mark_all_present(user=trainer, slot=slot)
    with pytest.raises(TrainingError):
        services.close_school_year(user=trainer, school_year=current_year)
    services.close_school_year(user=national, school_year=current_year)
    with pytest.raises(TrainingError, match="close depuis") as exc:
        services.record_attendance(
            user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "absent")], reason="Erreur"
        )
    assert exc.value.status == 409
    assert total(teacher.staff) == 180


def test_record_totals_by_priority_and_modality(
    trainer, teacher, past_session, current_year, make_session, module
):
    from training.models import Module

    services.mark_all_present(user=trainer, slot=past_session.slots.get())
    virtual_module = Module.objects.create(
        programme=module.programme, code="V", title="Classe virtuelle"
    )
    virtual = make_session(approval="none", slots=False, module=virtual_module)
    virtual.trainers.add(trainer)
    slot = Slot.objects.create(
        session=virtual,
        modality="virtual",
        start=at(-1, 17),
        end=at(-1, 18),
        video_url="https://visio.example/x",
    )
    services.request_enrolment(user=teacher, session=virtual, staff=teacher.staff)
    services.record_attendance(
        user=trainer, slot=slot, marks=[Mark(teacher.staff.pk, "partial", 45)]
    )
    record = records.teacher_record(teacher.staff, current_year)
    assert record.total_minutes == 225
    assert record.by_modality == {"in_person": 180, "virtual": 45, "self_paced": 0}
    assert record.by_priority == [("Développement des usages du numérique", 225)]
    assert [line.minutes for line in record.lines] == [180, 45]
    assert record.target is None  # no yearly target for the 2nd degré in the plan


def test_first_degree_target_is_plan_data(make_user, academy, current_year):
    from tests.conftest import make_school

    ecole = make_school(academy, "0910620E", "École Jules Ferry", kind="ecole_elementaire")
    teacher = make_user(school=ecole)
    record = records.teacher_record(teacher.staff, current_year)
    assert (record.target.target_minutes, record.target.min_training_minutes) == (1080, 540)
    assert record.missing_minutes == 1080 and record.target_reached is False


def test_attending_marks_the_module_items_in_progress(trainer, teacher, past_session):
    services.mark_all_present(user=trainer, slot=past_session.slots.get())
    states = dict(
        ItemEvidence.objects.filter(staff=teacher.staff).values_list("item__code", "state")
    )
    assert states == {"A.1-3": "in_progress", "B.1-1": "in_progress"}


def test_only_a_trainer_of_the_person_validates_items(
    trainer, teacher, past_session, make_user, academy
):
    from training.models import RoleMembership

    other_trainer = make_user("other-trainer", role=RoleMembership.Role.TRAINER, academy=academy)
    items = list(Item.objects.filter(code__in=["A.1-1", "A.1-2"]))
    with pytest.raises(TrainingError) as exc:
        services.validate_items(user=other_trainer, staff=teacher.staff, items=items)
    assert exc.value.status == 403
    assert (
        services.validate_items(
            user=trainer, staff=teacher.staff, items=items, session=past_session
        )
        == 2
    )
    evidence = ItemEvidence.objects.get(staff=teacher.staff, item__code="A.1-1")
    assert (evidence.state, evidence.source, evidence.author) == ("validated", "trainer", trainer)


def test_positioning_never_lowers_a_state(trainer, teacher, past_session):
    items = list(Item.objects.filter(code__in=["A.1-1", "B.1-1"]))
    services.mark_all_present(user=trainer, slot=past_session.slots.get())
    assert services.position_items(user=teacher, items=items) == 1
    states = dict(
        ItemEvidence.objects.filter(staff=teacher.staff).values_list("item__code", "state")
    )
    assert states["A.1-1"] == "positioned" and states["B.1-1"] == "in_progress"


def c2i2e(validated_codes, situations=1):
    framework = Framework.objects.get(code="C2i2e-2011")
    items_by_domain = {
        domain: list(domain.items.order_by("order").values_list("code", flat=True))
        for domain in Domain.objects.filter(framework=framework).order_by("order")
    }
    return progress(
        framework=framework,
        items_by_domain=items_by_domain,
        validated_codes=set(validated_codes),
        situations=situations,
    )


def all_codes():
    return list(
        Item.objects.filter(domain__framework__code="C2i2e-2011").values_list("code", flat=True)
    )


def test_c2i2e_23_items_with_at_most_2_missing_per_competence_is_eligible():
    missing = {"A.1-5", "A.2-3", "A.3-4", "B.2-5", "B.3-5"}  # 5 missing, ≤ 1 per competence
    result = c2i2e(c for c in all_codes() if c not in missing)
    assert (result.validated, result.total, result.eligible) == (23, 28, True)


def test_c2i2e_without_a_teaching_situation_is_not_eligible():
    missing = {"A.1-5", "A.2-3", "A.3-4", "B.2-5", "B.3-5"}
    result = c2i2e((c for c in all_codes() if c not in missing), situations=0)
    assert (result.validated, result.eligible, result.situations_needed) == (23, False, 1)


def test_c2i2e_22_items_is_not_eligible():
    missing = {"A.1-5", "A.2-3", "A.3-4", "B.2-5", "B.3-5", "B.4-3"}
    result = c2i2e(c for c in all_codes() if c not in missing)
    assert (result.validated, result.eligible, result.still_needed) == (22, False, 1)


def test_c2i2e_3_missing_in_one_competence_is_not_eligible_even_with_23():
    missing = {"A.1-3", "A.1-4", "A.1-5", "B.2-5", "B.3-5"}  # 3 missing in A.1
    result = c2i2e(c for c in all_codes() if c not in missing)
    assert result.validated == 23
    assert not result.eligible
    a1 = next(d for d in result.domains if d.code == "A.1")
    assert (a1.ok, a1.missing_items) == (False, ["A.1-3", "A.1-4", "A.1-5"])


def test_another_framework_works_unchanged():
    from training.reference import load_framework

    framework = load_framework(
        {
            "code": "B2i-test",
            "title": "Test",
            "source": "",
            "min_validated_items": 2,
            "max_missing_per_domain": None,
            "blocks": [("D", "Domaine", [("D.1", "Un", ["x", "y"]), ("D.2", "Deux", ["z"])])],
        }
    )
    items_by_domain = {
        d: [i.code for i in d.items.order_by("order")] for d in framework.domains.order_by("order")
    }
    assert progress(
        framework=framework, items_by_domain=items_by_domain, validated_codes={"D.1-1", "D.2-1"}
    ).eligible


def test_empty_sheets_are_flagged_to_the_trainers_once(trainer, teacher, past_session, settings):
    from training import tasks
    from training.models import Notification

    with time_machine.travel(at(2), tick=False):
        assert tasks.flag_missing_attendance() == 1
        tasks.flag_missing_attendance()
    assert (
        Notification.objects.filter(recipient=trainer, template="attendance_missing").count() == 1
    )
    services.mark_all_present(user=trainer, slot=past_session.slots.get())
    with time_machine.travel(at(3), tick=False):
        assert tasks.flag_missing_attendance() == 0


def test_a_person_twice_on_one_sheet_is_refused(trainer, teacher, past_session):
    slot = past_session.slots.get()
    marks = [Mark(teacher.staff.pk, "present"), Mark(teacher.staff.pk, "absent")]
    with pytest.raises(TrainingError, match="deux fois"):
        services.record_attendance(user=trainer, slot=slot, marks=marks)
    assert not HoursEntry.objects.exists()


def test_slots_of_a_closed_year_do_not_change(manager, national, past_session, current_year):
    services.close_school_year(user=national, school_year=current_year)
    slot = past_session.slots.get()
    for change in (
        lambda: services.update_slot(user=manager, slot=slot, room="Z"),
        lambda: services.cancel_slot(user=manager, slot=slot),
        lambda: services.add_slot(
            user=manager,
            session=past_session,
            modality="in_person",
            start=at(40, 9),
            end=at(40, 10),
        ),
    ):
        with pytest.raises(TrainingError, match="close depuis"):
            change()
    slot.refresh_from_db()
    assert (slot.room, slot.status, past_session.slots.count()) == ("B12", "scheduled", 1)
