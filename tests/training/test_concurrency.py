"""The last seats of a session, requested by many people at the same instant.

Each request runs in its own thread with its own database connection, all released
together by a barrier, so the requests really overlap in the database: the session row
lock (``select_for_update`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) must make them
take the seats one after the other.
"""

from __future__ import annotations

import sqlite3
import threading

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections

from training import services
from training.errors import TrainingError
from training.models import Enrolment, Session

pytestmark = pytest.mark.django_db(transaction=True)

CAPACITY = 25
ALREADY_BOOKED = 20
LEFT = CAPACITY - ALREADY_BOOKED
CONTENDERS = 20
State = Enrolment.State


@pytest.fixture(autouse=True)
def database_threads_can_share(transactional_db, tmp_path):
    """On SQLite, run the test on a copy of the test database in a file.

    pytest-django's SQLite test database lives in memory with a cache shared by every
    connection of the process. Shared-cache locks are table locks that SQLite reports at
    once ("database table is locked") instead of waiting out the busy timeout, so
    concurrent writers fail there whatever the code does. Dune's embedded database is a
    file, where ``BEGIN IMMEDIATE`` makes writers queue: that is what this test checks,
    with the project's own connection options. PostgreSQL needs nothing of the kind.
    """
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    in_memory, in_memory_settings = (
        connections[DEFAULT_DB_ALIAS],
        connections.settings[DEFAULT_DB_ALIAS],
    )
    path = tmp_path / "concurrency.sqlite3"
    in_memory.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        in_memory.connection.backup(copy)
    finally:
        copy.close()
    # Every thread builds its connection from these settings; the in-memory connection
    # stays open meanwhile, or SQLite would drop the in-memory database with it.
    connections.settings[DEFAULT_DB_ALIAS] = {**in_memory_settings, "NAME": str(path)}
    connections[DEFAULT_DB_ALIAS] = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        yield
    finally:
        connections[DEFAULT_DB_ALIAS].close()
        connections.settings[DEFAULT_DB_ALIAS] = in_memory_settings
        connections[DEFAULT_DB_ALIAS] = in_memory


def run_together(calls):
    """Run each call in its own thread, all released at once; return what each returned
    or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            # Connect first, so the barrier releases threads straight into their queries.
            connection.ensure_connection()
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except BaseException as exc:  # handed to the test thread, which asserts on it
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(index, call), name=f"enrol-{index}")
        for index, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [thread.name for thread in threads if thread.is_alive()], "threads hung"
    return outcomes


@pytest.fixture
def nearly_full(make_session, make_user, school):
    """A session without approval with 5 of its 25 seats left, and 20 teachers of its
    académie who have not asked yet."""

    def make(*, waitlist):
        session = make_session(capacity=CAPACITY, approval="none", waitlist=waitlist)
        for _ in range(ALREADY_BOOKED):
            user = make_user(school=school)
            services.request_enrolment(user=user, session=session, staff=user.staff)
        assert session.enrolments.booked().count() == ALREADY_BOOKED
        contenders = [make_user(school=school) for _ in range(CONTENDERS)]
        return session, contenders

    return make


def request_all(session, users):
    return run_together(
        [
            lambda user=user: services.request_enrolment(
                user=user, session=session, staff=user.staff
            )
            for user in users
        ]
    )


def unexpected(outcomes):
    return [
        o for o in outcomes if isinstance(o, BaseException) and not isinstance(o, TrainingError)
    ]


def test_last_seats_go_to_five_and_the_others_wait(nearly_full):
    session, contenders = nearly_full(waitlist=True)

    outcomes = request_all(session, contenders)

    assert unexpected(outcomes) == []
    assert [o.message for o in outcomes if isinstance(o, TrainingError)] == []
    states = [o.state for o in outcomes]
    assert states.count(State.BOOKED) == LEFT
    assert states.count(State.WAITLISTED) == CONTENDERS - LEFT
    assert session.enrolments.booked().count() == CAPACITY
    theirs = Enrolment.objects.filter(session=session, staff__user__in=contenders)
    assert theirs.filter(state=State.BOOKED).count() == LEFT
    waitlist = theirs.filter(state=State.WAITLISTED)
    assert waitlist.count() == CONTENDERS - LEFT
    assert not waitlist.filter(waitlisted_at__isnull=True).exists()


def test_without_waitlist_five_get_a_seat_and_the_others_are_refused(nearly_full):
    session, contenders = nearly_full(waitlist=False)

    outcomes = request_all(session, contenders)

    assert unexpected(outcomes) == []
    booked = [o for o in outcomes if isinstance(o, Enrolment)]
    refused = [
        (user, o)
        for user, o in zip(contenders, outcomes, strict=True)
        if isinstance(o, TrainingError)
    ]
    assert [o.state for o in booked] == [State.BOOKED] * LEFT
    assert len(refused) == CONTENDERS - LEFT
    for _user, error in refused:
        assert "complète" in error.message
        assert error.status == 409
    assert session.enrolments.booked().count() == CAPACITY
    assert session.enrolments.count() == CAPACITY
    assert not Enrolment.objects.filter(staff__user__in=[user for user, _ in refused]).exists()


@pytest.mark.parametrize("attempt", range(5))
def test_one_person_asking_for_two_overlapping_sessions_at_once_gets_one(
    attempt, make_session, make_user, school
):
    first = make_session(capacity=5, approval="none", days=30)
    second = make_session(capacity=5, approval="none", days=30)  # same day, same hours
    user = make_user(school=school)
    outcomes = run_together(
        [
            lambda s=s: services.request_enrolment(user=user, session=s, staff=user.staff)
            for s in (first, second)
        ]
    )
    assert unexpected(outcomes) == []
    assert Enrolment.objects.filter(staff=user.staff, state="booked").count() == 1
    refused = [o for o in outcomes if isinstance(o, TrainingError)]
    assert len(refused) == 1 and "chevauche" in refused[0].message


def test_expiry_and_a_heads_approval_at_the_same_moment_do_not_deadlock(
    make_session, teacher, head
):
    from tests.conftest import at

    session = make_session(capacity=5, approval="head")
    pending = [services.request_enrolment(user=teacher, session=session, staff=teacher.staff)]
    Session.objects.filter(pk=session.pk).update(enrolment_closes=at(0, 0))
    outcomes = run_together(
        [
            lambda: services.approve_enrolment(user=head, enrolment=pending[0]).state,
            lambda: services.expire_enrolments(),
        ]
    )
    assert unexpected(outcomes) == []
    enrolment = Enrolment.objects.get(pk=pending[0].pk)
    # Whichever came first wins; the other finds the request already decided.
    if enrolment.state == "booked":
        assert outcomes == ["booked", 0]
    else:
        assert enrolment.state == "expired"
        assert isinstance(outcomes[0], TrainingError) and outcomes[1] == 1


def test_the_monthly_allowance_job_on_two_workers_creates_each_instalment_once(
    make_user, school, head, school_year
):
    import datetime as dt

    import time_machine

    from referents import services as referent_services
    from referents.models import AllowanceInstalment, AllowanceScheme

    scheme = AllowanceScheme.objects.get(code="fic2010-12")
    for n in range(5):
        user = make_user(f"ref{n}", school=school)
        with time_machine.travel(dt.date(2010, 9, 1)):
            appointment = referent_services.volunteer(
                user=user, school_year=school_year, motivation=""
            )
        appointment.state = "appointed"
        appointment.scheme, appointment.annual_cents = scheme, 120000
        appointment.save()
    month = dt.date(2010, 9, 1)
    outcomes = run_together(
        [lambda: referent_services.compute_instalments(month=month) for _ in range(6)]
    )
    assert unexpected(outcomes) == []
    assert sum(outcomes) == 5
    assert AllowanceInstalment.objects.filter(month=month).count() == 5
