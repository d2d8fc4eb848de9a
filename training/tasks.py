"""Celery tasks of ``training``: each takes ids, loads, and calls a service; each is
idempotent (see CONVENTIONS.md)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app, shared_task
from django.core import management
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from training.models import ApiToken, Notification

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Enqueue ``task`` once the current transaction commits (never for a rolled-back
    change, and never before the rows it reads are visible to a worker).

    In the embedded default (eager, no broker) the task runs right there, after the
    commit: an error in it (the mail server down) must not turn the request that
    already succeeded into an error page. It is logged; the outbox sweep sends the
    notification later.
    """

    def send():
        if not current_app.conf.task_always_eager:
            task.delay(*args)
            return
        try:
            task.delay(*args)
        except Exception:
            logger.exception("Background task %s%r failed (eager mode)", task.name, args)

    transaction.on_commit(send)


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_api_token_notice(token_id: int) -> bool:
    """Tell a person that an API token was created on his account (a security notice).

    The conditional update claims the notice first, so a retried or duplicated task
    sends nothing twice; if the send fails the claim is released for the retry.
    """
    claimed = ApiToken.objects.filter(pk=token_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    token = ApiToken.objects.select_related("user").get(pk=token_id)
    if not token.user.email:
        return False
    context = {"token": token, "user": token.user}
    try:
        with translation.override("fr"):
            send_mail(
                subject=render_to_string("emails/api_token_created_subject.txt", context).strip(),
                message=render_to_string("emails/api_token_created_body.txt", context),
                from_email=None,
                recipient_list=[token.user.email],
            )
    except Exception:
        ApiToken.objects.filter(pk=token_id).update(notified_at=None)
        raise
    return True


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_notification(notification_id: int) -> bool:
    """Send one notification of the outbox. Claimed with a conditional update, so that a
    retried or duplicated task sends nothing twice; released if the mail server fails."""
    from training.notifications import send

    claimed = Notification.objects.filter(pk=notification_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return False
    try:
        send(Notification.objects.select_related("recipient").get(pk=notification_id))
    except Exception:
        # Not sent: release the claim so that a retry (or the sweep) sends it.
        Notification.objects.filter(pk=notification_id).update(sent_at=None)
        raise
    return True


@shared_task(acks_late=True)
def resend_pending_notifications() -> int:
    """The outbox sweep: notifications still unsent after a while (the broker was down
    at commit, the retries ran out) are enqueued again. Sending claims each row, so a
    notification enqueued twice is still sent once."""
    now = timezone.now()
    pending = Notification.objects.filter(
        sent_at__isnull=True,
        created_at__lt=now - dt.timedelta(minutes=10),
        created_at__gte=now - dt.timedelta(days=2),
    ).values_list("pk", flat=True)
    count = 0
    for pk in pending.iterator():
        send_notification.delay(pk)
        count += 1
    return count


@shared_task(acks_late=True)
def promote_waitlist(session_id: int) -> int:
    from training import services

    return len(services.promote_waitlist(session_id=session_id))


@shared_task(acks_late=True)
def expire_enrolments() -> int:
    from training import services

    return services.expire_enrolments()


@shared_task(acks_late=True)
def send_reminders() -> int:
    from django.conf import settings

    from training import services

    return services.send_reminders(days=settings.DUNE_REMINDER_DAYS)


@shared_task(acks_late=True)
def flag_missing_attendance() -> int:
    """Sheets still empty some days after their slot ended: tell the trainers (once)."""
    from django.conf import settings

    from training.services import attendance, notify

    slots = attendance.missing_attendance_slots(
        now=timezone.now(), days=settings.DUNE_ATTENDANCE_GRACE_DAYS
    ).prefetch_related("session__trainers")
    count = 0
    for slot in slots.select_related("session__module"):
        with transaction.atomic():
            notify.attendance_missing(slot=slot)
        count += 1
    return count


@shared_task(acks_late=True)
def run_export(job_id: int) -> bool:
    """Write a large audit export's file, saving its progress after every chunk."""
    from training import exports

    return exports.run_job(job_id)


@shared_task(acks_late=True)
def find_anomalies(academy_id: int | None = None) -> dict:
    """The nightly anomaly scan (every académie, or one). Idempotent: a second run
    updates the open findings, creates none twice, and resolves those now fixed."""
    from dataclasses import asdict

    from training.anomalies import scan_all

    return asdict(scan_all(academy_ids=None if academy_id is None else [academy_id]))


@shared_task(acks_late=True)
def check_import(run_id: int) -> str:
    """The dry run of an uploaded file (imports). Idempotent: it only reads, and stores
    its counts on a run still being checked."""
    from training.imports import runner

    return runner.check_run(run_id=run_id).status


@shared_task(acks_late=True)
def apply_import(run_id: int) -> str:
    """Write a confirmed import in one transaction. Idempotent: a run already written
    (or refused) is left alone."""
    from training.imports import runner

    return runner.apply_run(run_id=run_id).status
