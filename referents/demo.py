"""The demo académie's référents: one appointed in most secondary schools."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from referents import services
from referents.models import AllowanceInstalment, AllowanceScheme, Appointment, MissionLog
from training.demo.directory import PARIS, DemoDirectory
from training.models import (
    Degree,
    Enrolment,
    EnrolmentEvent,
    RoleMembership,
    SchoolYear,
    Session,
    Staff,
)

REFERENT_SHARE = 0.85
DEMO_SCHEME = "fic2010-12"
DEMO_ANNUAL_CENTS = 120_000
# Service fait attested and exported to payroll for these months of 2010-2011.
PAID_MONTHS = [dt.date(2010, m, 1) for m in (9, 10, 11, 12)]
# The named référent's journal: (date, category, minutes, description).
REFERENT_LOGS = [
    (dt.date(2010, 10, 5), "1a", 45, "Présentation de l'ENT en salle des professeurs"),
    (dt.date(2010, 10, 14), "1c", 60, "Prise en main du TNI de la salle 12"),
    (dt.date(2010, 11, 9), "1c", 90, "Séquence de géométrie dynamique en classe"),
    (dt.date(2010, 11, 18), "2b", 30, "Point sur l'équipement numérique avec la principale"),
    (dt.date(2010, 11, 25), "1a", 60, "Atelier cahier de textes numérique"),
]


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


def _next_month(month: dt.date, day: int, hour: int) -> dt.datetime:
    following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=day)
    return dt.datetime.combine(following, dt.time(hour), PARIS)


def seed_referent_activity(demo: DemoDirectory) -> None:
    """A year of activity for the demo's référents (2010-2011): their allowance at
    1 200 € under the 2010 decree, the year's instalments, September–December attested
    and exported to payroll, and a few missions in the named référent's journal.
    Idempotent: only what is missing is written; no e-mail is sent."""
    year = SchoolYear.objects.get(name="2010-2011")
    scheme = AllowanceScheme.objects.get(code=DEMO_SCHEME)
    appointments = Appointment.objects.filter(school_year=year, state=Appointment.State.APPOINTED)
    appointments.filter(scheme__isnull=True).update(scheme=scheme)
    appointments.filter(annual_cents__isnull=True).update(annual_cents=DEMO_ANNUAL_CENTS)

    # The monthly job, for each month of the year still missing an instalment.
    paying = appointments.filter(scheme__isnull=False, annual_cents__isnull=False)
    for appointment_scheme in AllowanceScheme.objects.filter(
        pk__in=paying.values("scheme")
    ).distinct():
        for month in services.schedule(appointment_scheme, year):
            missing = paying.exclude(
                instalments__kind=AllowanceInstalment.Kind.REGULAR, instalments__month=month
            )
            if missing.exists():
                services.compute_instalments(month=month)

    # Service fait (by the school's first head) and payroll export, at fixed moments.
    heads = {}
    for user_id, school_id in (
        RoleMembership.objects.filter(
            role=RoleMembership.Role.HEAD, school__in=paying.values("school")
        )
        .order_by("pk")
        .values_list("user_id", "school_id")
    ):
        heads.setdefault(school_id, user_id)
    rows = list(
        AllowanceInstalment.objects.filter(
            appointment__in=paying,
            month__in=PAID_MONTHS,
            service_done_at__isnull=True,
            exported_at__isnull=True,
        ).select_related("appointment")
    )
    for row in rows:
        row.service_done_at = _next_month(row.month, 3, 10)
        row.service_done_by_id = heads.get(row.appointment.school_id)
        row.exported_at = _next_month(row.month, 10, 9)
    AllowanceInstalment.objects.bulk_update(
        rows, ["service_done_at", "service_done_by", "exported_at"], batch_size=1000
    )

    # The named référent's journal, if he has none yet.
    user = get_user_model().objects.filter(username="referent").first()
    staff = Staff.objects.filter(user=user).first() if user else None
    if staff is None or not paying.filter(staff=staff).exists():
        return
    if MissionLog.objects.filter(appointment__staff=staff).exists():
        return
    colleague = (
        Staff.objects.filter(school_id=staff.school_id, active=True)
        .exclude(pk=staff.pk)
        .order_by("staff_id")
        .first()
    )
    for date, category, minutes, description in REFERENT_LOGS:
        services.log_mission(
            user=user,
            date=date,
            category=category,
            minutes=minutes,
            description=description,
            colleagues=[colleague] if colleague else [],
        )
