"""Life in the demo's current school year: past sessions with their sheets and hours,
needs and school plans, then the anomaly scan, written through the services so that
every rule holds.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from training.demo.directory import PARIS, DemoDirectory, current_school_year
from training.models import (
    Anomaly,
    Attendance,
    Degree,
    Enrolment,
    EnrolmentEvent,
    Item,
    Modality,
    Module,
    Priority,
    Programme,
    RoleMembership,
    SchoolKind,
    SchoolPlan,
    SchoolYear,
    Session,
    Staff,
    TrainingNeed,
)
from training.services import catalogue, school_plans
from training.services.anomalies import run_checks
from training.services.attendance import (
    Mark,
    declare_work,
    record_attendance,
    review_declaration,
)
from training.services.enrolment import overlapping_booking

# Past sessions of the current year, each under a priority of the year's plan:
# (programme number, priority code, degree, programme title, module title, C2i2e items,
#  slots (in_person / virtual / self_paced), people booked).
ACTIVITY_SESSIONS = [
    (11, "numerique", Degree.SECOND, "Le numérique dans la classe",
     "Le tableau numérique interactif en cours", ["A.1-2", "B.2-2", "B.3-1"],
     [Modality.IN_PERSON, Modality.VIRTUAL], 22),
    (12, "sciences", Degree.SECOND, "Culture scientifique et technologique",
     "Expérimentation assistée par ordinateur (ExAO)", ["B.2-2", "B.3-2"],
     [Modality.IN_PERSON, Modality.VIRTUAL], 18),
    (13, "langues-vivantes", Degree.SECOND, "Langues vivantes et numérique",
     "Baladodiffusion et pratique de l'oral", ["B.2-4", "B.3-3"],
     [Modality.VIRTUAL, Modality.VIRTUAL], 16),
    (14, "langue", Degree.FIRST, "Maîtrise de la langue à l'école",
     "Lire et écrire avec le TNI à l'école", ["B.2-1", "B.3-1"],
     [Modality.IN_PERSON, Modality.SELF_PACED], 20),
]  # fmt: skip


# When a timed slot takes place: in person in the morning, virtual classes after school
# (never at the time of the demo's other past session, "Découvrir le TNI", 14:00-16:00).
ACTIVITY_HOURS = {Modality.IN_PERSON: ((9, 0), (12, 0)), Modality.VIRTUAL: ((17, 0), (18, 30))}


# Needs expressed by teachers of the named accounts' collège: (theme, items, modality,
# description); the first is the named teacher's.
ACTIVITY_NEEDS = [
    ("Géométrie dynamique avec GeoGebra", ["B.2-2", "B.3-1"], Modality.IN_PERSON,
     "Construire des figures avec les élèves en salle informatique."),
    ("Travailler en équipe avec l'ENT", ["A.1-3", "B.1-1"], "", ""),
    ("Évaluer les compétences du B2i", ["B.4-1", "B.4-2"], Modality.IN_PERSON,
     "Valider les items du B2i collège en conseil de classe."),
    ("Droit à l'image et publication en ligne", ["A.3-3"], Modality.VIRTUAL, ""),
    ("Classe virtuelle et continuité pédagogique", ["A.2-1", "B.2-5"], Modality.VIRTUAL,
     "Garder le lien avec les élèves absents longtemps."),
]  # fmt: skip


def _activity_days(year: SchoolYear, today: dt.date) -> list[dt.date]:
    """Past days of the year (1 September – yesterday) on which a timed slot may take
    place, weekdays first; empty when the year starts today."""
    days = [year.start + dt.timedelta(days=k) for k in range(max(0, (today - year.start).days))]
    return [d for d in days if d.weekday() < 5] or days


def _planned(module: Module) -> int:
    return module.planned_in_person_minutes + module.planned_online_minutes


def seed_activity(demo: DemoDirectory, *, seed: int = 2010) -> None:
    """Life in the demo's current school year, written through the services (but the
    bookings, demo rows like the catalogue's) so that every rule holds: four past
    sessions under different priorities of the year's plan (in person, virtual, online
    work), the trainer "formateur", teachers of
    several schools booked by the rectorate ("enseignant" among them) and their sheets
    filled by the trainer (hence the hours ledger); needs of the collège's teachers, its
    plan drafted by "referent" and submitted to "directeur", another school's plan
    drafted and approved by its head; then the anomaly scan of the académie's year.

    Slots are placed between 1 September and yesterday, never in the future, each in a
    time of its own (no one is ever booked on two slots at once). Deterministic;
    idempotent (what exists is left as it is, the scan runs once)."""

    today = timezone.localdate()
    now = timezone.now()
    year = current_school_year(today)
    User = get_user_model()
    manager = User.objects.get(username="gestionnaire")
    trainer = User.objects.get(username="formateur")
    college = next(s for s in demo.schools if s.kind == SchoolKind.COLLEGE)
    lycees = [s for s in demo.schools if s.kind in (SchoolKind.LEGT, SchoolKind.LPO)]
    ecoles = [s for s in demo.schools if s.degree == Degree.FIRST]
    priorities = {p.code: p for p in Priority.objects.filter(plan__school_year=year)}
    days = _activity_days(year, today)
    used: set[tuple[dt.date, str]] = set()
    modules: dict[int, Module] = {}

    def place(modality: str, wanted: int) -> dt.date | None:
        """The first free day for this kind of slot from the wanted one, else the first
        free day at all."""
        order = list(range(wanted, len(days))) + list(range(min(wanted, len(days))))
        for index in order:
            if (days[index], modality) not in used:
                used.add((days[index], modality))
                return days[index]
        return None

    def pool(schools, degree, count, rng):
        staff = list(
            Staff.objects.filter(school__in=schools, active=True, degree=degree)
            .exclude(staff_id__startswith="DEMO-")
            .select_related("user", "school")
            .order_by("staff_id")
        )
        return sorted(rng.sample(staff, min(count, len(staff))), key=lambda s: s.staff_id)

    secondary = [s for s in demo.schools if s.degree == Degree.SECOND][:16]
    if college not in secondary:
        secondary.append(college)
    named = list(
        Staff.objects.filter(user__username__in=["enseignant", "referent"])
        .select_related("user", "school")
        .order_by("staff_id")
    )
    prefix = year.name[2:4]
    for rank, (number, code, degree, title, module_title, items, kinds, size) in enumerate(
        ACTIVITY_SESSIONS
    ):
        rng = random.Random(f"{seed}-activity-{number}")
        programme = Programme.objects.filter(
            academy=demo.academy, school_year=year, code=f"{prefix}A025{number:04d}"
        ).first() or catalogue.create_programme(
            user=manager,
            academy=demo.academy,
            school_year=year,
            code=f"{prefix}A025{number:04d}",
            title=title,
            priority=priorities[code],
            kind=Programme.Kind.DESIGNATED,
            degree=degree,
        )
        module = programme.modules.filter(code="M01").first()
        if module is None:
            module = catalogue.create_module(
                user=manager,
                programme=programme,
                code="M01",
                title=module_title,
                planned_in_person_minutes=180 * kinds.count(Modality.IN_PERSON),
                planned_online_minutes=90 * kinds.count(Modality.VIRTUAL)
                + 120 * kinds.count(Modality.SELF_PACED),
                items=list(
                    Item.objects.filter(code__in=items, domain__framework__code="C2i2e-2011")
                ),
            )
        modules[number] = module
        session = module.sessions.filter(group="01").first()
        if session is None:
            if not days:
                continue  # the year begins today: no past day to hold a session
            hosts = ecoles if degree == Degree.FIRST else lycees or secondary
            host = hosts[rank % len(hosts)]
            # Sessions spread over the past part of the year, a week between two slots.
            wanted = rank * len(days) // len(ACTIVITY_SESSIONS)
            slots = []
            for k, modality in enumerate(kinds):
                if modality == Modality.SELF_PACED:
                    continue
                day = place(modality, min(len(days) - 1, wanted + 5 * k))
                if day is not None:
                    slots.append((modality, day))
            if not slots:
                continue
            first = min(day for _m, day in slots)
            session = catalogue.create_session(
                user=manager,
                module=module,
                group="01",
                capacity=24,
                trainers=[trainer],
                approval=Session.Approval.NONE,
                enrolment_opens=dt.datetime.combine(
                    first - dt.timedelta(days=30), dt.time(9), PARIS
                ),
                enrolment_closes=dt.datetime.combine(
                    first - dt.timedelta(days=2), dt.time(9), PARIS
                ),
                location=host.name if Modality.IN_PERSON in kinds else "",
            )
            for n, (modality, day) in enumerate(slots, start=1):
                (start_h, start_m), (end_h, end_m) = ACTIVITY_HOURS[modality]
                in_person = modality == Modality.IN_PERSON
                catalogue.add_slot(
                    user=manager,
                    session=session,
                    modality=modality,
                    start=dt.datetime.combine(day, dt.time(start_h, start_m), PARIS),
                    end=dt.datetime.combine(day, dt.time(end_h, end_m), PARIS),
                    title=f"Séance {n}",
                    school=host if in_person else None,
                    room="Salle informatique" if in_person else "",
                    video_url="" if in_person else "https://visio.example.org/dune",
                )
            if Modality.SELF_PACED in kinds:
                # Online work after the last timed slot, open a week (closed by today).
                opens = dt.datetime.combine(max(day for _m, day in slots), dt.time(18), PARIS)
                closes = min(
                    opens + dt.timedelta(days=7), dt.datetime.combine(today, dt.time(0), PARIS)
                )
                if closes > opens:
                    catalogue.add_slot(
                        user=manager,
                        session=session,
                        modality=Modality.SELF_PACED,
                        start=opens,
                        end=closes,
                        title="Travail en ligne",
                        credited_minutes=120,
                    )
            catalogue.publish_session(user=manager, session=session)

        # The rectorate designates the participants (only those not enrolled yet): demo
        # rows with their history, like the other demo bookings (no e-mail about the
        # past), within the rules: seats, degree, académie, no overlapping booking.
        if not session.enrolments.exists():
            people = pool(ecoles if degree == Degree.FIRST else secondary, degree, size, rng)
            if number == ACTIVITY_SESSIONS[0][0]:
                people = named + people[: max(0, size - len(named))]
            people = [p for p in people if overlapping_booking(p, session) is None]
            enrolments = Enrolment.objects.bulk_create(
                Enrolment(
                    session=session,
                    staff=person,
                    state=Enrolment.State.BOOKED,
                    created_by=manager,
                )
                for person in people[: session.capacity]
            )
            EnrolmentEvent.objects.bulk_create(
                EnrolmentEvent(
                    enrolment=enrolment,
                    from_state="",
                    to_state=Enrolment.State.BOOKED,
                    actor=manager,
                    reason="Désignation par le rectorat",
                )
                for enrolment in enrolments
            )

        # The trainer's sheets, for the timed slots still without one.
        booked_staff = list(
            Staff.objects.filter(
                enrolments__session=session, enrolments__state=Enrolment.State.BOOKED
            )
            .select_related("user")
            .order_by("staff_id")
        )
        for slot in session.slots.filter(attendances__isnull=True).order_by("start", "pk"):
            if slot.start > now:
                continue
            marks_rng = random.Random(f"{seed}-sheet-{number}-{slot.start.isoformat()}")
            if slot.modality == Modality.SELF_PACED:
                # Most declare their online work; the trainer validates all but the
                # last declaration, left for him to review.
                declared = [
                    declare_work(user=s.user, slot=slot, minutes=marks_rng.choice([60, 90, 120]))
                    for s in booked_staff
                    if marks_rng.random() < 0.7
                ]
                for attendance in declared[:-1]:
                    review_declaration(user=trainer, attendance=attendance, accept=True)
                continue
            marks = []
            for person in booked_staff:
                roll = marks_rng.random()
                if person.staff_id.startswith("DEMO-") or roll >= 0.18:
                    marks.append(Mark(person.pk, Attendance.Status.PRESENT))
                elif roll < 0.09:
                    partial = marks_rng.randrange(30, slot.minutes, 15)
                    marks.append(Mark(person.pk, Attendance.Status.PARTIAL, partial))
                elif roll < 0.15:
                    marks.append(Mark(person.pk, Attendance.Status.ABSENT))
                else:
                    marks.append(Mark(person.pk, Attendance.Status.EXCUSED))
            record_attendance(user=trainer, slot=slot, marks=marks)

    # Needs of the collège's teachers, the named teacher's first.
    teachers = [s for s in named if s.user.username == "enseignant"] + list(
        Staff.objects.filter(school=college, active=True)
        .exclude(staff_id__startswith="DEMO-")
        .select_related("user")
        .order_by("staff_id")[: len(ACTIVITY_NEEDS) - 1]
    )
    for person, (theme, items, modality, description) in zip(
        teachers, ACTIVITY_NEEDS, strict=False
    ):
        if not TrainingNeed.objects.filter(staff=person, school_year=year, theme=theme).exists():
            school_plans.submit_need(
                user=person.user,
                theme=theme,
                school_year=year,
                items=Item.objects.filter(code__in=items, domain__framework__code="C2i2e-2011"),
                modality=modality,
                description=description,
            )

    LineData = school_plans.LineData
    # The collège's plan, drafted by its référent and submitted to its head.
    referent = User.objects.get(username="referent")
    if not SchoolPlan.objects.filter(school=college, school_year=year).exists():
        plan = school_plans.create_plan(user=referent, school=college, school_year=year)
        lines = [
            LineData(planned_minutes=_planned(modules[11]), module=modules[11]),
            LineData(
                planned_minutes=180,
                theme="Géométrie dynamique en mathématiques",
                priority=priorities["sciences"],
                modality=Modality.IN_PERSON,
                target_staff=[s for s in named if s.user.username == "enseignant"],
            ),
            LineData(
                planned_minutes=120,
                theme="Droit à l'image et publication en ligne avec les élèves",
                modality=Modality.VIRTUAL,
            ),
        ]
        for data in lines:
            school_plans.add_line(user=referent, plan=plan, data=data)
        school_plans.submit_plan(user=referent, plan=plan)

    # Another school's plan, drafted and approved by its head.
    heads = dict(
        RoleMembership.objects.filter(
            role=RoleMembership.Role.HEAD,
            school__in=secondary,
            user__username__startswith="chef.",
        ).values_list("school_id", "user_id")
    )
    other = next((s for s in secondary if s != college and s.pk in heads), None)
    if other is not None and not SchoolPlan.objects.filter(school=other, school_year=year).exists():
        head = User.objects.get(pk=heads[other.pk])
        plan = school_plans.create_plan(user=head, school=other, school_year=year)
        for data in [
            LineData(planned_minutes=_planned(modules[12]), module=modules[12]),
            LineData(
                planned_minutes=360,
                theme="Usages du numérique dans toutes les disciplines",
                priority=priorities["numerique"],
            ),
        ]:
            school_plans.add_line(user=head, plan=plan, data=data)
        school_plans.submit_plan(user=head, plan=plan)
        school_plans.approve_plan(
            user=head, plan=plan, comment="Conforme au projet d'établissement."
        )

    # What the nightly scan would find, once.
    if not Anomaly.objects.filter(academy=demo.academy, school_year=year).exists():
        run_checks(academy=demo.academy, school_year=year)
