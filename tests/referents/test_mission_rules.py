"""Mission logs as the decree means them: inside the appointment and its school year,
never in the future, at most 24 h a day for one person (a setting may lower it), a
bounded description, and nothing written once the year is closed."""

from __future__ import annotations

import datetime as dt

import pytest

from referents import services
from referents.errors import ReferentError
from referents.models import MissionLog
from training.services import closing

D = dt.date


def log(user, day, minutes=60, **extra):
    return services.log_mission(user=user, date=day, category="1c", minutes=minutes, **extra)


def test_a_mission_outside_the_appointments_school_year_is_refused(appointed):
    user, _appointment = appointed
    with pytest.raises(ReferentError, match="année scolaire 2010-2011"):
        log(user, D(2011, 9, 1))
    assert log(user, D(2011, 8, 31)).pk  # the year's last day


def test_at_most_a_day_of_missions_across_all_logs(appointed, settings):
    user, _appointment = appointed
    log(user, D(2010, 10, 4), minutes=20 * 60)
    assert log(user, D(2010, 10, 4), minutes=4 * 60).pk  # exactly 24 h
    with pytest.raises(ReferentError, match="Au plus 24 h de missions par jour"):
        log(user, D(2010, 10, 4), minutes=1)
    settings.DUNE_MISSION_MAX_MINUTES_PER_DAY = 8 * 60
    with pytest.raises(ReferentError, match="Au plus 8 h"):
        log(user, D(2010, 10, 5), minutes=8 * 60 + 1)


def test_a_description_is_bounded(appointed):
    user, _appointment = appointed
    assert log(user, D(2010, 10, 4), description="x" * 2000).pk
    with pytest.raises(ReferentError, match="2000 caractères"):
        log(user, D(2010, 10, 5), description="x" * 2001)


def test_nothing_is_written_in_a_closed_year(appointed, auditor, academy, school_year, head):
    user, appointment = appointed
    closing.close_academy_year(user=auditor, academy=academy, school_year=school_year)
    count = MissionLog.objects.count()
    with pytest.raises(ReferentError, match="close"):
        log(user, D(2010, 10, 4))
    assert MissionLog.objects.count() == count
    with pytest.raises(ReferentError, match="close"):
        services.end_appointment(user=head, appointment=appointment, end=D(2011, 1, 31), reason="x")
