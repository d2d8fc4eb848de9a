"""The hours ledger at scale (``seed_demo --hours``): a closed year of sessions, bookings,
sheets and hours entries for every person of an académie, written with COPY and
``bulk_create`` in chunks, for the benchmarks of the audit reports.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from training.demo.directory import PARIS, ascii_slug, named_user
from training.models import (
    Academy,
    Attendance,
    Enrolment,
    EnrolmentEvent,
    HoursEntry,
    Modality,
    Module,
    Priority,
    Programme,
    RoleMembership,
    SchoolYear,
    Session,
    Slot,
    Staff,
)

# The hours ledger at scale: sessions of four slots, 24 seats, dated over the school
# year 2010-2011, each person booked on enough of them for ``per_staff`` slots.
VOLUME_SLOTS = 4


VOLUME_CAPACITY = 24


VOLUME_GROUPS = 99  # sessions per module (the group number has two digits)


VOLUME_CHUNK = 2000  # people per COPY / bulk_create round


VOLUME_YEAR = "2010-2011"


# Slot patterns: in person only, hybrid, online.
VOLUME_PATTERNS = [
    ([Modality.IN_PERSON] * 4, 5),
    ([Modality.IN_PERSON, Modality.SELF_PACED, Modality.VIRTUAL, Modality.IN_PERSON], 3),
    ([Modality.VIRTUAL, Modality.SELF_PACED, Modality.SELF_PACED, Modality.VIRTUAL], 2),
]


# How a sheet reads: present, partial, absent, excused (per mille), and how often a
# presence was later corrected to a partial one (a reversing entry and a new one).
VOLUME_MARKS = [("present", 850), ("partial", 80), ("absent", 40), ("excused", 30)]


VOLUME_CORRECTED = 0.03


# Holidays common to the three zones in 2010-2011 (Toussaint, Noël); no session starts then.
VOLUME_BREAKS = [
    (dt.date(2010, 10, 23), dt.date(2010, 11, 3)),
    (dt.date(2010, 12, 18), dt.date(2011, 1, 2)),
]


@dataclass
class _VolumeSlot:
    pk: int
    modality: str
    minutes: int
    recorded: str  # when the sheet was filled (ISO, UTC)
    corrected: str  # when a correction was written


def _school_days(year: SchoolYear) -> list[dt.date]:
    """Weekdays of the year on which a four-week session can start and end by June."""
    day, last = year.start + dt.timedelta(days=12), dt.date(year.start.year + 1, 5, 13)
    days = []
    while day <= last:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in VOLUME_BREAKS):
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def _slot_fields(modality: str, day: dt.date, rng: random.Random) -> dict:
    if modality == Modality.IN_PERSON:
        start, end = rng.choice([(9, 12), (14, 17), (14, 16), (9, 16)])
        return {
            "start": dt.datetime.combine(day, dt.time(start), PARIS),
            "end": dt.datetime.combine(day, dt.time(end), PARIS),
            "room": "Salle informatique",
        }
    if modality == Modality.VIRTUAL:
        return {
            "start": dt.datetime.combine(day, dt.time(17), PARIS),
            "end": dt.datetime.combine(day, dt.time(18, 30), PARIS),
            "video_url": "https://visio.example.org/dune",
        }
    return {
        "start": dt.datetime.combine(day, dt.time(18), PARIS),
        "end": dt.datetime.combine(day + dt.timedelta(days=7), dt.time(18), PARIS),
        "credited_minutes": rng.choice([60, 120, 180]),
    }


def _reserve_ids(model, count: int) -> int:
    """The first of ``count`` consecutive primary keys kept for rows written with
    explicit ids (COPY returns none; the hours rows must point at their sheet)."""

    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Nobody else inserts until we commit, so the block stays ours.
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                "nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [model._meta.db_table, model._meta.db_table, max(count, 1)],
            )
            return cursor.fetchone()[0] - max(count, 1) + 1
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 (a model's table)
        return (cursor.fetchone()[0] or 0) + 1


class _Rows:
    """Rows of one model, written in chunks: COPY FROM STDIN on PostgreSQL (psycopg),
    ``bulk_create`` elsewhere. Values are given in ``attnames`` order."""

    def __init__(self, model, attnames: list[str]):

        self.model, self.attnames, self.rows = model, attnames, []
        self.copy = connection.vendor == "postgresql"
        columns = ", ".join(
            connection.ops.quote_name(model._meta.get_field(a.removesuffix("_id")).column)
            if a != "id"
            else "id"
            for a in attnames
        )
        self.sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
        self.written = 0

    def add(self, row: tuple) -> None:
        self.rows.append(row)

    def flush(self) -> None:

        if not self.rows:
            return
        if self.copy:
            with connection.cursor() as cursor, cursor.copy(self.sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            self.model.objects.bulk_create(
                [self.model(**dict(zip(self.attnames, row, strict=True))) for row in self.rows],
                batch_size=500,
            )
        self.written += len(self.rows)
        self.rows = []


def _volume_catalogue(
    *, academy: Academy, year: SchoolYear, staff: list[tuple[int, int]], per_staff: int, rng
) -> tuple[list[int], list[list[_VolumeSlot]], int]:
    """Programmes (one per priority), modules, sessions and slots for ``staff``; returns
    the session ids, their slots, and the trainer who fills the sheets."""
    priorities = list(Priority.objects.filter(plan__school_year=year).order_by("order", "pk"))
    weights = [3 if p.code == "numerique" else 1 for p in priorities]
    slug = ascii_slug(academy.name)
    trainer = named_user(f"formateur.{slug}", "Formateur", academy.name, make_password(None))
    RoleMembership.objects.get_or_create(
        user=trainer, role=RoleMembership.Role.TRAINER, academy=academy
    )
    programmes = [
        Programme.objects.get_or_create(
            academy=academy,
            school_year=year,
            code=f"{year.name[2:4]}A0{academy.code}H{n:03d}",
            defaults={"title": f"{priority.title} (plan académique)", "priority": priority},
        )[0]
        for n, priority in enumerate(priorities, start=1)
    ]
    # Rounds: in round r, everyone fills the round's sessions in order (colleagues of a
    # school together); round r's sessions run in the r-th part of the year, so that one
    # person's sessions follow each other instead of overlapping.
    rounds, block = -(-per_staff // VOLUME_SLOTS), -(-len(staff) // VOLUME_CAPACITY)
    n_sessions = rounds * block
    # Session s belongs to module s mod n_modules (group s div n_modules + 1, at most 99);
    # the first modules cover every priority, the others mostly the digital one.
    n_modules = max(len(programmes), -(-n_sessions // VOLUME_GROUPS))
    modules = Module.objects.bulk_create(
        Module(
            programme=programmes[m]
            if m < len(programmes)
            else rng.choices(programmes, weights=weights)[0],
            code=f"V{m + 1:05d}",
            title=f"Module {m + 1} — usages numériques",
            planned_in_person_minutes=360,
            planned_online_minutes=120,
        )
        for m in range(n_modules)
    )
    days = _school_days(year)
    starts = []
    for r in range(rounds):
        part = days[r * len(days) // rounds : (r + 1) * len(days) // rounds] or days
        # A session lasts four weeks: it starts early enough to end within its part.
        early = [d for d in part if d <= part[-1] - dt.timedelta(days=28)]
        starts.append(early or part)
    session_ids, slots = [], []
    for start in range(0, n_sessions, VOLUME_CHUNK):
        batch, plans = [], []
        for s in range(start, min(n_sessions, start + VOLUME_CHUNK)):
            first = rng.choice(starts[s // block])
            opens = dt.datetime.combine(first - dt.timedelta(days=40), dt.time(9), PARIS)
            batch.append(
                Session(
                    module=modules[s % n_modules],
                    group=f"{s // n_modules + 1:02d}",
                    capacity=VOLUME_CAPACITY,
                    approval=Session.Approval.NONE,
                    status=Session.Status.PUBLISHED,
                    enrolment_opens=opens,
                    enrolment_closes=opens + dt.timedelta(days=35),
                )
            )
            # The in-person slots are at the school of the session's first person.
            host = staff[(s % block) * VOLUME_CAPACITY][1]
            pattern = rng.choices(
                [p for p, _w in VOLUME_PATTERNS], weights=[w for _p, w in VOLUME_PATTERNS]
            )[0]
            plans.append((first, host, pattern))
        Session.objects.bulk_create(batch)
        Session.trainers.through.objects.bulk_create(
            Session.trainers.through(session_id=s.pk, user_id=trainer.pk) for s in batch
        )
        rows = [
            Slot(
                session=session,
                modality=modality,
                title=f"Séance {k + 1}",
                school_id=host if modality == Modality.IN_PERSON else None,
                **_slot_fields(modality, first + dt.timedelta(days=7 * k), rng),
            )
            for session, (first, host, pattern) in zip(batch, plans, strict=True)
            for k, modality in enumerate(pattern)
        ]
        Slot.objects.bulk_create(rows)  # PostgreSQL and SQLite ≥ 3.35 return the ids
        for k in range(0, len(rows), VOLUME_SLOTS):
            slots.append(
                [
                    _VolumeSlot(
                        pk=slot.pk,
                        modality=slot.modality,
                        minutes=slot.minutes,
                        recorded=(slot.end + dt.timedelta(days=1)).isoformat(),
                        corrected=(slot.end + dt.timedelta(days=10)).isoformat(),
                    )
                    for slot in rows[k : k + VOLUME_SLOTS]
                ]
            )
        session_ids.extend(s.pk for s in batch)
    return session_ids, slots, trainer.pk


def seed_hours(*, academy: Academy, per_staff: int, seed: int = 2010) -> int:
    """About ``per_staff`` attended slots for every person of ``academy`` in 2010-2011,
    with what the ledger holds for them: booked enrolments (and their history), the
    sheets (present, partial, absent, excused), and the ``HoursEntry`` rows they credit,
    some of them corrected (a reversing entry and a new one, with a reason).

    The ledger's rules hold: every entry is tied to its slot and sheet, never credits
    more than the slot lasts, slots are past and not cancelled, no session has more
    people booked than seats. Deterministic (seeded), idempotent (an académie that has
    its volume sessions already gets nothing more), one transaction per académie, memory
    bounded by ``VOLUME_CHUNK`` people at a time. Returns the number of ledger rows.
    """

    if per_staff <= 0:
        return 0
    year = SchoolYear.objects.get(name=VOLUME_YEAR)
    rng = random.Random(f"{seed}-hours-{academy.code}")
    code_prefix = f"{year.name[2:4]}A0{academy.code}H"
    if Session.objects.filter(
        module__programme__academy=academy,
        module__programme__school_year=year,
        module__programme__code__startswith=code_prefix,
    ).exists():
        return 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Foreign keys checked statement by statement, not queued until commit for
            # millions of rows.
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        staff = list(
            Staff.objects.filter(school__academy=academy, active=True)
            .order_by("school_id", "pk")
            .values_list("pk", "school_id")
        )
        if not staff:
            return 0
        session_ids, slots, author = _volume_catalogue(
            academy=academy, year=year, staff=staff, per_staff=per_staff, rng=rng
        )
        priority_of = _priorities_by_session(session_ids)
        per_person = -(-per_staff // VOLUME_SLOTS)
        block = -(-len(staff) // VOLUME_CAPACITY)
        first_enrolment = _reserve_ids(Enrolment, len(staff) * per_person)
        first_attendance = _reserve_ids(Attendance, len(staff) * per_staff)
        enrolments = _Rows(
            Enrolment, ["id", "session_id", "staff_id", "state", "reason", "created_by_id",
                        "created_at", "updated_at"],
        )  # fmt: skip
        events = _Rows(
            EnrolmentEvent, ["enrolment_id", "from_state", "to_state", "actor_id", "reason", "at"]
        )
        sheets = _Rows(
            Attendance, ["id", "slot_id", "staff_id", "status", "minutes", "declared_minutes",
                         "recorded_by_id", "recorded_at"],
        )  # fmt: skip
        ledger = _Rows(
            HoursEntry, ["staff_id", "slot_id", "attendance_id", "minutes", "priority_id",
                         "modality", "school_year_id", "source", "reason", "author_id",
                         "created_at"],
        )  # fmt: skip
        marks = [m for m, _w in VOLUME_MARKS]
        mark_weights = [w for _m, w in VOLUME_MARKS]
        booked, designated = Enrolment.State.BOOKED, "Désignation par le rectorat"
        fix = "Correction de la feuille : arrivée en retard"
        for j, (staff_pk, _school) in enumerate(staff):
            attended = 0
            for k in range(per_person):
                s = k * block + j // VOLUME_CAPACITY  # see _volume_catalogue
                session_slots = slots[s]
                enrolment_id = first_enrolment + j * per_person + k
                when = session_slots[0].recorded
                enrolments.add((enrolment_id, session_ids[s], staff_pk, booked, "", author, when,
                                when))  # fmt: skip
                events.add((enrolment_id, "", booked, author, designated, when))
                priority = priority_of[session_ids[s]]
                for slot in session_slots:
                    if attended == per_staff:
                        break
                    attendance_id = first_attendance + j * per_staff + attended
                    attended += 1
                    common = (priority, slot.modality, year.pk)
                    if slot.modality == Modality.SELF_PACED:
                        # Declared by the person, validated by the trainer.
                        declared = rng.choice([slot.minutes, slot.minutes, slot.minutes // 2])
                        sheets.add((attendance_id, slot.pk, staff_pk, "present", declared,
                                    declared, author, slot.recorded))  # fmt: skip
                        ledger.add((staff_pk, slot.pk, attendance_id, declared, *common,
                                    "self_paced", "", author, slot.recorded))  # fmt: skip
                        continue
                    mark = rng.choices(marks, weights=mark_weights)[0]
                    minutes = {"present": slot.minutes, "partial": rng.randrange(
                        30, slot.minutes, 15) if slot.minutes > 30 else 0}.get(mark, 0)  # fmt: skip
                    if mark == "partial" and not minutes:
                        mark = "absent"
                    corrected = mark == "present" and rng.random() < VOLUME_CORRECTED
                    if corrected:
                        # First marked present, then corrected to a partial presence.
                        minutes = slot.minutes - 30 if slot.minutes > 30 else slot.minutes // 2
                        mark = "partial"
                        ledger.add((staff_pk, slot.pk, attendance_id, slot.minutes, *common,
                                    "attendance", "", author, slot.recorded))  # fmt: skip
                        ledger.add((staff_pk, slot.pk, attendance_id, -slot.minutes, *common,
                                    "correction", fix, author, slot.corrected))  # fmt: skip
                    sheets.add((attendance_id, slot.pk, staff_pk, mark, minutes, None, author,
                                slot.corrected if corrected else slot.recorded))  # fmt: skip
                    if minutes:
                        ledger.add((staff_pk, slot.pk, attendance_id, minutes, *common,
                                    "attendance", fix if corrected else "", author,
                                    slot.corrected if corrected else slot.recorded))  # fmt: skip
            if j % VOLUME_CHUNK == VOLUME_CHUNK - 1 or j == len(staff) - 1:
                for rows in (enrolments, events, sheets, ledger):
                    rows.flush()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (Enrolment, EnrolmentEvent, Attendance, HoursEntry, Slot, Session):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return ledger.written


def _priorities_by_session(session_ids: list[int]) -> dict[int, int]:
    result = {}
    for start in range(0, len(session_ids), 10_000):
        result.update(
            Session.objects.filter(pk__in=session_ids[start : start + 10_000]).values_list(
                "pk", "module__programme__priority_id"
            )
        )
    return result
