import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from referents.models import AllowanceInstalment, Appointment, MissionLog
from training.models import District, RoleMembership, School, SchoolYear, Staff
from training.roles import roles_of
from training.validators import validate_uai

pytestmark = pytest.mark.django_db


def seed(**options):
    call_command("seed_demo", quiet=True, stdout=open("/dev/null", "w"), **options)


def snapshot():
    User = get_user_model()
    return [
        list(model.objects.order_by("pk").values())
        for model in (
            User,
            School,
            District,
            Staff,
            RoleMembership,
            Appointment,
            AllowanceInstalment,
            MissionLog,
            MissionLog.colleagues.through,
        )
    ]


def test_seed_demo_twice_changes_nothing():
    seed(schools=12, staff=60)
    first = snapshot()
    seed(schools=12, staff=60)
    assert snapshot() == first


def test_demo_directory_is_realistic():
    seed(schools=20, staff=200)
    schools = School.objects.filter(academy__code="25")
    assert schools.count() == 20
    for uai in schools.values_list("uai", flat=True):
        validate_uai(uai)
    assert {s.kind for s in schools} >= {
        "ecole_maternelle",
        "ecole_elementaire",
        "college",
        "legt",
        "lp",
    }
    # 200 generated + the named accounts' staff profiles
    assert Staff.objects.count() == 203
    # one head per school (the named "directeur" is a second head of the collège)
    assert RoleMembership.objects.filter(role="head").values("school").distinct().count() == 20
    # first-degree schools hang off a circonscription, the others off a bassin
    for school in schools.select_related("district"):
        expected = "circonscription" if school.degree == 1 else "bassin"
        assert school.district.kind == expected


def test_a_referent_in_most_secondary_schools():
    seed(schools=40, staff=400)
    secondary = School.objects.filter(degree=2)
    with_referent = secondary.filter(appointments__state="appointed").distinct().count()
    assert with_referent >= 0.6 * secondary.count()
    assert not School.objects.filter(degree=1, appointments__isnull=False).exists()


def test_named_accounts_hold_their_roles_and_log_in(client, settings):
    seed(schools=10, staff=30)
    User = get_user_model()
    expected = {
        "enseignant": ["teacher"],
        "referent": ["teacher", "referent"],
        "directeur": ["head"],
        "formateur": ["teacher", "trainer"],
        "auditeur": ["auditor"],
        "gestionnaire": ["manager"],
        "national": ["national"],
    }
    for username, roles in expected.items():
        user = User.objects.get(username=username)
        assert sorted(r.code for r in roles_of(user)) == sorted(roles), username
        assert client.login(username=username, password=settings.DUNE_DEMO_PASSWORD), username


def test_scale_options_generate_large_data():
    seed(schools=100, staff=3000)
    assert School.objects.count() == 100
    assert Staff.objects.count() == 3003


def test_too_small_a_demo_is_refused_with_a_message():
    with pytest.raises(CommandError, match="au moins 7 établissements"):
        seed(schools=3, staff=10)


def test_demo_referents_have_a_year_of_activity():
    seed(schools=12, staff=60)
    appointments = Appointment.objects.filter(school_year__name="2010-2011", state="appointed")
    assert appointments.exists()
    assert not appointments.filter(scheme__isnull=True).exists()
    assert set(appointments.values_list("annual_cents", flat=True)) == {120_000}
    instalments = AllowanceInstalment.objects.filter(appointment__in=appointments)
    # 12 monthly instalments each, summing to the annual amount
    assert instalments.count() == 12 * appointments.count()
    for appointment in appointments:
        assert sum(appointment.instalments.values_list("amount_cents", flat=True)) == 120_000
    # A closed year: every month attested and exported, the designations ended with it.
    assert not instalments.filter(service_done_at__isnull=True).exists()
    assert not instalments.filter(exported_at__isnull=True).exists()
    assert set(appointments.values_list("end", flat=True)) == {dt.date(2011, 8, 31)}
    assert SchoolYear.objects.get(name="2010-2011").is_closed
    logs = MissionLog.objects.filter(
        appointment__staff__user__username="referent", appointment__school_year__name="2010-2011"
    )
    assert {log.category for log in logs} == {"1a", "1c", "2b"}
    for log in logs:
        assert 30 <= log.minutes <= 90
        assert "2010-10-01" <= log.date.isoformat() <= "2010-11-30"
        assert all(c.school_id == log.appointment.school_id for c in log.colleagues.all())


# --- The current school year's activity (seed_activity) ---------------------------------


def activity_snapshot():
    from training.models import (
        Anomaly,
        Attendance,
        Enrolment,
        EnrolmentEvent,
        HoursEntry,
        ItemEvidence,
        Notification,
        SchoolPlan,
        SchoolPlanEvent,
        SchoolPlanLine,
        Session,
        Slot,
        TrainingNeed,
    )

    return [
        list(model.objects.order_by("pk").values())
        for model in (
            Session,
            Slot,
            Enrolment,
            EnrolmentEvent,
            Attendance,
            HoursEntry,
            ItemEvidence,
            TrainingNeed,
            TrainingNeed.items.through,
            SchoolPlan,
            SchoolPlanLine,
            SchoolPlanEvent,
            Anomaly,
            Notification,
        )
    ]


def this_year():
    from django.utils import timezone

    from training.models import SchoolYear

    return SchoolYear.objects.containing(timezone.localdate()).get()


def test_seed_demo_twice_changes_nothing_in_the_current_year():
    seed(schools=12, staff=60)
    first = snapshot(), activity_snapshot()
    assert first[1][5], "the ledger has entries"
    seed(schools=12, staff=60)
    assert (snapshot(), activity_snapshot()) == first


def test_the_current_year_has_hours_by_priority_modality_and_district():
    from django.utils import timezone

    from training.models import Attendance, HoursEntry

    seed(schools=12, staff=60)
    year = this_year()
    entries = HoursEntry.objects.filter(school_year=year)
    assert entries.values("priority").distinct().count() >= 3
    assert {"in_person", "virtual"} <= set(entries.values_list("modality", flat=True))
    assert entries.values("staff__school__district").distinct().count() >= 3
    assert entries.values("staff__school").distinct().count() >= 4
    assert entries.filter(staff__user__username="enseignant").exists()
    # written by the trainer's sheets, on past slots of the year, never more than a slot
    assert set(entries.values_list("author__username", flat=True)) == {"formateur"}
    now = timezone.now()
    for entry in entries.select_related("slot"):
        assert timezone.localdate(entry.slot.start) >= year.start
        assert entry.slot.start < now
        assert 0 < entry.minutes <= entry.slot.minutes
    sheets = Attendance.objects.filter(slot__session__module__programme__school_year=year)
    assert {"present", "partial", "absent"} <= set(sheets.values_list("status", flat=True))


def test_the_college_has_needs_and_a_submitted_plan_another_school_an_approved_one():
    from training.models import SchoolPlan, TrainingNeed

    seed(schools=12, staff=60)
    year = this_year()
    college = Staff.objects.get(user__username="enseignant").school
    needs = TrainingNeed.objects.filter(school=college, school_year=year)
    assert 4 <= needs.count() <= 6
    assert needs.filter(staff__user__username="enseignant", items__isnull=False).exists()
    plan = SchoolPlan.objects.get(school=college, school_year=year)
    assert plan.status == "submitted"
    assert plan.created_by.username == "referent"
    assert plan.lines.filter(module__isnull=False).exists()
    assert plan.lines.filter(module__isnull=True, priority__isnull=True).exclude(theme="").exists()
    approved = SchoolPlan.objects.exclude(school=college).get(school_year=year)
    assert approved.status == "approved"
    assert approved.approved_by.memberships.filter(role="head", school=approved.school).exists()
    assert approved.lines.exists()


def test_the_anomaly_scan_ran_for_the_current_year():
    from training.models import Anomaly

    seed(schools=12, staff=60)
    # the catalogue's past in-school session has no sheet yet: a genuine anomaly
    assert Anomaly.objects.filter(
        academy__code="25", school_year=this_year(), code="missing_attendance"
    ).exists()


def test_early_in_the_year_the_sessions_are_never_in_the_future():
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from training.demo.directory import PARIS
    from training.models import HoursEntry, Slot

    first = timezone.localdate().year - (timezone.localdate().month < 9)
    # Three days of the year are past (whatever the weekdays).
    moment = dt.datetime(first, 9, 4, 8, 0, tzinfo=PARIS)
    with time_machine.travel(moment, tick=False):
        seed(schools=12, staff=60)
    year = this_year()
    assert year.start == dt.date(first, 9, 1)
    slots = Slot.objects.filter(hours__isnull=False).distinct()
    assert slots.exists()
    for slot in slots:
        assert year.start <= timezone.localdate(slot.start) < moment.date()
        assert slot.end <= moment
    assert HoursEntry.objects.filter(staff__user__username="enseignant").exists()


def test_the_current_year_has_referents_under_the_regime_in_force():
    """The same volunteers designated again this year under the IMP (1 250 €), the
    instalments of the months so far computed, those before this month attested and
    exported, this month's awaiting the head's *service fait*; the named référent's
    journal of the year; the year's holidays from the ministry's calendar."""
    from django.utils import timezone

    from referents.services import schedule
    from training.models import HolidayPeriod

    seed(schools=12, staff=60)
    year = this_year()
    today = timezone.localdate()
    appointments = Appointment.objects.filter(school_year=year, state="appointed")
    history = Appointment.objects.filter(school_year__name="2010-2011")
    assert set(appointments.values_list("staff", "school")) == set(
        history.values_list("staff", "school")
    )
    assert set(appointments.values_list("scheme__code", "annual_cents")) == {("imp2015-9", 125_000)}
    assert all(a.scheme.in_force_for(year) for a in appointments)
    months = [m for m in schedule(appointments[0].scheme, year) if m <= today]
    instalments = AllowanceInstalment.objects.filter(appointment__in=appointments)
    assert sorted(set(instalments.values_list("month", flat=True))) == months
    this_month = today.replace(day=1)
    before = instalments.filter(month__lt=this_month)
    assert not before.filter(exported_at__isnull=True).exists()
    assert not instalments.filter(month=this_month, service_done_at__isnull=False).exists()
    logs = MissionLog.objects.filter(
        appointment__school_year=year, appointment__staff__user__username="referent"
    )
    assert logs.exists() or (today - year.start).days < 2
    for log in logs:
        assert year.start <= log.date <= today
    if year.name == "2026-2027":
        assert HolidayPeriod.objects.filter(school_year=year, name="Hiver", zone="C").exists()


def test_the_demo_teacher_has_online_work_to_declare_now():
    from django.utils import timezone

    from training.models import Slot

    seed(schools=12, staff=60)
    now = timezone.now()
    open_now = Slot.objects.filter(
        modality="self_paced",
        start__lte=now,
        end__gte=now,
        session__enrolments__staff__user__username="enseignant",
        session__enrolments__state="booked",
    )
    assert open_now.count() == 1
    assert not open_now.get().attendances.exists()
