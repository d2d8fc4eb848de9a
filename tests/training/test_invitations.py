"""Calendar invitations by e-mail (iTIP over e-mail): a booking puts the session's slots
in the person's calendar, a change moves them (higher SEQUENCE), a withdrawal or a
cancellation takes them out, each with the feeds' UIDs and each sent once."""

from email.utils import parseaddr

import pytest
from django.conf import settings
from django.core import mail
from icalendar import Calendar

from tests.conftest import at
from training import ical, services, tasks
from training.models import Enrolment, Notification, Slot

pytestmark = pytest.mark.django_db
State = Enrolment.State


@pytest.fixture
def colleague(make_user, school):
    return make_user("collegue", school=school, first_name="Paul", last_name="Durand")


@pytest.fixture
def two_slots(make_session):
    """A session open without approval, with two slots (the second a virtual class)."""
    session = make_session(approval="none")
    Slot.objects.create(
        session=session,
        modality="virtual",
        start=at(32, 14),
        end=at(32, 16),
        video_url="https://visio.example.org/salle-42",
    )
    return session


def book(user, session):
    return services.request_enrolment(user=user, session=session, staff=user.staff)


def uid(slot) -> str:
    return f"slot-{slot.pk}@{ical.site_host()}"


def message_to(user, template_phrase):
    [message] = [m for m in mail.outbox if m.to == [user.email] and template_phrase in m.subject]
    return message


def calendars_of(message) -> dict:
    """The calendar files of an e-mail, by METHOD, checking their MIME labelling."""
    found = {}
    for part in message.attachments:
        assert part.get_content_type() == "text/calendar"
        method = part.get_param("method")
        assert part.get_content_charset() == "utf-8"
        assert part.get_filename() == (
            "invitation.ics" if method == "REQUEST" else "annulation.ics"
        )
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert calendar["METHOD"] == method
        found[method] = calendar
    return found


def events(calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_a_booking_sends_a_request_with_the_feed_uids(
    teacher, two_slots, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        book(teacher, two_slots)
    message = message_to(teacher, "Inscription confirmée")
    assert list(calendars_of(message)) == ["REQUEST"]
    request = calendars_of(message)["REQUEST"]
    found = events(request)
    assert set(found) == {uid(slot) for slot in two_slots.slots.all()}
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    for event in found.values():
        assert str(event["ORGANIZER"]) == f"mailto:{organizer}"
        assert str(event["ATTENDEE"]) == f"mailto:{teacher.email}"
        assert int(event["SEQUENCE"]) == 0
        assert event["STATUS"] == "CONFIRMED"
    # The HTML body is still the one alternative; the calendar is an attachment.
    assert [mimetype for _content, mimetype in message.alternatives] == ["text/html"]


def test_the_request_is_stamped_with_the_notification_date(
    teacher, session, django_capture_on_commit_callbacks
):
    session.approval = "none"
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(teacher, session)
    notification = Notification.objects.get(template="enrolment_booked")
    [event] = calendars_of(message_to(teacher, "Inscription confirmée"))["REQUEST"].walk("VEVENT")
    assert event.decoded("DTSTAMP") == notification.created_at.replace(microsecond=0)


def test_a_request_leaves_out_cancelled_slots(
    teacher, manager, two_slots, django_capture_on_commit_callbacks
):
    cancelled = two_slots.slots.get(modality="virtual")
    services.cancel_slot(user=manager, slot=cancelled)
    with django_capture_on_commit_callbacks(execute=True):
        book(teacher, two_slots)
    request = calendars_of(message_to(teacher, "Inscription confirmée"))["REQUEST"]
    assert uid(cancelled) not in events(request)
    assert len(events(request)) == 1


def test_a_promotion_from_the_waitlist_sends_a_request(
    teacher, colleague, make_session, django_capture_on_commit_callbacks
):
    session = make_session(approval="none", capacity=1)
    book(teacher, session)
    waiting = book(colleague, session)
    assert waiting.state == State.WAITLISTED
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(
            user=teacher, enrolment=teacher.staff.enrolments.get(), reason="Malade"
        )
    promoted = message_to(colleague, "Une place s'est libérée")
    assert set(events(calendars_of(promoted)["REQUEST"])) == {uid(session.slots.get())}


def test_a_moved_slot_sends_a_request_with_the_next_sequence(
    teacher, manager, two_slots, django_capture_on_commit_callbacks
):
    book(teacher, two_slots)
    moved = two_slots.slots.get(modality="in_person")
    with django_capture_on_commit_callbacks(execute=True):
        services.update_slot(user=manager, slot=moved, start=at(31, 14), end=at(31, 17))
    message = message_to(teacher, "Changement de dates ou de lieu")
    assert list(calendars_of(message)) == ["REQUEST"]
    found = events(calendars_of(message)["REQUEST"])
    assert set(found) == {uid(slot) for slot in two_slots.slots.all()}
    assert int(found[uid(moved)]["SEQUENCE"]) == 1
    assert found[uid(moved)].decoded("DTSTART") == at(31, 14)
    unchanged = two_slots.slots.get(modality="virtual")
    assert int(found[uid(unchanged)]["SEQUENCE"]) == 0


def test_a_cancelled_slot_sends_its_cancellation_and_keeps_the_others(
    teacher, manager, two_slots, django_capture_on_commit_callbacks
):
    book(teacher, two_slots)
    cancelled = two_slots.slots.get(modality="virtual")
    kept = two_slots.slots.get(modality="in_person")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_slot(user=manager, slot=cancelled)
    parts = calendars_of(message_to(teacher, "Changement de dates ou de lieu"))
    assert set(events(parts["REQUEST"])) == {uid(kept)}
    [event] = parts["CANCEL"].walk("VEVENT")
    assert event["UID"] == uid(cancelled)
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_a_change_sends_no_invitation_to_the_waitlisted(
    teacher, colleague, manager, make_session, django_capture_on_commit_callbacks
):
    session = make_session(approval="none", capacity=1)
    book(teacher, session)
    book(colleague, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_slot(
            user=manager, slot=session.slots.get(), start=at(31, 14), end=at(31, 17)
        )
    assert message_to(colleague, "Changement de dates ou de lieu").attachments == []
    assert "REQUEST" in calendars_of(message_to(teacher, "Changement de dates ou de lieu"))


def test_a_withdrawal_sends_a_cancel(teacher, two_slots, django_capture_on_commit_callbacks):
    enrolment = book(teacher, two_slots)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Malade")
    message = message_to(teacher, "Désistement enregistré")
    assert list(calendars_of(message)) == ["CANCEL"]
    found = events(calendars_of(message)["CANCEL"])
    assert set(found) == {uid(slot) for slot in two_slots.slots.all()}
    for event in found.values():
        assert event["STATUS"] == "CANCELLED"
        assert str(event["ATTENDEE"]) == f"mailto:{teacher.email}"


def test_withdrawing_a_request_never_booked_sends_no_cancel(
    teacher, session, django_capture_on_commit_callbacks
):
    enrolment = book(teacher, session)  # awaiting the head
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Plus disponible")
    assert message_to(teacher, "Désistement enregistré").attachments == []


def test_a_cancelled_session_sends_a_cancel_to_those_booked(
    teacher, colleague, manager, make_session, django_capture_on_commit_callbacks
):
    session = make_session(approval="none", capacity=1)
    book(teacher, session)
    book(colleague, session)  # waitlisted: had nothing in his calendar
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(user=manager, session=session, reason="Formateur indisponible")
    [event] = calendars_of(message_to(teacher, "Session annulée"))["CANCEL"].walk("VEVENT")
    assert event["UID"] == uid(session.slots.get())
    assert event["STATUS"] == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1
    assert str(event["SUMMARY"]).startswith("[ANNULÉ]")
    assert message_to(colleague, "Session annulée").attachments == []


def test_a_booking_told_after_a_withdrawal_carries_no_invitation(
    teacher, session, django_capture_on_commit_callbacks
):
    """The worker may send the booking late, after the withdrawal: the person's calendar
    must not get back the slots he gave up."""
    session.approval = "none"
    session.save()
    with django_capture_on_commit_callbacks() as booking:
        enrolment = book(teacher, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrolment(user=teacher, enrolment=enrolment, reason="Malade")
    for callback in booking:
        callback()
    assert message_to(teacher, "Inscription confirmée").attachments == []
    assert "CANCEL" in calendars_of(message_to(teacher, "Désistement enregistré"))


def test_sending_again_sends_nothing_twice(teacher, session, django_capture_on_commit_callbacks):
    session.approval = "none"
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        book(teacher, session)
    assert len(mail.outbox) == 1
    notification = Notification.objects.get(template="enrolment_booked")
    assert tasks.send_notification(notification.pk) is False
    assert tasks.send_notification.delay(notification.pk).get() is False
    assert len(mail.outbox) == 1
