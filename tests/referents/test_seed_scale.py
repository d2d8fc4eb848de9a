"""seed_demo at scale: the national data set (--national) and the hours ledger
(--hours-per-staff), at a small scale. Runs on SQLite (bulk_create) and on PostgreSQL
(COPY) alike."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum

from training.demo.directory import ACADEMY_DEPARTEMENTS
from training.demo.national import national_split
from training.demo.volume import seed_hours
from training.models import (
    Academy,
    Attendance,
    Enrolment,
    EnrolmentEvent,
    HoursEntry,
    School,
    Session,
    Slot,
    Staff,
)
from training.validators import validate_uai

pytestmark = pytest.mark.django_db


def seed(**options):
    call_command("seed_demo", quiet=True, stdout=open("/dev/null", "w"), **options)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (School, Staff, Session, Slot, Enrolment, EnrolmentEvent, Attendance)
    } | {"minutes": HoursEntry.objects.aggregate(m=Sum("minutes"))["m"], "rows": _rows()}


def _rows():
    return HoursEntry.objects.count()


def test_national_spreads_staff_and_schools_over_the_30_academies():
    seed(national=True, scale=0.002)  # 1 740 staff, 120 schools (at least 7 per académie)
    split = {code: (schools, staff) for code, schools, staff in national_split(
        n_staff=1740, n_schools=120
    )}  # fmt: skip
    assert len(split) == 30
    per_academy = {
        row["academy__code"]: (row["schools"], row["staff"])
        for row in School.objects.values("academy__code").annotate(
            schools=Count("pk", distinct=True), staff=Count("staff", distinct=True)
        )
    }
    # the named accounts' three staff profiles are in Versailles
    assert per_academy.pop("25") == (split["25"][0], split["25"][1] + 3)
    assert per_academy == {code: v for code, v in split.items() if code != "25"}
    assert sum(staff for _schools, staff in split.values()) >= 1740
    # Versailles is the largest académie, Corse the smallest
    assert max(split, key=lambda c: split[c][1]) == "25"
    assert min(split, key=lambda c: split[c][1]) == "27"
    for uai, code in School.objects.values_list("uai", "academy__code"):
        validate_uai(uai)
        assert uai[:3] in ACADEMY_DEPARTEMENTS[code], (uai, code)
    # every académie has schools of every kind, and a head per school
    for academy in Academy.objects.filter(schools__isnull=False).distinct():
        assert academy.schools.values("kind").distinct().count() == 7, academy
        assert not academy.schools.filter(memberships__isnull=True).exists(), academy


def test_national_twice_changes_nothing():
    seed(national=True, scale=0.001)
    first = counts()
    seed(national=True, scale=0.001)
    assert counts() == first


def test_hours_are_written_once():
    seed(schools=12, staff=60, hours_per_staff=6)
    first = counts()
    # 63 people (60 + the named accounts' profiles) × 6 slots, two sessions each (the
    # demo's current year has sheets of its own)
    volume_sheets = Attendance.objects.filter(
        slot__session__module__programme__school_year__name="2010-2011"
    )
    assert volume_sheets.count() == 63 * 6
    volume = Enrolment.objects.filter(session__module__programme__code__contains="H")
    assert volume.count() == volume.filter(state="booked", events__isnull=False).count() == 63 * 2
    assert HoursEntry.objects.filter(school_year__name="2010-2011").count() > 0.8 * 63 * 6
    seed(schools=12, staff=60, hours_per_staff=6)
    assert counts() == first
    assert seed_hours(academy=Academy.objects.get(code="25"), per_staff=6) == 0


def test_without_the_option_no_hours_are_written():
    # (the demo's current school year has its own few sessions and hours: seed_activity)
    seed(schools=12, staff=60)
    assert not HoursEntry.objects.filter(school_year__name="2010-2011").exists()
    assert not Attendance.objects.filter(
        slot__session__module__programme__school_year__name="2010-2011"
    ).exists()


def test_generated_hours_keep_the_ledger_rules():
    seed(schools=12, staff=60, hours_per_staff=10)
    entries = (
        HoursEntry.objects.filter(school_year__name="2010-2011")
        .select_related("attendance", "slot__session__module__programme")
        .order_by("pk")
    )
    credited = {}
    for entry in entries:
        # each entry is tied to the sheet of its person and slot
        assert entry.attendance.staff_id == entry.staff_id
        assert entry.attendance.slot_id == entry.slot_id
        programme = entry.slot.session.module.programme
        assert entry.priority_id == programme.priority_id
        assert entry.school_year_id == programme.school_year_id
        assert entry.school_year.name == "2010-2011"
        assert entry.modality == entry.slot.modality
        assert entry.slot.status == Slot.Status.SCHEDULED
        assert abs(entry.minutes) <= entry.slot.minutes
        if entry.minutes < 0:
            assert entry.source == "correction" and entry.reason
        key = (entry.staff_id, entry.slot_id)
        credited[key] = credited.get(key, 0) + entry.minutes
        assert 0 <= credited[key] <= entry.slot.minutes
    # the ledger's total per person and slot is what the sheet says
    for attendance in Attendance.objects.filter(
        slot__session__module__programme__school_year__name="2010-2011"
    ).select_related("slot"):
        assert credited.get((attendance.staff_id, attendance.slot_id), 0) == attendance.minutes
        assert (attendance.minutes > 0) == (attendance.status in ("present", "partial"))
    # everyone on a sheet is booked on the session, and no session is over capacity
    booked = set(Enrolment.objects.filter(state="booked").values_list("staff_id", "session_id"))
    for staff_id, session_id in Attendance.objects.values_list("staff_id", "slot__session_id"):
        assert (staff_id, session_id) in booked
    assert not (
        Session.objects.annotate(n=Count("enrolments")).filter(n__gt=F("capacity")).exists()
    )
    # the reports have something to group by: modalities, priorities, partial presence
    # and corrections
    assert set(entries.values_list("modality", flat=True)) == {
        "in_person",
        "virtual",
        "self_paced",
    }
    assert entries.values("priority").distinct().count() >= 3
    assert Attendance.objects.filter(status="partial").exists()
    assert Attendance.objects.filter(status__in=["absent", "excused"]).exists()
    assert entries.filter(source="correction").exists()


def test_generated_slots_are_past_weekdays_of_the_school_year():
    seed(schools=12, staff=60, hours_per_staff=4)
    slots = Slot.objects.filter(hours__school_year__name="2010-2011").distinct()
    assert slots.exists()
    for slot in slots:
        assert "2010-09-01" <= slot.start.date().isoformat() <= "2011-06-30"
        assert slot.start.weekday() < 5
        assert slot.end > slot.start


def test_national_with_hours_gives_every_academy_its_ledger():
    seed(national=True, scale=0.001, hours_per_staff=2)
    with_hours = set(HoursEntry.objects.values_list("staff__school__academy__code", flat=True))
    assert with_hours == set(ACADEMY_DEPARTEMENTS)


def test_negative_hours_are_refused_with_a_message():
    with pytest.raises(CommandError, match="hours-per-staff"):
        seed(schools=12, staff=60, hours_per_staff=-1)
