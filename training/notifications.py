"""Rendering and sending one notification e-mail (plain text and HTML, in French), with
the calendar invitation or cancellation (iTIP over e-mail) when it moves slots in the
recipient's calendar."""

from __future__ import annotations

from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from training import ical
from training.models import Enrolment, EnrolmentEvent, Notification, Slot

# Templates that put the session's slots in the recipient's calendar (or update them).
REQUEST_TEMPLATES = {"enrolment_booked", "enrolment_promoted", "session_changed"}
# Templates that take them out.
CANCEL_TEMPLATES = {"enrolment_cancelled", "session_cancelled"}


def context_for(notification: Notification) -> dict:
    session = notification.session
    enrolment = notification.enrolment
    context = {
        "notification": notification,
        "recipient": notification.recipient,
        "enrolment": enrolment,
        "session": session,
        "reason": notification.reason,
        "site_url": settings.SITE_URL,
    }
    if session is not None:
        context["slots"] = list(
            session.slots.select_related(
                "school", "session__module__programme", "session__host_school"
            ).order_by("start")
        )
        context["session_url"] = settings.SITE_URL + reverse(
            "training:session_detail", args=[session.pk]
        )
    if notification.school_plan_id:
        context["plan"] = notification.school_plan
        context["plan_url"] = settings.SITE_URL + reverse(
            "training:school_plan_detail", args=[notification.school_plan_id]
        )
    context["queue_url"] = settings.SITE_URL + reverse("training:approval_queue")
    context["my_training_url"] = settings.SITE_URL + reverse("training:my_training")
    return context


def _was_booked(enrolment: Enrolment) -> bool:
    """Whether the person ever received the slots (a booking): a cancellation is sent
    only to calendars that hold them."""
    return EnrolmentEvent.objects.filter(
        enrolment=enrolment, to_state=Enrolment.State.BOOKED
    ).exists()


def calendar_parts(notification: Notification, slots: list[Slot]) -> list[tuple[str, list[Slot]]]:
    """The (method, slots) of each calendar file the e-mail carries: one file per
    METHOD, since an iCalendar object has one (RFC 5545 3.7.2), and calendar programs
    act on a REQUEST or a CANCEL, not on a mix."""
    enrolment = notification.enrolment
    if enrolment is None or not slots:
        return []
    template = notification.template
    active = [slot for slot in slots if not ical.is_cancelled(slot)]
    parts = []
    if template in REQUEST_TEMPLATES:
        # Sent after commit, maybe late: a person no longer booked (withdrawn, session
        # cancelled since) gets no invitation; the cancellation has told him already.
        if enrolment.state != Enrolment.State.BOOKED:
            return []
        if active:
            parts.append(("REQUEST", active))
        if template == "session_changed" and len(active) < len(slots):
            parts.append(("CANCEL", [slot for slot in slots if ical.is_cancelled(slot)]))
    elif template in CANCEL_TEMPLATES and _was_booked(enrolment):
        parts.append(("CANCEL", slots))
    return parts


def _bookings_ended(notification: Notification) -> int:
    """How many times the person had left a booking of the session (withdrawn, session
    cancelled) when the notification was written: each new enrolment is a new row, so
    this counts over all the person's enrolments in the session."""
    enrolment = notification.enrolment
    return (
        EnrolmentEvent.objects.filter(
            enrolment__session_id=enrolment.session_id,
            enrolment__staff_id=enrolment.staff_id,
            from_state=Enrolment.State.BOOKED,
            at__lte=notification.created_at,
        )
        .exclude(to_state=Enrolment.State.BOOKED)
        .count()
    )


def sequences(notification: Notification, method: str, slots: list[Slot]) -> dict[int, int]:
    """The SEQUENCE of each slot in what this person receives (RFC 5546 2.1.4: a message
    whose SEQUENCE is not above the one held may be ignored as out of date).

    A slot's own SEQUENCE moves when its time, place or status does; a withdrawal moves
    nothing, yet its CANCEL must be above the REQUEST the person last received, and a
    new booking's REQUEST above that CANCEL. So each booking the person ended adds 2:
    after ``n`` of them, his REQUESTs carry ``sequence + 2n``; the CANCEL that ends his
    booking ``n`` carries ``sequence + 2(n - 1) + 1``, or ``+ 0`` for a slot cancelled
    (its own SEQUENCE already moved past the last REQUEST, which left it out)."""
    ended = _bookings_ended(notification)
    if method == "CANCEL" and notification.template in CANCEL_TEMPLATES:
        base = 2 * max(ended - 1, 0)
        return {
            slot.pk: slot.sequence + base + (0 if ical.is_cancelled(slot) else 1) for slot in slots
        }
    return {slot.pk: slot.sequence + 2 * ended for slot in slots}


def attach_calendar(message: EmailMultiAlternatives, notification: Notification, slots) -> None:
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    for method, part_slots in calendar_parts(notification, slots):
        content = ical.invitation(
            method=method,
            slots=part_slots,
            organizer_email=organizer,
            attendee_email=notification.recipient.email,
            host=ical.site_host(),
            # The message's date: orders two messages of the same SEQUENCE.
            stamp=notification.created_at,
            sequences=sequences(notification, method, part_slots),
        )
        # Built by hand: Django's attach() would add a second charset to a content type
        # that carries parameters, and calendar programs read ``method`` from it.
        part = MIMEText(content.decode(), "calendar", "utf-8")
        part.set_param("method", method, requote=False)
        filename = "invitation.ics" if method == "REQUEST" else "annulation.ics"
        part.add_header("Content-Disposition", "attachment", filename=filename)
        message.attach(part)


def send(notification: Notification) -> None:
    if not notification.recipient.email:
        return
    context = context_for(notification)
    name = f"emails/{notification.template}"
    with translation.override("fr"):
        subject = render_to_string(f"{name}_subject.txt", context).strip()
        text = render_to_string(f"{name}_body.txt", context)
        html = render_to_string(f"{name}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[notification.recipient.email])
    message.attach_alternative(html, "text/html")
    attach_calendar(message, notification, context.get("slots", []))
    message.send()
