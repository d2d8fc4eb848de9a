"""How a service asks for background work: by the task's name, after commit.

Services enqueue through here and never import ``tasks.py``, while the tasks (thin
wrappers) call the services: the arrows point one way. The names below are the Celery
task names (``<module>.<function>``, Celery's default); the periodic ones are named in
``config/celery.py``'s schedule.
"""

from __future__ import annotations

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)

SEND_API_TOKEN_NOTICE = "training.tasks.send_api_token_notice"  # noqa: S105 (a task name)
SEND_NOTIFICATION = "training.tasks.send_notification"
PROMOTE_WAITLIST = "training.tasks.promote_waitlist"
RUN_EXPORT = "training.tasks.run_export"
CHECK_IMPORT = "training.tasks.check_import"
APPLY_IMPORT = "training.tasks.apply_import"


def _task(task_name: str):
    # The app's registry, filled from every installed app's ``tasks`` module when Celery
    # finalizes (a name that is not there fails loudly, in tests too).
    return current_app.tasks[task_name]


def enqueue(task_name: str, *args) -> None:
    """Enqueue the task named ``task_name`` now: for periodic jobs, which run outside any
    transaction (in eager mode the task runs right here, and its error is the job's)."""
    _task(task_name).delay(*args)


def enqueue_on_commit(task_name: str, *args) -> None:
    """Enqueue the task named ``task_name`` once the current transaction commits (never
    for a rolled-back change, and never before the rows it reads are visible to a
    worker). Arguments are ids and plain JSON values.

    In the embedded default (eager, no broker) the task runs right there, after the
    commit: an error in it (the mail server down) must not turn the request that
    already succeeded into an error page. It is logged; the outbox sweep sends the
    notification later.
    """

    def send():
        task = _task(task_name)
        if not current_app.conf.task_always_eager:
            task.delay(*args)
            return
        try:
            task.delay(*args)
        except Exception:
            logger.exception("Background task %s%r failed (eager mode)", task_name, args)

    transaction.on_commit(send)
