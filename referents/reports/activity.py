"""The référent's annual activity report for a school (décret 2010-1065, art. 6: it is
presented to the conseil d'administration). Aggregated in SQL from the ledgers, so its
figures are the logs' and the instalments' own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from referents.models import AllowanceInstalment, Appointment, MissionLog
from training.models import Enrolment, HoursEntry, School, SchoolYear, Session


@dataclass
class ActivityReport:
    school: School
    school_year: SchoolYear
    appointments: list[Appointment]
    committed_cents: int
    paid_cents: int
    missions: list[tuple[str, int, int]]  # (category label, number of logs, minutes)
    mission_minutes: int
    training: list[dict]  # session, participants, minutes credited to colleagues
    colleagues_reached: int


def school_activity(school: School, school_year: SchoolYear) -> ActivityReport:
    appointments = list(
        Appointment.objects.filter(
            school=school,
            school_year=school_year,
            state__in=[Appointment.State.APPOINTED, Appointment.State.ENDED],
        ).select_related("staff__user", "scheme")
    )
    logs = MissionLog.objects.filter(appointment__in=appointments)
    labels = dict(MissionLog.Category.choices)
    missions = [
        (str(labels[row["category"]]), row["count"], row["minutes"])
        for row in logs.values("category")
        .annotate(count=Count("pk"), minutes=Sum("minutes"))
        .order_by("category")
    ]
    instalments = AllowanceInstalment.objects.filter(appointment__in=appointments)
    paid = (
        instalments.filter(exported_at__isnull=False).aggregate(total=Sum("amount_cents"))["total"]
        or 0
    )
    sessions = {
        log.session_id: log.session
        for log in logs.filter(session__isnull=False).select_related("session__module")
    }
    training = []
    for session_id, session in sessions.items():
        credited = (
            HoursEntry.objects.filter(slot__session_id=session_id).aggregate(total=Sum("minutes"))[
                "total"
            ]
            or 0
        )
        participants = Enrolment.objects.filter(
            session_id=session_id, state=Enrolment.State.BOOKED
        ).count()
        training.append({"session": session, "participants": participants, "minutes": credited})
    colleagues = (
        logs.aggregate(n=Count("colleagues", distinct=True, filter=Q(colleagues__isnull=False)))[
            "n"
        ]
        or 0
    )
    return ActivityReport(
        school=school,
        school_year=school_year,
        appointments=appointments,
        committed_cents=sum(a.annual_cents or 0 for a in appointments),
        paid_cents=paid,
        missions=missions,
        mission_minutes=sum(m for _label, _n, m in missions),
        training=training,
        colleagues_reached=colleagues,
    )


@dataclass
class Dashboard:
    """What the référent's own page and ``GET /api/referents/me`` show."""

    appointment: Appointment
    logs: list[MissionLog]
    by_category: list[tuple[str, str, int]]  # (code, label, minutes) this year
    sessions: list[Session]  # sessions he trains that have not ended, first slot first
    instalments: list[AllowanceInstalment]


def referent_dashboard(appointment: Appointment) -> Dashboard:
    """The référent's year: his logs (every appointment of his in that year), minutes by
    mission, the sessions he trains still to run, his instalments."""
    logs = (
        MissionLog.objects.filter(
            appointment__staff=appointment.staff,
            appointment__school_year=appointment.school_year,
        )
        .select_related("appointment", "session__module")
        .prefetch_related("colleagues__user")
    )
    labels = dict(MissionLog.Category.choices)
    by_category = [
        (row["category"], str(labels.get(row["category"], row["category"])), row["total"])
        for row in logs.order_by("category").values("category").annotate(total=Sum("minutes"))
    ]
    now = timezone.now()
    sessions = list(
        Session.objects.with_counts()
        .filter(trainers=appointment.staff.user)
        .exclude(status=Session.Status.CANCELLED)
        .filter(slots__end__gte=now)
        .distinct()
        .select_related("module")
        .order_by("first_slot_start", "pk")
    )
    instalments = list(
        AllowanceInstalment.objects.filter(appointment__staff=appointment.staff)
        .select_related("appointment__staff__user", "appointment__school")
        .order_by("month", "pk")
    )
    return Dashboard(
        appointment=appointment,
        logs=list(logs),
        by_category=by_category,
        sessions=sessions,
        instalments=instalments,
    )
