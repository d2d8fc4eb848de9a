"""Celery tasks of ``training``: each takes ids, loads, and calls a service; each is
idempotent (see CONVENTIONS.md)."""

from __future__ import annotations

from celery import shared_task
from django.core import management
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from training.models import ApiToken, Notification


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
    except OSError:
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
    except OSError:
        Notification.objects.filter(pk=notification_id).update(sent_at=None)
        raise
    return True


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
