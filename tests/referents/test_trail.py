"""The référents' rows are in the trail too; a job is named as a change's origin."""

from __future__ import annotations

from auditlog.models import LogEntry

from referents import tasks
from referents.models import AllowanceInstalment


def test_the_monthly_job_is_the_origin_of_the_instalments_it_writes(appointed):
    tasks.compute_instalments.delay("2010-09-01")
    instalment = AllowanceInstalment.objects.get()
    entry = LogEntry.objects.get_for_object(instalment).get()
    assert entry.actor is None
    assert entry.cid.startswith("tâche referents.tasks.compute_instalments ")
    assert str(entry.changes_dict["amount_cents"][1]) == str(instalment.amount_cents)


def test_an_appointment_records_its_changes_of_state(appointed):
    _user, appointment = appointed
    changed_state = [
        e for e in LogEntry.objects.get_for_object(appointment) if "state" in e.changes_dict
    ]
    assert [e.changes_dict["state"][1] for e in changed_state] == ["appointed", "volunteered"]
