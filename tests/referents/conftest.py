"""Fixtures shared by the référents tests: the 2010 regime, a volunteer of the collège
and his appointment by the head."""

import datetime as dt

import pytest
import time_machine

from referents import services
from referents.models import AllowanceScheme, Appointment


@pytest.fixture
def fic(db):
    return AllowanceScheme.objects.get(code="fic2010-12")


@pytest.fixture
def candidate(make_user, school, school_year):
    """Paul Durand, teacher of the collège, volunteered on 1 September 2010."""
    user = make_user("candidate", school=school, first_name="Paul", last_name="Durand")
    with time_machine.travel(dt.date(2010, 9, 1)):
        appointment = services.volunteer(user=user, school_year=school_year, motivation="ENT")
    return user, appointment


@pytest.fixture
def appointed(candidate, head, fic):
    """The candidate appointed by the head at 1 200 € a year (2010 regime)."""
    user, appointment = candidate
    services.appoint(
        user=head,
        appointment=appointment,
        scheme=fic,
        annual_cents=120000,
        mission_letter="Missions 1a à 2c",
    )
    return user, Appointment.objects.get(pk=appointment.pk)
