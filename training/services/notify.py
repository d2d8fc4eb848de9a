"""Who is told what. Notifications are rows of the outbox (``Notification``) written in
the transaction of the change; a Celery task sends each one after commit, once."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from training import jobs, notifications
from training.formatting import describe_slot
from training.models import (
    Enrolment,
    EnrolmentEvent,
    Notification,
    RoleMembership,
    SchoolPlanEvent,
    Session,
    Slot,
)

State = Enrolment.State

# The template told to the teacher for each state an enrolment reaches.
TEACHER_TEMPLATES = {
    State.APPROVED: "enrolment_approved",
    State.BOOKED: "enrolment_booked",
    State.WAITLISTED: "enrolment_waitlisted",
    State.DECLINED: "enrolment_declined",
    State.EXPIRED: "enrolment_expired",
    State.CANCELLED: "enrolment_cancelled",
    State.SESSION_CANCELLED: "session_cancelled",
}


def _queue(
    *, key: str, recipient, template: str, enrolment=None, session=None, school_plan=None, reason=""
) -> None:
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                key=key,
                recipient=recipient,
                template=template,
                enrolment=enrolment,
                session=session or (enrolment.session if enrolment else None),
                school_plan=school_plan,
                reason=reason[:300],
            )
    except IntegrityError:
        return  # already queued (a periodic job running twice)
    jobs.enqueue_on_commit(jobs.SEND_NOTIFICATION, notification.pk)


def _approved_is_final_for_now(enrolment: Enrolment) -> bool:
    """An approval is news of its own only when no seat follows at once: the rectorate
    still has to confirm, or the session has no dates yet."""
    session = enrolment.session
    if (
        session.approval == Session.Approval.HEAD_THEN_RECTORATE
        and not enrolment.rectorate_confirmed_at
    ):
        return True
    return not session.active_slots().exists()


def enrolment_changed(*, enrolment: Enrolment, event: EnrolmentEvent) -> None:
    if event.to_state == State.REQUESTED:
        heads = RoleMembership.objects.filter(
            role=RoleMembership.Role.HEAD, school_id=enrolment.staff.school_id
        ).select_related("user")
        for membership in heads:
            _queue(
                key=f"event:{event.pk}:{membership.user_id}",
                recipient=membership.user,
                template="enrolment_requested",
                enrolment=enrolment,
            )
        return
    template = TEACHER_TEMPLATES.get(event.to_state)
    if event.to_state == State.BOOKED and event.from_state == State.WAITLISTED:
        template = "enrolment_promoted"
    if template is None:
        return
    if event.to_state == State.APPROVED and not _approved_is_final_for_now(enrolment):
        return
    _queue(
        key=f"event:{event.pk}:{enrolment.staff.user_id}",
        recipient=enrolment.staff.user,
        template=template,
        enrolment=enrolment,
        reason=event.reason,
    )


def session_changed(*, session: Session, reason: str) -> None:
    """Tell the people booked or waitlisted that the dates or places changed."""
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    for enrolment in session.enrolments.filter(
        state__in=[State.BOOKED, State.WAITLISTED]
    ).select_related("staff__user"):
        _queue(
            key=f"change:{session.pk}:{stamp}:{enrolment.pk}",
            recipient=enrolment.staff.user,
            template="session_changed",
            enrolment=enrolment,
            reason=reason,
        )


def send_reminders(*, now: dt.datetime | None = None, days: int = 3) -> int:
    """Remind the booked people of sessions whose first slot is within ``days`` days.
    Keyed per enrolment: running the job again sends nothing twice."""
    now = now or timezone.now()
    sessions = Session.objects.with_counts().filter(
        status=Session.Status.PUBLISHED,
        first_slot_start__gt=now,
        first_slot_start__lte=now + dt.timedelta(days=days),
    )
    count = 0
    with transaction.atomic():
        for enrolment in (
            Enrolment.objects.booked()
            .filter(session__in=sessions)
            .select_related("staff__user", "session")
        ):
            before = Notification.objects.filter(key=f"reminder:{enrolment.pk}").exists()
            if not before:
                _queue(
                    key=f"reminder:{enrolment.pk}",
                    recipient=enrolment.staff.user,
                    template="session_reminder",
                    enrolment=enrolment,
                )
                count += 1
    return count


def attendance_missing(*, slot) -> None:
    """Remind a slot's trainers that its attendance sheet is still empty (once)."""
    for trainer in slot.session.trainers.all():
        _queue(
            key=f"attendance-missing:{slot.pk}:{trainer.pk}",
            recipient=trainer,
            template="attendance_missing",
            session=slot.session,
            reason=describe_slot(slot),
        )


def flag_missing_attendance(*, now: dt.datetime | None = None, days: int) -> int:
    """Sheets still empty ``days`` days after their slot ended: tell the trainers (once
    per slot and trainer, so the daily job may run again)."""
    slots = (
        Slot.objects.missing_attendance(now=now or timezone.now(), days=days)
        .prefetch_related("session__trainers")
        .select_related("session__module")
    )
    count = 0
    for slot in slots:
        with transaction.atomic():
            attendance_missing(slot=slot)
        count += 1
    return count


# --- School training plans ------------------------------------------------------------


def school_plan_changed(*, plan, event) -> None:
    """Submitted: the school's heads are asked to decide. Returned or approved: whoever
    submitted it is told (with the head's comment)."""
    Action = SchoolPlanEvent.Action
    if event.action == Action.SUBMITTED:
        recipients = [
            m.user
            for m in RoleMembership.objects.filter(
                role=RoleMembership.Role.HEAD, school_id=plan.school_id
            ).select_related("user")
        ]
        template = "school_plan_submitted"
    elif event.action in (Action.RETURNED, Action.APPROVED):
        submitted = (
            plan.events.filter(action=Action.SUBMITTED)
            .select_related("author")
            .order_by("-at", "-pk")
            .first()
        )
        recipients = [submitted.author] if submitted else []
        template = (
            "school_plan_returned" if event.action == Action.RETURNED else "school_plan_approved"
        )
    else:
        return
    for recipient in recipients:
        if recipient.pk == event.author_id:
            continue  # a head who drafts his own plan needs no e-mail about it
        _queue(
            key=f"school-plan:{event.pk}:{recipient.pk}",
            recipient=recipient,
            template=template,
            school_plan=plan,
            reason=event.detail,
        )


def tell(*, key: str, recipient, template: str, reason: str = "") -> None:
    """A message about something ``training`` does not model (a référent's candidature,
    say): the template reads ``reason`` and the site's URLs. Queued once per ``key``."""
    _queue(key=key, recipient=recipient, template=template, reason=reason)


# --- Sending the outbox ---------------------------------------------------------------

# The sweep takes notifications left unsent for this long (the broker was down at
# commit, the retries ran out), up to this age.
SWEEP_AFTER = dt.timedelta(minutes=10)
SWEEP_WITHIN = dt.timedelta(days=2)


def send_notification(*, notification_id: int) -> bool:
    """Send one notification of the outbox. Claimed with a conditional update, so that a
    retried or duplicated task sends nothing twice; released if the mail server fails."""
    claimed = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        notifications.send(Notification.objects.select_related("recipient").get(pk=notification_id))
    except Exception:
        # Not sent: release the claim so that a retry (or the sweep) sends it.
        Notification.objects.filter(pk=notification_id).update(sent_at=None)
        raise
    return True


def resend_pending_notifications(*, now: dt.datetime | None = None) -> int:
    """The outbox sweep: notifications still unsent after a while are enqueued again.
    Sending claims each row, so a notification enqueued twice is still sent once."""
    now = now or timezone.now()
    pending = Notification.objects.filter(
        sent_at__isnull=True,
        created_at__lt=now - SWEEP_AFTER,
        created_at__gte=now - SWEEP_WITHIN,
    ).values_list("pk", flat=True)
    count = 0
    for pk in pending.iterator():
        jobs.enqueue(jobs.SEND_NOTIFICATION, pk)
        count += 1
    return count
