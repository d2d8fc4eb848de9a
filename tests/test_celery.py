"""The Celery app: settings that keep tasks from being lost, the periodic schedule, and a
real worker (not eager) running a task enqueued after commit.

The worker test uses ``CELERY_BROKER_URL`` when set (``.ci/run`` points it at Redis),
else the in-memory broker, with the worker in a thread of this process.
"""

import os
import subprocess
import sys
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction

from config.celery import app
from training import jobs, services, tasks
from training.models import ApiToken
from training.services import accounts


def test_tasks_are_not_lost_when_a_worker_dies():
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] >= 3600
    assert app.conf.task_serializer == "json"


def test_every_scheduled_task_exists():
    app.loader.import_default_modules()
    assert app.conf.beat_schedule
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name


def test_every_job_a_service_enqueues_is_a_task_of_the_app():
    names = [value for key, value in vars(jobs).items() if key.isupper()]
    assert "training.tasks.send_notification" in names
    for name in names:
        assert name in app.tasks, name


def test_a_web_process_finds_the_jobs_without_a_worker_having_started():
    # A fresh interpreter, as gunicorn's: nothing but Django set up (this test process
    # imports the tasks itself, so it cannot tell).
    code = (
        "import django; django.setup()\n"
        "from celery import current_app\n"
        "from training import jobs\n"
        "names = [v for k, v in vars(jobs).items() if k.isupper()]\n"
        "missing = [n for n in names if n not in current_app.tasks]\n"
        "assert 'referents.tasks.compute_instalments' in current_app.tasks\n"
        "print(missing)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


@pytest.mark.django_db
def test_token_notice_is_sent_once_even_if_the_task_runs_twice(
    teacher, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        token, _raw = services.create_api_token(user=teacher, name="script")
    assert len(mail.outbox) == 1
    assert tasks.send_api_token_notice(token.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_token_notice_is_released_for_a_retry_when_the_mail_server_fails(teacher, monkeypatch):
    token = ApiToken.objects.create(user=teacher, name="x", prefix="dune_x", token_hash="0" * 64)

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(accounts, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        tasks.send_api_token_notice.run(token.pk)
    token.refresh_from_db()
    assert token.notified_at is None


@pytest.fixture
def real_worker():
    """A worker thread consuming from the configured broker (Redis in CI, else the
    in-memory one that the eager default already uses)."""
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield
    finally:
        app.conf.task_always_eager = not os.environ.get("CELERY_BROKER_URL")


def wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_the_task_only_after_commit(real_worker, reference_data, make_user):
    user = make_user("worker-test")
    with transaction.atomic():
        token, _raw = services.create_api_token(user=user, name="intégration")
        # Still inside the transaction: nothing is enqueued yet, so nothing can run.
        time.sleep(1.0)
        assert mail.outbox == []
    assert wait_for(lambda: ApiToken.objects.get(pk=token.pk).notified_at is not None)
    assert wait_for(lambda: len(mail.outbox) == 1)
    assert "intégration" in mail.outbox[0].body


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_enqueues_nothing_when_the_transaction_rolls_back(
    real_worker, reference_data, make_user
):
    user = make_user("worker-rollback")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.create_api_token(user=user, name="annulé")
        raise RuntimeError("rollback")
    # Give a worker time to pick up anything that was wrongly enqueued.
    time.sleep(2.0)
    assert mail.outbox == []
    assert not ApiToken.objects.exists()
