"""The demo académie's référents: one appointed in most secondary schools, in 2010-2011
(the historical year, under the 2010 decree, closed) and again in the current school
year (under the regime in force then: IMP since 2015), with their allowance ledgers and
the named référent's journal in both."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from referents import services
from referents.models import AllowanceInstalment, AllowanceScheme, Appointment
from training.demo.directory import PARIS, DemoDirectory, current_school_year
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
HISTORY_YEAR = "2010-2011"
# (regime code, annual amount) by year: the 2010 decree at 1 200 €, then the IMP at its
# 1 250 € rate (the regime in force for the current year is checked on appointment).
HISTORY_SCHEME, HISTORY_ANNUAL_CENTS = "fic2010-12", 120_000
CURRENT_SCHEME, CURRENT_ANNUAL_CENTS = "imp2015-9", 125_000
# The named référent's 2010-2011 journal: (date, category, minutes, description).
REFERENT_LOGS = [
    (dt.date(2010, 10, 5), "1a", 45, "Présentation de l'ENT en salle des professeurs"),
    (dt.date(2010, 10, 14), "1c", 60, "Prise en main du TNI de la salle 12"),
    (dt.date(2010, 11, 9), "1c", 90, "Séquence de géométrie dynamique en classe"),
    (dt.date(2010, 11, 18), "2b", 30, "Point sur l'équipement numérique avec la principale"),
    (dt.date(2010, 11, 25), "1a", 60, "Atelier cahier de textes numérique"),
]
# His journal this year: (days ago, category, minutes, description).
CURRENT_LOGS = [
    (40, "1a", 45, "Présentation des nouveautés de l'ENT en salle des professeurs"),
    (26, "1c", 60, "Accompagnement d'une séquence avec les tablettes"),
    (19, "2b", 30, "Point sur l'équipement numérique avec la principale"),
    (9, "1c", 90, "Classe virtuelle : prise en main avec l'équipe de langues"),
    (2, "1a", 60, "Atelier capsules vidéo pour la classe inversée"),
]


def seed_referents(demo: DemoDirectory, *, seed: int = 2010) -> int:
    """The référents of 2010-2011 and of the current year (the same volunteers)."""
    rng = random.Random(seed)
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
    chosen = [
        school
        for school in secondary
        if school.pk in first_staff and (school.pk == named_school or rng.random() < REFERENT_SHARE)
    ]
    years = [SchoolYear.objects.get(name=HISTORY_YEAR), current_school_year(timezone.localdate())]
    appointments = [
        Appointment(
            staff_id=first_staff[school.pk],
            school=school,
            school_year=year,
            state=Appointment.State.APPOINTED,
            start=year.start,
            # The 2010-2011 designations ended with their year; this year's run on.
            end=year.end if year.name == HISTORY_YEAR else None,
        )
        for year in dict.fromkeys(years)
        for school in chosen
    ]
    Appointment.objects.bulk_create(appointments, batch_size=5000, ignore_conflicts=True)
    return len(chosen)


def book_referents(session: Session) -> int:
    """The référents of the demo, booked on the public désigné session for référents
    (the rectorate designates them). Demo rows written in bulk, with their history."""
    existing = set(session.enrolments.values_list("staff_id", flat=True))
    staff_ids = [
        pk
        for pk in Appointment.objects.filter(
            state=Appointment.State.APPOINTED,
            school_year=session.module.programme.school_year,
        )
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


def _seed_ledger(year: SchoolYear, scheme_code: str, annual_cents: int, today: dt.date) -> None:
    """The year's allowance ledger: the demo appointments under ``scheme_code`` at
    ``annual_cents``, the monthly job for each month of the year up to this one, and
    *service fait* (by the school's first head) and payroll export for the months before
    this one; this month's instalments await the head's *service fait*."""
    scheme = AllowanceScheme.objects.get(code=scheme_code)
    appointments = Appointment.objects.filter(school_year=year, state=Appointment.State.APPOINTED)
    appointments.filter(scheme__isnull=True).update(scheme=scheme)
    appointments.filter(annual_cents__isnull=True).update(annual_cents=annual_cents)
    paying = appointments.filter(scheme__isnull=False, annual_cents__isnull=False)
    this_month = today.replace(day=1)
    for appointment_scheme in AllowanceScheme.objects.filter(
        pk__in=paying.values("scheme")
    ).distinct():
        for month in services.schedule(appointment_scheme, year):
            if month > this_month:
                break
            missing = paying.exclude(
                instalments__kind=AllowanceInstalment.Kind.REGULAR, instalments__month=month
            )
            if missing.exists():
                services.compute_instalments(month=month)

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
            month__lt=this_month,
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


def _journal_days(year: SchoolYear, today: dt.date) -> list[tuple[int, str, int, str]]:
    """This year's journal entries whose day is inside the year and not in the future
    (early in the year, the oldest are left out)."""
    return [entry for entry in CURRENT_LOGS if today - dt.timedelta(days=entry[0]) >= year.start]


def seed_referent_activity(demo: DemoDirectory) -> None:
    """The demo's référents' ledgers: 2010-2011 whole (1 200 € under the 2010 decree,
    every month attested and exported), the current year up to this month (1 250 € under
    the IMP); the named référent's journal in both years. Idempotent: only what is
    missing is written; no e-mail is sent."""
    today = timezone.localdate()
    history = SchoolYear.objects.get(name=HISTORY_YEAR)
    _seed_ledger(history, HISTORY_SCHEME, HISTORY_ANNUAL_CENTS, history.end + dt.timedelta(days=1))
    current = current_school_year(today)
    if current != history:
        _seed_ledger(current, CURRENT_SCHEME, CURRENT_ANNUAL_CENTS, today)

    user = get_user_model().objects.filter(username="referent").first()
    staff = Staff.objects.filter(user=user).first() if user else None
    if staff is None:
        return
    colleague = (
        Staff.objects.filter(school_id=staff.school_id, active=True)
        .exclude(pk=staff.pk)
        .order_by("staff_id")
        .first()
    )
    journals = [(history, REFERENT_LOGS)]
    if current != history:
        journals.append(
            (
                current,
                [
                    (today - dt.timedelta(days=ago), category, minutes, description)
                    for ago, category, minutes, description in _journal_days(current, today)
                ],
            )
        )
    for year, entries in journals:
        appointment = Appointment.objects.filter(
            staff=staff, school_year=year, scheme__isnull=False
        ).first()
        if appointment is None or appointment.logs.exists():
            continue
        for date, category, minutes, description in entries:
            services.log_mission(
                user=user,
                date=date,
                category=category,
                minutes=minutes,
                description=description,
                colleagues=[colleague] if colleague else [],
            )
