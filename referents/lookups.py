"""Lookups shared by the pages and the endpoints of ``referents``: an object by its
public key inside the user's scope (``referents.permissions``), else 404."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404

from referents.models import Appointment
from referents.permissions import can_see_school_report, headed_schools, visible_appointments
from training.models import School, SchoolYear


def school_year_or_404(name: str | None = None) -> SchoolYear:
    """The school year named ``name`` (``?annee=2010-2011``), else the one containing
    today (else the latest); 404 when there is none."""
    if name:
        return get_object_or_404(SchoolYear, name=name)
    year = SchoolYear.objects.current()
    if year is None:
        raise Http404
    return year


# What an appointment's pages and endpoints show of it, in one query.
APPOINTMENT_RELATED = ("staff__user", "school", "school_year", "scheme")


def visible_appointment_or_404(user, pk: int) -> Appointment:
    """An appointment (or candidature) the user may read."""
    return get_object_or_404(visible_appointments(user).select_related(*APPOINTMENT_RELATED), pk=pk)


def headed_school_or_404(user, uai: str) -> School:
    """A school the user heads, by its UAI (any case)."""
    return get_object_or_404(headed_schools(user), uai=uai.upper())


def readable_school_or_404(user, uai: str) -> School:
    """A school whose activity report the user may read, by its UAI (any case)."""
    school = get_object_or_404(School, uai=uai.upper())
    if not can_see_school_report(user, school):
        raise Http404
    return school
