"""Named personas shared by the whole suite.

Versailles (25) is the académie under test: a collège with a teacher, a référent and a
head, a lycée of the same académie, an auditor, a manager and a trainer of the
académie, and the ministry. The *outsider* is a teacher and the head of a Paris school
(another school and another académie): every view, endpoint and export must refuse him.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from training.models import Academy, RoleMembership, School, SchoolYear, Staff
from training.reference import ensure_school_year, load_reference_data, school_year_bounds

PASSWORD = "un-mot-de-passe-de-test"

# The suite's séances lie from 10 days before to 80 days after today (``at()``), and a
# séance lies inside its programme's school year: near the turn of the year (from 12 June
# to 10 September) they would straddle two years. Then the suite runs as of 1 December of
# the year before, the clock ticking (back in time, so that a task's countdown seen by a
# real worker is never in its future). DUNE_TESTS_TODAY=YYYY-MM-DD plays another today.
SUITE_SPAN = (dt.timedelta(days=10), dt.timedelta(days=80))


def suite_date(today: dt.date) -> dt.date:
    _name, start, end = school_year_bounds(today)
    if start + SUITE_SPAN[0] <= today <= end - SUITE_SPAN[1]:
        return today
    return dt.date(today.year - 1, 12, 1)


def _start_the_suite_clock() -> None:
    played = os.environ.get("DUNE_TESTS_TODAY")
    today = dt.date.fromisoformat(played) if played else dt.date.today()
    day = suite_date(today)
    if day != dt.date.today():
        now = dt.datetime.now().time()
        time_machine.travel(dt.datetime.combine(day, now), tick=True).start()


_start_the_suite_clock()
# The school year of the catalogue's sessions (fixture ``current_year``), by its name.
CURRENT_YEAR = school_year_bounds(dt.date.today())[0]
_serial = itertools.count(1)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Reference data (académies, 2010-2011, C2i2e, national plan) in the test database,
    as ``make run`` loads it, and the current school year with its plan."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
        ensure_school_year(dt.date.today())


@pytest.fixture
def reference_data(db):
    """For transactional tests, whose database is emptied after each test."""
    if not Academy.objects.exists():
        load_reference_data()
        ensure_school_year(dt.date.today())


@pytest.fixture
def academy(reference_data):
    return Academy.objects.get(code="25")


@pytest.fixture
def other_academy(reference_data):
    return Academy.objects.get(code="01")


@pytest.fixture
def school_year(reference_data):
    """2010-2011, the historical year the reference data ships (référents' ledgers)."""
    return SchoolYear.objects.get(name="2010-2011")


@pytest.fixture
def current_year(reference_data):
    """The school year containing today, with its national plan (copied from
    2010-2011's), as the demo creates it: the catalogue's sessions live in it."""
    return SchoolYear.objects.get(name=CURRENT_YEAR)


def make_school(academy, uai, name, kind="college"):
    return School.objects.create(uai=uai, name=name, kind=kind, academy=academy)


@pytest.fixture
def school(academy):
    return make_school(academy, "0783288A", "Collège Jean Moulin")


@pytest.fixture
def other_school(academy):
    return make_school(academy, "0920134W", "Lycée Condorcet", kind="legt")


@pytest.fixture
def outsider_school(other_academy):
    return make_school(other_academy, "0750655E", "Collège de Paris")


@pytest.fixture
def make_user(db):
    def make(username=None, *, school=None, role=None, academy=None, **extra):
        n = next(_serial)
        username = username or f"user{n}"
        user = get_user_model().objects.create_user(
            username=username,
            password=PASSWORD,
            first_name=extra.pop("first_name", "Prénom"),
            last_name=extra.pop("last_name", f"Nom{n}"),
            email=extra.pop("email", f"{username}@example.org"),
            **extra,
        )
        if school is not None:
            Staff.objects.create(
                user=user, staff_id=f"T{n:06d}", school=school, degree=school.degree
            )
        if role is not None:
            RoleMembership.objects.create(
                user=user,
                role=role,
                school=school if role == RoleMembership.Role.HEAD else None,
                academy=academy,
            )
        return user

    return make


@pytest.fixture
def teacher(make_user, school):
    return make_user("teacher", school=school, first_name="Claire", last_name="Martin")


@pytest.fixture
def referent(make_user, school, school_year):
    from referents.models import Appointment

    user = make_user("referent", school=school)
    Appointment.objects.create(
        staff=user.staff,
        school=school,
        school_year=school_year,
        state=Appointment.State.APPOINTED,
        start=dt.date(2010, 9, 1),
    )
    return user


@pytest.fixture
def head(make_user, school):
    user = make_user("head")
    RoleMembership.objects.create(user=user, role=RoleMembership.Role.HEAD, school=school)
    return user


@pytest.fixture
def auditor(make_user, academy):
    return make_user("auditor", role=RoleMembership.Role.AUDITOR, academy=academy)


@pytest.fixture
def manager(make_user, academy):
    return make_user("manager", role=RoleMembership.Role.MANAGER, academy=academy)


@pytest.fixture
def trainer(make_user, academy, other_school):
    return make_user(
        "trainer", school=other_school, role=RoleMembership.Role.TRAINER, academy=academy
    )


@pytest.fixture
def national(make_user):
    return make_user("national", role=RoleMembership.Role.NATIONAL)


@pytest.fixture
def outsider(make_user, outsider_school):
    """A teacher and head of a Paris school: nothing of Versailles is his to see."""
    user = make_user("outsider", school=outsider_school)
    RoleMembership.objects.create(user=user, role=RoleMembership.Role.HEAD, school=outsider_school)
    return user


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    # PBKDF2's 1M rounds cost ~0.3 s a user; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- Catalogue and sessions -----------------------------------------------------------


@pytest.fixture
def priority(current_year):
    from training.models import Priority

    return Priority.objects.get(plan__school_year=current_year, code="numerique")


@pytest.fixture
def programme(academy, current_year, priority):
    from training.models import Programme

    return Programme.objects.create(
        academy=academy,
        school_year=current_year,
        code="10A0250001",
        title="Usages du numérique",
        priority=priority,
        degree=2,
    )


@pytest.fixture
def module(programme):
    from training.models import Item, Module

    module = Module.objects.create(
        programme=programme, code="M1", title="Intégrer l'ENT", planned_in_person_minutes=360
    )
    module.items.set(Item.objects.filter(code__in=["A.1-3", "B.1-1"]))
    return module


@pytest.fixture
def module_2010(academy, school_year):
    """A module of a 2010-2011 programme: the historical year, with its holidays."""
    from training.models import Module, Priority, Programme

    programme = Programme.objects.create(
        academy=academy,
        school_year=school_year,
        code="10A0259999",
        title="Usages du numérique (2010-2011)",
        priority=Priority.objects.get(plan__school_year=school_year, code="numerique"),
        degree=2,
    )
    return Module.objects.create(
        programme=programme, code="M1", title="Intégrer l'ENT", planned_in_person_minutes=360
    )


def at(days: int, hour: int = 9, minute: int = 0):
    """A moment ``days`` from now at ``hour`` (Paris time), for slot dates."""
    from django.utils import timezone

    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def make_session(module, other_school):
    """A published session with one in-person slot 30 days ahead (3 hours), open for
    enrolment from yesterday to 20 days ahead."""
    from training.models import Session, Slot

    groups = itertools.count(1)

    def make(
        *,
        capacity=3,
        approval="head",
        waitlist=True,
        days=30,
        slots=True,
        module=module,
        status="published",
        **fields,
    ):
        session = Session.objects.create(
            module=module,
            group=f"{next(groups):02d}",
            capacity=capacity,
            approval=approval,
            waitlist_enabled=waitlist,
            enrolment_opens=at(-1),
            enrolment_closes=at(20),
            status=status,
            **fields,
        )
        if slots:
            Slot.objects.create(
                session=session,
                modality="in_person",
                start=at(days, 9),
                end=at(days, 12),
                school=other_school,
                room="B12",
            )
        return session

    return make


@pytest.fixture
def session(make_session):
    return make_session()


# --- Audit reports ----------------------------------------------------------------------


@pytest.fixture
def audit_data(make_session, make_user, trainer, teacher, school, other_school, outsider):
    """Audit reports: a hand-built ledger. The teacher present 3 h on a past slot, a
    lycée colleague first present then corrected to 2 h (partial), a third person
    absent; one Paris entry that no Versailles report may count."""
    from training import services
    from training.models import HoursEntry
    from training.services.attendance import Mark

    session = make_session(approval="none", days=-2, capacity=10)
    session.trainers.add(trainer)
    colleague = make_user("colleague", school=other_school, last_name="Durand")
    absent = make_user("absent", school=school, last_name="Zola")
    for user in (teacher, colleague, absent):
        services.request_enrolment(user=user, session=session, staff=user.staff)
    slot = session.slots.get()
    services.record_attendance(
        user=trainer,
        slot=slot,
        marks=[
            Mark(teacher.staff.pk, "present"),
            Mark(colleague.staff.pk, "present"),
            Mark(absent.staff.pk, "absent"),
        ],
    )
    services.record_attendance(
        user=trainer,
        slot=slot,
        marks=[Mark(colleague.staff.pk, "partial", 120)],
        reason="Parti à 11h",
    )
    year = slot.session.module.programme.school_year
    # A Paris entry, which no Versailles report may count.
    HoursEntry.objects.create(
        staff=outsider.staff,
        slot=slot,
        minutes=600,
        priority=slot.session.module.programme.priority,
        modality="in_person",
        school_year=year,
        source="correction",
        reason="test",
        author=trainer,
    )
    return {"year": year, "colleague": colleague, "absent": absent, "slot": slot}
