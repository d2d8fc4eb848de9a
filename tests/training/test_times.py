"""Times that make sense: a séance in person or virtual lasts at most a day's training
(DUNE_SLOT_MAX_MINUTES) within one day; online work keeps its window; an enrolment
window that closes before it opens gets a French message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import at
from training import services
from training.errors import TrainingError
from training.models import Slot


def add(manager, session, start, end, modality="in_person", **extra):
    fields = {"school": session.host_school} if modality == "in_person" else {}
    if modality == "virtual":
        fields = {"video_url": "https://visio.example.org/ent"}
    if modality == "self_paced":
        fields = {"credited_minutes": 120}
    return services.add_slot(
        user=manager,
        session=session,
        modality=modality,
        start=start,
        end=end,
        **{**fields, **extra},
    )


def test_a_seance_of_a_full_day_is_accepted(manager, session):
    start = at(40, 9)
    assert add(manager, session, start, start + dt.timedelta(hours=8)).slot.pk


@pytest.mark.parametrize("modality", ["in_person", "virtual"])
def test_a_seance_longer_than_a_days_training_is_refused(manager, session, modality):
    start = at(40, 8)
    with pytest.raises(TrainingError, match="au plus 8 h"):
        add(manager, session, start, start + dt.timedelta(hours=8, minutes=1), modality)
    assert not Slot.objects.filter(start=start).exists()


def test_a_seance_spanning_several_days_is_refused(manager, session, settings):
    settings.DUNE_SLOT_MAX_MINUTES = 24 * 60
    start = at(40, 20)
    with pytest.raises(TrainingError, match="une séance par jour"):
        add(manager, session, start, start + dt.timedelta(hours=6))


def test_the_limit_is_a_setting(manager, session, settings):
    settings.DUNE_SLOT_MAX_MINUTES = 180
    start = at(40, 9)
    with pytest.raises(TrainingError, match="au plus 3 h"):
        add(manager, session, start, start + dt.timedelta(hours=4))


def test_online_work_keeps_its_window_over_several_days(manager, session):
    start = at(40, 9)
    result = add(manager, session, start, start + dt.timedelta(days=14), "self_paced")
    assert result.slot.minutes == 120


def test_an_enrolment_window_closing_before_it_opens_says_so_in_french(manager, module):
    with pytest.raises(ValidationError) as refused:
        services.create_session(
            user=manager,
            module=module,
            group="77",
            capacity=10,
            enrolment_opens=at(10),
            enrolment_closes=at(5),
        )
    assert "La clôture des inscriptions doit venir après leur ouverture." in str(refused.value)
    assert "session_window_ordered" not in str(refused.value)


# --- A séance lies in its programme's school year ----------------------------------------


def test_a_seance_before_the_school_year_is_refused(manager, session):
    paris = dt.timezone(dt.timedelta(hours=1))
    start = dt.datetime(1900, 1, 1, 9, tzinfo=paris)
    year = session.module.programme.school_year
    with pytest.raises(TrainingError, match=f"pendant l'année scolaire {year.name}"):
        add(manager, session, start, start + dt.timedelta(hours=3))
    assert not Slot.objects.filter(start=start).exists()


def test_a_seance_of_another_school_year_is_refused(manager, session, module_2010):
    """A 2010 date for a programme of this year, and this year's date for 2010-2011."""
    start = dt.datetime.combine(dt.date(2011, 3, 8), dt.time(9), dt.UTC)
    with pytest.raises(TrainingError, match="du 01/09/"):
        add(manager, session, start, start + dt.timedelta(hours=2))
    session_2010 = services.create_session(
        user=manager, module=module_2010, group="10", capacity=10
    )
    with pytest.raises(TrainingError, match="année scolaire 2010-2011"):
        add(manager, session_2010, at(40, 9), at(40, 11))
    assert add(manager, session_2010, start, start + dt.timedelta(hours=2)).slot.pk


def test_the_first_and_last_days_of_the_year_are_accepted(manager, session):
    from django.utils import timezone

    year = session.module.programme.school_year
    paris = timezone.get_current_timezone()
    first = dt.datetime.combine(year.start, dt.time(9), paris)
    last = dt.datetime.combine(year.end, dt.time(14), paris)
    assert add(manager, session, first, first + dt.timedelta(hours=3)).slot.pk
    assert add(manager, session, last, last + dt.timedelta(hours=3)).slot.pk
    # Online work may run until midnight of the last day, not a minute beyond.
    window_end = dt.datetime.combine(year.end + dt.timedelta(days=1), dt.time(0), paris)
    assert add(manager, session, last, window_end, "self_paced").slot.pk
    with pytest.raises(TrainingError, match="pendant l'année scolaire"):
        add(manager, session, last, window_end + dt.timedelta(minutes=1), "self_paced")
