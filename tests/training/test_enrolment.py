"""The enrolment state machine, seats and waitlists, through the services."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from tests.conftest import at
from training import services
from training.errors import TrainingError
from training.models import Enrolment, Notification, Programme, RoleMembership, Session, Slot

pytestmark = pytest.mark.django_db
State = Enrolment.State


def history(enrolment):
    return [
        (e.from_state, e.to_state, e.actor.username if e.actor else None)
        for e in enrolment.events.all()
    ]


def request(user, session):
    return services.request_enrolment(user=user, session=session, staff=user.staff)


@pytest.fixture
def teachers(make_user, school):
    return [make_user(f"t{i}", school=school) for i in range(4)]


def test_request_waits_for_the_head_and_tells_him(teacher, head, session):
    enrolment = request(teacher, session)
    assert enrolment.state == State.REQUESTED
    assert history(enrolment) == [("", "requested", "teacher")]
    assert Notification.objects.filter(recipient=head, template="enrolment_requested").count() == 1


def test_head_approval_books_the_seat(teacher, head, session):
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    assert enrolment.state == State.BOOKED
    assert history(enrolment) == [
        ("", "requested", "teacher"),
        ("requested", "approved", "head"),
        ("approved", "booked", "head"),
    ]
    templates = list(
        Notification.objects.filter(recipient=teacher).values_list("template", flat=True)
    )
    assert templates == ["enrolment_booked"]  # no separate "approved" e-mail


def test_without_approval_the_request_books_at_once(teacher, make_session):
    enrolment = request(teacher, make_session(approval="none"))
    assert enrolment.state == State.BOOKED


def test_head_then_rectorate_needs_the_managers_confirmation(teacher, head, manager, make_session):
    session = make_session(approval="head_then_rectorate")
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    assert enrolment.state == State.APPROVED
    assert Notification.objects.filter(recipient=teacher, template="enrolment_approved").exists()
    with pytest.raises(TrainingError) as exc:
        services.confirm_enrolment(user=head, enrolment=enrolment)
    assert exc.value.status == 403
    enrolment = services.confirm_enrolment(user=manager, enrolment=enrolment)
    assert enrolment.state == State.BOOKED


def test_manager_of_another_academie_cannot_confirm(
    teacher, head, make_user, other_academy, make_session
):
    session = make_session(approval="head_then_rectorate")
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    stranger = make_user("paris-manager", role=RoleMembership.Role.MANAGER, academy=other_academy)
    with pytest.raises(TrainingError):
        services.confirm_enrolment(user=stranger, enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.state == State.APPROVED


def test_decline_needs_a_reason_and_tells_it(teacher, head, session):
    enrolment = request(teacher, session)
    with pytest.raises(TrainingError, match="motif"):
        services.decline_enrolment(user=head, enrolment=enrolment, reason=" ")
    enrolment = services.decline_enrolment(
        user=head, enrolment=enrolment, reason="Conseil de classe ce jour-là"
    )
    assert enrolment.state == State.DECLINED
    assert enrolment.reason == "Conseil de classe ce jour-là"
    notice = Notification.objects.get(recipient=teacher)
    assert (notice.template, notice.reason) == (
        "enrolment_declined",
        "Conseil de classe ce jour-là",
    )


def test_head_cannot_approve_or_decline_for_another_school(teacher, outsider, session):
    enrolment = request(teacher, session)
    with pytest.raises(TrainingError) as exc:
        services.approve_enrolment(user=outsider, enrolment=enrolment)
    assert exc.value.status == 403
    with pytest.raises(TrainingError):
        services.decline_enrolment(user=outsider, enrolment=enrolment, reason="non")
    enrolment.refresh_from_db()
    assert enrolment.state == State.REQUESTED
    assert enrolment.events.count() == 1


def test_full_session_puts_people_on_the_waitlist_in_order(teachers, head, make_session):
    session = make_session(capacity=2, approval="none")
    states = [request(t, session).state for t in teachers]
    assert states == [State.BOOKED, State.BOOKED, State.WAITLISTED, State.WAITLISTED]
    assert [e.staff.user.username for e in session.enrolments.waitlist()] == ["t2", "t3"]


def test_full_session_without_waitlist_refuses_and_writes_nothing(teachers, make_session):
    session = make_session(capacity=1, approval="none", waitlist=False)
    request(teachers[0], session)
    with pytest.raises(TrainingError, match="complète"):
        request(teachers[1], session)
    assert session.enrolments.count() == 1


def test_a_freed_seat_goes_to_the_first_waitlisted(
    teachers, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1, approval="none")
    first = request(teachers[0], session)
    second, third = request(teachers[1], session), request(teachers[2], session)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(user=teachers[0], enrolment=first, reason="Malade")
    states = {e.pk: e.state for e in Enrolment.objects.filter(session=session)}
    assert states == {
        first.pk: State.CANCELLED,
        second.pk: State.BOOKED,
        third.pk: State.WAITLISTED,
    }
    assert history(Enrolment.objects.get(pk=second.pk))[-1] == ("waitlisted", "booked", None)
    assert Notification.objects.filter(
        recipient=teachers[1], template="enrolment_promoted"
    ).exists()


def test_promotion_is_idempotent(teachers, make_session):
    session = make_session(capacity=1, approval="none")
    first = request(teachers[0], session)
    request(teachers[1], session)
    Enrolment.objects.filter(pk=first.pk).update(state=State.CANCELLED)
    assert len(services.promote_waitlist(session_id=session.pk)) == 1
    assert services.promote_waitlist(session_id=session.pk) == []
    assert session.enrolments.booked().count() == 1


def test_no_automatic_promotion_close_to_the_start(teachers, make_session):
    session = make_session(capacity=1, approval="none", days=30, promotion_cutoff_days=2)
    first = request(teachers[0], session)
    request(teachers[1], session)
    Enrolment.objects.filter(pk=first.pk).update(state=State.CANCELLED)
    with time_machine.travel(at(29), tick=False):
        assert services.promote_waitlist(session_id=session.pk) == []
    assert session.enrolments.booked().count() == 0


def test_cancellation_needs_a_reason_the_owner_and_the_cutoff(teacher, head, make_session):
    session = make_session(approval="none", days=30, cancellation_cutoff_days=3)
    enrolment = request(teacher, session)
    with pytest.raises(TrainingError, match="motif"):
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="")
    with pytest.raises(TrainingError) as exc:
        services.cancel_enrolment(user=head, enrolment=enrolment, reason="Je décide")
    assert exc.value.status == 403
    with (
        time_machine.travel(at(28), tick=False),
        pytest.raises(TrainingError, match="plus possible"),
    ):
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Trop tard")
    enrolment.refresh_from_db()
    assert enrolment.state == State.BOOKED
    enrolment = services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Empêchement")
    assert (enrolment.state, enrolment.reason) == (State.CANCELLED, "Empêchement")


def test_one_can_enrol_again_after_cancelling(teacher, make_session):
    session = make_session(approval="none")
    services.cancel_enrolment(user=teacher, enrolment=request(teacher, session), reason="Erreur")
    assert request(teacher, session).state == State.BOOKED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"enrolment_opens": at(2)}, "Les inscriptions ouvrent le"),
        (
            {"enrolment_closes": at(-1, 8), "enrolment_opens": at(-3)},
            "Les inscriptions sont closes",
        ),
        ({"status": "cancelled"}, "annulée"),
        ({"status": "draft"}, "pas encore ouverte"),
    ],
)
def test_refusals_of_a_request_change_nothing(teacher, make_session, fields, message):
    session = make_session(approval="none")
    Session.objects.filter(pk=session.pk).update(**fields)
    with pytest.raises(TrainingError, match=message):
        request(teacher, session)
    assert not Enrolment.objects.exists()


def test_enrolling_twice_is_refused(teacher, session):
    request(teacher, session)
    with pytest.raises(TrainingError, match="déjà une inscription"):
        request(teacher, session)
    assert session.enrolments.count() == 1


def test_one_enrols_only_oneself(teacher, referent, session):
    with pytest.raises(TrainingError):
        services.request_enrolment(user=referent, session=session, staff=teacher.staff)


def test_overlapping_booking_is_refused_naming_the_other_slot(teacher, make_session, module):
    from training.models import Module

    first = make_session(approval="none", days=30)
    request(teacher, first)
    other_module = Module.objects.create(programme=module.programme, code="M2", title="Tableur")
    second = make_session(approval="none", days=30, module=other_module)
    with pytest.raises(TrainingError) as exc:
        request(teacher, second)
    assert "chevauche « Intégrer l'ENT — groupe 01 » le " in exc.value.message
    assert exc.value.status == 409
    assert not second.enrolments.exists()


def test_approval_is_refused_when_the_person_got_booked_elsewhere_meanwhile(
    teacher, head, make_session, module
):
    from training.models import Module

    other_module = Module.objects.create(programme=module.programme, code="M2", title="Tableur")
    pending = request(teacher, make_session(days=30, module=other_module))
    request(teacher, make_session(approval="none", days=30))
    with pytest.raises(TrainingError, match="chevauche"):
        services.approve_enrolment(user=head, enrolment=pending)
    pending.refresh_from_db()
    assert pending.state == State.REQUESTED


def test_in_school_session_is_for_its_own_staff(teacher, make_session, other_school, make_user):
    session = make_session(approval="none", host_school=other_school)
    with pytest.raises(TrainingError, match="réservée aux personnels"):
        request(teacher, session)
    colleague = make_user("lycee-teacher", school=other_school)
    assert request(colleague, session).state == State.BOOKED


def test_programme_for_another_degree_is_refused(teacher, make_session, programme):
    programme.degree = 1
    programme.save()
    with pytest.raises(TrainingError, match="1er degré"):
        request(teacher, make_session(approval="none"))


def test_public_designe_is_booked_by_the_rectorate_or_the_head(
    teacher, head, manager, outsider, make_session, programme
):
    programme.kind = Programme.Kind.DESIGNATED
    programme.save()
    session = make_session(approval="none")
    with pytest.raises(TrainingError, match="public désigné"):
        request(teacher, session)
    with pytest.raises(TrainingError):
        services.book_staff(user=outsider, session=session, staff=teacher.staff)
    enrolment = services.book_staff(user=head, session=session, staff=teacher.staff)
    assert enrolment.state == State.BOOKED
    assert history(enrolment)[0] == ("", "requested", "head")


def test_session_without_dates_books_when_the_first_slot_is_set(
    teacher, head, manager, make_session, other_school
):
    session = make_session(slots=False)
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    assert enrolment.state == State.APPROVED
    services.add_slot(
        user=manager,
        session=session,
        modality="in_person",
        start=at(40, 9),
        end=at(40, 12),
        school=other_school,
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.BOOKED


def test_undecided_requests_expire_when_the_window_closes(teachers, head, make_session):
    session = make_session()
    waiting = request(teachers[0], session)
    decided = services.approve_enrolment(user=head, enrolment=request(teachers[1], session))
    assert services.expire_enrolments(now=at(19)) == 0
    assert services.expire_enrolments(now=at(21)) == 1
    assert services.expire_enrolments(now=at(21)) == 0
    waiting.refresh_from_db()
    decided.refresh_from_db()
    assert (waiting.state, decided.state) == (State.EXPIRED, State.BOOKED)
    assert history(waiting)[-1] == ("requested", "expired", None)


def test_cancelling_a_session_ends_every_enrolment_and_slot(teachers, head, manager, make_session):
    session = make_session(capacity=1, approval="none")
    for t in teachers[:3]:
        request(t, session)
    with pytest.raises(TrainingError, match="motif"):
        services.cancel_session(user=manager, session=session, reason="")
    with pytest.raises(TrainingError):
        services.cancel_session(user=head, session=session, reason="Non")
    services.cancel_session(user=manager, session=session, reason="Formateur indisponible")
    assert set(session.enrolments.values_list("state", flat=True)) == {State.SESSION_CANCELLED}
    slot = session.slots.get()
    assert (slot.status, slot.sequence) == (Slot.Status.CANCELLED, 1)
    assert Notification.objects.filter(template="session_cancelled").count() == 3


def test_capacity_cannot_drop_below_the_booked_seats(
    teachers, manager, make_session, django_capture_on_commit_callbacks
):
    session = make_session(capacity=2, approval="none")
    for t in teachers[:3]:
        request(t, session)
    with pytest.raises(TrainingError, match="2 personnes sont déjà inscrites"):
        services.update_session(user=manager, session=session, capacity=1)
    session.refresh_from_db()
    assert session.capacity == 2
    with django_capture_on_commit_callbacks(execute=True):
        services.update_session(user=manager, session=session, capacity=3)
    assert session.enrolments.booked().count() == 3


def test_updating_a_session_requires_the_manager(auditor, session):
    with pytest.raises(TrainingError) as exc:
        services.update_session(user=auditor, session=session, capacity=10)
    assert exc.value.status == 403


def test_window_end_before_start_is_refused(manager, session):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.update_session(
            user=manager, session=session, enrolment_opens=at(5), enrolment_closes=at(2)
        )


def test_timezone_of_slots_is_paris(session):
    slot = session.slots.get()
    assert timezone.localtime(slot.start).hour == 9
    assert slot.minutes == 180
    assert slot.start.tzinfo is not None and slot.start.utcoffset() == dt.timedelta(0)


def test_rectorate_confirmation_without_dates_is_in_the_history(
    teacher, head, manager, make_session
):
    session = make_session(approval="head_then_rectorate", slots=False)
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    enrolment = services.confirm_enrolment(user=manager, enrolment=enrolment)
    assert enrolment.state == State.APPROVED
    assert history(enrolment)[-1] == ("approved", "approved", "manager")


def test_a_mail_server_failure_in_eager_mode_does_not_break_the_request(
    teacher, head, session, monkeypatch, django_capture_on_commit_callbacks
):
    from training import notifications

    def smtp_down(notification):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notifications, "send", smtp_down)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = request(teacher, session)
    assert enrolment.state == State.REQUESTED
    notice = Notification.objects.get(enrolment=enrolment)
    assert notice.sent_at is None  # left for the sweep


def test_the_sweep_sends_what_was_left_unsent(
    teacher, head, session, django_capture_on_commit_callbacks
):
    from django.core import mail

    from training import tasks

    Notification.objects.create(
        key="old", recipient=head, template="enrolment_requested", session=session
    )
    Notification.objects.filter(key="old").update(created_at=timezone.now() - dt.timedelta(hours=1))
    assert tasks.resend_pending_notifications() == 1
    assert Notification.objects.get(key="old").sent_at is not None
    assert len(mail.outbox) == 1
    assert tasks.resend_pending_notifications() == 0


def test_a_head_books_directly_only_on_public_designe_sessions(teacher, head, manager, session):
    with pytest.raises(TrainingError) as exc:
        services.book_staff(user=head, session=session, staff=teacher.staff)
    assert exc.value.status == 403
    assert not session.enrolments.exists()
    assert (
        services.book_staff(user=manager, session=session, staff=teacher.staff).state
        == State.BOOKED
    )


def test_the_rectorate_confirms_only_where_the_session_asks_for_it(
    teacher, head, manager, make_session
):
    session = make_session(approval="head", slots=False)
    enrolment = services.approve_enrolment(user=head, enrolment=request(teacher, session))
    assert enrolment.state == State.APPROVED  # waiting for dates, not for the rectorate
    with pytest.raises(TrainingError, match="n'attend pas de confirmation"):
        services.confirm_enrolment(user=manager, enrolment=enrolment)
