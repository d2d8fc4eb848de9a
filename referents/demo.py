"""The demo académie's référents: one appointed in most secondary schools."""

from __future__ import annotations

import random

from referents.models import Appointment
from training.demo import DemoDirectory
from training.models import Degree, Enrolment, EnrolmentEvent, SchoolYear, Session, Staff

REFERENT_SHARE = 0.85


def seed_referents(demo: DemoDirectory, *, seed: int = 2010) -> int:
    rng = random.Random(seed)
    year = SchoolYear.objects.get(name="2010-2011")
    secondary = [s for s in demo.schools if s.degree == Degree.SECOND]
    # The first staff member (by staff id) of each school stands for its volunteer,
    # except in the named accounts' collège, whose référent is the "referent" account.
    first_staff = {}
    for staff_pk, school_pk in (
        Staff.objects.filter(school__in=secondary)
        .exclude(staff_id__startswith="DEMO-")  # the named accounts keep the roles printed
        .order_by("staff_id")
        .values_list("pk", "school_id")
    ):
        first_staff.setdefault(school_pk, staff_pk)
    named_school = None
    named = Staff.objects.filter(user__username="referent").values_list("pk", "school_id").first()
    if named:
        named_school = named[1]
        first_staff[named_school] = named[0]
    appointments = [
        Appointment(
            staff_id=first_staff[school.pk],
            school=school,
            school_year=year,
            state=Appointment.State.APPOINTED,
            start=year.start,
        )
        for school in secondary
        if school.pk in first_staff and (school.pk == named_school or rng.random() < REFERENT_SHARE)
    ]
    Appointment.objects.bulk_create(appointments, batch_size=5000, ignore_conflicts=True)
    return len(appointments)


def book_referents(session: Session) -> int:
    """The référents of the demo, booked on the public désigné session for référents
    (the rectorate designates them). Demo rows written in bulk, with their history."""
    existing = set(session.enrolments.values_list("staff_id", flat=True))
    staff_ids = [
        pk
        for pk in Appointment.objects.filter(state=Appointment.State.APPOINTED)
        .order_by("staff__staff_id")
        .values_list("staff_id", flat=True)[: session.capacity]
        if pk not in existing
    ]
    seats = session.capacity - session.enrolments.filter(state=Enrolment.State.BOOKED).count()
    enrolments = Enrolment.objects.bulk_create(
        Enrolment(session=session, staff_id=pk, state=Enrolment.State.BOOKED)
        for pk in staff_ids[: max(seats, 0)]
    )
    EnrolmentEvent.objects.bulk_create(
        EnrolmentEvent(
            enrolment=e,
            from_state="",
            to_state=Enrolment.State.BOOKED,
            reason="Désignation par le rectorat",
        )
        for e in enrolments
    )
    return len(enrolments)
