"""Celery tasks of ``training``: thin wrappers. Each takes ids and plain values, calls one
service and returns what it says; each service is idempotent (see CONVENTIONS.md).
Services enqueue these by name through ``training.jobs``, never by importing this module;
the periodic ones are scheduled in ``config/celery.py``."""

from __future__ import annotations

from dataclasses import asdict

from celery import shared_task
from django.conf import settings
from django.core import management

from training import services
from training.imports import runner
from training.services import accounts, anomalies, exports, notify


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_api_token_notice(token_id: int) -> bool:
    """The security notice of a new API token (sent once)."""
    return accounts.send_api_token_notice(token_id=token_id)


@shared_task
def clear_expired_sessions() -> None:
    management.call_command("clearsessions")


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_notification(notification_id: int) -> bool:
    """Send one notification of the outbox (once, even if the task runs twice)."""
    return notify.send_notification(notification_id=notification_id)


@shared_task(acks_late=True)
def resend_pending_notifications() -> int:
    """The outbox sweep."""
    return notify.resend_pending_notifications()


@shared_task(acks_late=True)
def promote_waitlist(session_id: int) -> int:
    return len(services.promote_waitlist(session_id=session_id))


@shared_task(acks_late=True)
def expire_enrolments() -> int:
    return services.expire_enrolments()


@shared_task(acks_late=True)
def send_reminders() -> int:
    return services.send_reminders(days=settings.DUNE_REMINDER_DAYS)


@shared_task(acks_late=True)
def flag_missing_attendance() -> int:
    """Sheets still empty some days after their slot ended: tell the trainers (once)."""
    return notify.flag_missing_attendance(days=settings.DUNE_ATTENDANCE_GRACE_DAYS)


@shared_task(acks_late=True)
def run_export(job_id: int) -> bool:
    """Write a large audit export's file, saving its progress after every chunk."""
    return exports.run_job(job_id)


@shared_task(acks_late=True)
def find_anomalies(academy_id: int | None = None) -> dict:
    """The nightly anomaly scan (every académie, or one). Idempotent: a second run
    updates the open findings, creates none twice, and resolves those now fixed."""
    return asdict(anomalies.scan_all(academy_ids=None if academy_id is None else [academy_id]))


@shared_task(acks_late=True)
def check_import(run_id: int) -> str:
    """The dry run of an uploaded file (imports). Idempotent: it only reads, and stores
    its counts on a run still being checked."""
    return runner.check_run(run_id=run_id).status


@shared_task(acks_late=True)
def apply_import(run_id: int) -> str:
    """Write a confirmed import in one transaction. Idempotent: a run already written
    (or refused) is left alone."""
    return runner.apply_run(run_id=run_id).status
