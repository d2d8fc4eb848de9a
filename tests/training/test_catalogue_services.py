"""Building the catalogue: programmes, modules, sessions, slots, conflicts, parcours."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.conftest import at
from training import services
from training.errors import TrainingError
from training.models import Item, Module, ParcoursTemplate, Slot

pytestmark = pytest.mark.django_db


def test_manager_builds_a_programme_module_and_session(
    manager, academy, school_year, priority, trainer
):
    programme = services.create_programme(
        user=manager,
        academy=academy,
        school_year=school_year,
        code="10a0250009",
        title="Tableur",
        priority=priority,
    )
    assert programme.code == "10A0250009"
    module = services.create_module(
        user=manager,
        programme=programme,
        code="M1",
        title="Tableur",
        items=list(Item.objects.filter(code="B.2-2")),
    )
    session = services.create_session(
        user=manager, module=module, group="01", capacity=12, trainers=[trainer]
    )
    assert session.status == "draft"
    assert list(session.trainers.all()) == [trainer]
    services.publish_session(user=manager, session=session)
    session.refresh_from_db()
    assert session.status == "published"


def test_others_cannot_build_the_catalogue(auditor, head, outsider, academy, school_year, priority):
    for user in (auditor, head, outsider):
        with pytest.raises(TrainingError) as exc:
            services.create_programme(
                user=user,
                academy=academy,
                school_year=school_year,
                code="X",
                title="X",
                priority=priority,
            )
        assert exc.value.status == 403


def test_a_trainer_from_another_academie_is_refused(manager, module, make_user, other_academy):
    from training.models import RoleMembership

    stranger = make_user("paris-trainer", role=RoleMembership.Role.TRAINER, academy=other_academy)
    with pytest.raises(TrainingError, match="pas formateur"):
        services.create_session(
            user=manager, module=module, group="09", capacity=5, trainers=[stranger]
        )


def test_parcours_session_gets_one_slot_per_phase(manager, programme):
    template = ParcoursTemplate.objects.get(code="pairformance")
    module = Module.objects.create(
        programme=programme, code="P1", title="Pairform@nce", parcours=template
    )
    session = services.create_session(
        user=manager, module=module, group="01", capacity=20, first_day=dt.date(2030, 1, 7)
    )
    slots = list(session.slots.order_by("start", "pk"))
    assert [s.phase.order for s in slots] == [1, 2, 3, 4, 5, 6, 7]
    online, in_person = "self_paced", "in_person"
    assert [s.modality for s in slots] == [in_person, *[online] * 4, in_person, online]
    intro = slots[0]
    assert timezone.localtime(intro.start).strftime("%Y-%m-%d %H:%M") == "2030-01-07 09:00"
    assert intro.minutes == 180
    design = slots[2]
    assert design.credited_minutes == 360
    assert timezone.localdate(design.end) == timezone.localdate(slots[3].start)


def add(manager, session, start, end, **kwargs):
    return services.add_slot(
        user=manager, session=session, modality="in_person", start=start, end=end, **kwargs
    )


def test_slot_end_before_start_is_refused(manager, session):
    with pytest.raises(TrainingError, match="après son début"):
        add(manager, session, at(40, 12), at(40, 9))
    assert session.slots.count() == 1


def test_trainer_on_two_overlapping_slots_is_refused_naming_the_other(
    manager, make_session, trainer, module
):
    first, second = make_session(), make_session(slots=False)
    first.trainers.add(trainer)
    second.trainers.add(trainer)
    with pytest.raises(TrainingError) as exc:
        add(manager, second, at(30, 10), at(30, 11))
    assert exc.value.status == 409
    assert (
        "Un formateur de la session anime déjà « Intégrer l'ENT — groupe 01 » le "
        in exc.value.message
    )
    assert not second.slots.exists()


def test_room_on_two_overlapping_slots_is_refused(manager, make_session, other_school):
    make_session()
    second = make_session(slots=False)
    with pytest.raises(TrainingError, match="La salle B12 est déjà occupée par « Intégrer"):
        add(manager, second, at(30, 11), at(30, 13), school=other_school, room="b12")
    add(
        manager, second, at(30, 12), at(30, 13), school=other_school, room="B12"
    )  # back to back is fine


def test_booked_people_busy_elsewhere_are_a_conflict(manager, teacher, make_session, module):
    first = make_session(approval="none")
    services.request_enrolment(user=teacher, session=first, staff=teacher.staff)
    other_module = Module.objects.create(programme=module.programme, code="M2", title="Tableur")
    second = make_session(approval="none", days=50, module=other_module)
    services.request_enrolment(user=teacher, session=second, staff=teacher.staff)
    with pytest.raises(TrainingError, match="Des inscrits de la session sont déjà inscrits"):
        add(manager, second, at(30, 8), at(30, 10))


def test_manager_may_override_a_conflict_with_a_reason(manager, make_session, trainer):
    first, second = make_session(), make_session(slots=False)
    first.trainers.add(trainer)
    second.trainers.add(trainer)
    with pytest.raises(TrainingError, match="pourquoi"):
        add(manager, second, at(30, 10), at(30, 11), override=True)
    result = add(
        manager,
        second,
        at(30, 10),
        at(30, 11),
        override=True,
        override_reason="Co-animation prévue",
    )
    assert result.slot.conflict_override_by == manager
    assert result.slot.conflict_override_reason == "Co-animation prévue"


def test_self_paced_work_never_conflicts_but_needs_its_minutes(manager, make_session, trainer):
    first, second = make_session(), make_session(slots=False)
    first.trainers.add(trainer)
    second.trainers.add(trainer)
    with pytest.raises(TrainingError, match="durée créditée"):
        services.add_slot(
            user=manager, session=second, modality="self_paced", start=at(25), end=at(35)
        )
    result = services.add_slot(
        user=manager,
        session=second,
        modality="self_paced",
        start=at(25),
        end=at(35),
        credited_minutes=90,
    )
    assert result.slot.minutes == 90


def test_virtual_slot_needs_its_link(manager, make_session):
    session = make_session(slots=False)
    with pytest.raises(TrainingError, match="lien"):
        services.add_slot(
            user=manager, session=session, modality="virtual", start=at(30, 17), end=at(30, 18)
        )


def test_slot_during_the_zone_holidays_gives_a_warning(manager, make_session, module_2010):
    session = make_session(slots=False, module=module_2010)
    paris = timezone.get_current_timezone()
    start = dt.datetime(2010, 10, 27, 9, 0, tzinfo=paris)  # Toussaint 2010, every zone
    result = add(manager, session, start, start + dt.timedelta(hours=3))
    assert result.warnings == [
        "Attention : cette séance tombe pendant les vacances (Toussaint, zone C)."
    ]
    school_day = dt.datetime(2010, 11, 8, 9, 0, tzinfo=paris)
    assert add(manager, session, school_day, school_day + dt.timedelta(hours=2)).warnings == []


def test_winter_holidays_follow_the_academie_zone(manager, make_session, module_2010):
    session = make_session(slots=False, module=module_2010)
    paris = timezone.get_current_timezone()
    # Zone A holidays (26 Feb – 14 Mar 2011) are school days in Versailles (zone C).
    start = dt.datetime(2011, 3, 8, 9, 0, tzinfo=paris)
    assert add(manager, session, start, start + dt.timedelta(hours=2)).warnings == []
    start = dt.datetime(2011, 2, 15, 9, 0, tzinfo=paris)
    assert add(manager, session, start, start + dt.timedelta(hours=2)).warnings


def test_moving_a_slot_bumps_its_sequence_and_tells_the_booked(
    manager, teacher, make_session, other_school
):
    from training.models import Notification

    session = make_session(approval="none")
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    slot = session.slots.get()
    services.update_slot(user=manager, slot=slot, title="Nouveau titre")
    slot.refresh_from_db()
    assert slot.sequence == 0
    services.update_slot(user=manager, slot=slot, start=at(31, 9), end=at(31, 12))
    slot.refresh_from_db()
    assert slot.sequence == 1
    services.update_slot(user=manager, slot=slot, room="C3")
    slot.refresh_from_db()
    assert slot.sequence == 2
    assert Notification.objects.filter(recipient=teacher, template="session_changed").count() == 2


def test_cancelling_a_slot_keeps_it_with_a_new_sequence(manager, session):
    slot = services.cancel_slot(user=manager, slot=session.slots.get())
    assert (slot.status, slot.sequence) == (Slot.Status.CANCELLED, 1)
    with pytest.raises(TrainingError):
        services.update_slot(user=manager, slot=slot, room="X")


def test_moving_a_session_elsewhere_bumps_its_slots_and_tells_the_booked(
    manager, teacher, make_session
):
    from training.models import Notification

    session = make_session(approval="none")
    services.request_enrolment(user=teacher, session=session, staff=teacher.staff)
    services.update_session(user=manager, session=session, location="Lycée Hoche, salle 12")
    assert session.slots.get().sequence == 1
    notice = Notification.objects.get(recipient=teacher, template="session_changed")
    assert notice.reason == "Nouveau lieu : Lycée Hoche, salle 12."
    services.update_session(user=manager, session=session, capacity=5)
    assert session.slots.get().sequence == 1  # not a change of place
