"""The monthly allowance job run twice, on several workers at once, and by a real Celery
worker: each appointment's instalment for a month exists once (the ledger's unique
constraint), whatever the interleaving."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from referents import services, tasks
from referents.models import AllowanceInstalment, AllowanceScheme, Appointment
from tests.test_celery import real_worker, wait_for  # noqa: F401 (fixture)
from tests.training.test_concurrency import database_threads_can_share, run_together  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
D = dt.date
APPOINTMENTS = 12


@pytest.fixture
def appointments(reference_data, academy, school_year, make_user):
    """Twelve référents of twelve schools, appointed from September at 1 200 €."""
    from tests.conftest import make_school

    scheme = AllowanceScheme.objects.get(code="fic2010-12")
    rows = []
    for n in range(APPOINTMENTS):
        digits = f"{780100 + n:07d}"
        uai = digits + "ABCDEFGHJKLMNPRSTUVWXYZ"[int(digits) % 23]
        school = make_school(academy, uai, f"Collège {n}")
        user = make_user(f"ref{n}", school=school)
        rows.append(
            Appointment(
                staff=user.staff,
                school=school,
                school_year=school_year,
                state=Appointment.State.APPOINTED,
                start=D(2010, 9, 1),
                scheme=scheme,
                annual_cents=120000,
            )
        )
    return Appointment.objects.bulk_create(rows)


def test_the_monthly_job_on_four_workers_at_once_creates_each_instalment_once(appointments):
    outcomes = run_together([lambda: services.compute_instalments(month=D(2010, 9, 1))] * 4)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors == []
    assert sum(outcomes) == APPOINTMENTS  # each row created by exactly one worker
    assert AllowanceInstalment.objects.count() == APPOINTMENTS
    assert set(AllowanceInstalment.objects.values_list("amount_cents", flat=True)) == {10000}
    # And a later run again creates nothing.
    assert services.compute_instalments(month=D(2010, 9, 1)) == 0


@pytest.mark.celery_worker
def test_a_real_worker_running_the_job_twice_creates_each_instalment_once(
    real_worker,  # noqa: F811
    appointments,
):
    # No result backend (results are not kept): the ledger itself tells what ran.
    tasks.compute_instalments.delay("2010-10-01")
    tasks.compute_instalments.delay("2010-10-01")
    october = AllowanceInstalment.objects.filter(month=D(2010, 10, 1))
    assert wait_for(lambda: october.count() == APPOINTMENTS, timeout=60)
    time.sleep(2.0)  # the second run has had its time: it must have added nothing
    assert october.count() == APPOINTMENTS
    assert october.values("appointment").distinct().count() == APPOINTMENTS
