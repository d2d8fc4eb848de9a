"""The Celery app and Dune's whole periodic schedule, in one place.

Settings come from Django's (``CELERY_*``). With no ``CELERY_BROKER_URL`` the tasks run
in-process when enqueued (eager), so the embedded default needs no broker; production
runs Redis (or RabbitMQ), several workers and exactly one ``celery beat``.
"""

import os

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("dune")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
def _job_is_the_origin(task_id=None, task=None, **kwargs):
    """The trail names the job that made a change (training/origin.py)."""
    from training import origin

    task.request.dune_origin = origin.for_job(task.name, task_id)


@signals.task_postrun.connect
def _job_done(task_id=None, task=None, **kwargs):
    from training import origin

    token = getattr(task.request, "dune_origin", None)
    if token is not None:
        origin.reset(token)


# The periodic schedule. Each entry names a task that is idempotent, so a beat that
# fires twice or a retried run changes nothing.
app.conf.beat_schedule = {
    "expire-enrolments": {
        "task": "training.tasks.expire_enrolments",
        "schedule": crontab(minute="*/15"),
    },
    "send-session-reminders": {
        "task": "training.tasks.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "flag-missing-attendance": {
        "task": "training.tasks.flag_missing_attendance",
        "schedule": crontab(hour=6, minute=30),
    },
    "compute-allowance-instalments": {
        "task": "referents.tasks.compute_instalments",
        "schedule": crontab(day_of_month=1, hour=2, minute=0),
    },
    "resend-pending-notifications": {
        "task": "training.tasks.resend_pending_notifications",
        "schedule": crontab(minute="*/10"),
    },
    "find-anomalies": {
        "task": "training.tasks.find_anomalies",
        "schedule": crontab(hour=1, minute=30),
    },
    "clear-expired-sessions": {
        "task": "training.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=15),
    },
}
