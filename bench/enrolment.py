"""Enrolment under load: the real app (gunicorn, 4 workers) on PostgreSQL.

    make bench        (or: .venv/bin/python bench/enrolment.py [--help])

What it does, from scratch each time:

1. creates a scratch PostgreSQL database (``DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/dune_bench``; its name must contain "bench",
   since it is dropped at the end), migrates it and loads the reference data;
2. creates 100 published sessions of 20 seats (no approval, waitlist on, one in-person
   slot each, none overlapping another, so that a teacher may book several) and 1,500
   teachers of the académie, each with a personal API token;
3. starts ``gunicorn config.wsgi -w 4`` on a free loopback port (production settings:
   ``DEBUG=0``). As in production, tasks (e-mails, waitlist promotion) go to a Celery
   broker: a scratch Redis database (``--broker``, default ``redis://127.0.0.1:6379/14``,
   emptied before and after) with no worker, so the figures are those of the web tier.
   ``--eager`` runs them in the request instead, as the embedded default does;
4. three rounds of: (a) 50 client threads sending a fixed number of ``GET /healthz``
   (no database: the ceiling of the stack), then (b) 50 client threads, each with its
   own 30 teachers, sending 1,000 ``POST /api/training/sessions/{id}/enrolments`` with
   the teachers' tokens: 22 for each of 40 popular sessions, which fill up and put the
   last two on their waitlist, 2 for each of the 60 others. After each round it counts
   in SQL the seats booked per session (never more than its places) and the totals
   expected, then empties the enrolments for the next round;
5. prints the medians of the three rounds, stops gunicorn and drops the database.

The figures are those of the whole machine: the clients, gunicorn and PostgreSQL share
its cores, so compare runs made on the same machine, and read the ratio to ``/healthz``
rather than the absolute numbers. It exits 1 on any 5xx, transport error, unexpected
answer or overbooked session, 2 when the enrolment endpoint does not exist.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import statistics
import sys
import tempfile
import time

from harness import (
    HOST,
    WORKERS,
    Request,
    flush_broker,
    free_port,
    hammer,
    recreate_database,
    setup_scratch_database,
    start_gunicorn,
    stop,
    wait_until_up,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dune_bench"


SESSIONS = 100


SEATS = 20


CLIENTS = 50


TEACHERS_PER_CLIENT = 30  # 1,500 teachers


# A round: 1,000 requests (each by a different teacher), 22 for each of 40 popular
# sessions (20 booked, 2 waitlisted each) and 2 for each of the other 60. About 25 a
# second on 2 busy cores: three rounds stay under three minutes.
REQUESTS_PER_CLIENT = 20


POPULAR, POPULAR_REQUESTS, OTHER_REQUESTS = 40, 22, 2


SCHOOLS = 10


def seed() -> tuple[list[int], list[str]]:
    """Sessions and teachers; returns the session ids and the teachers' tokens."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from training import services
    from training.models import (
        Academy,
        ApiToken,
        Module,
        Priority,
        Programme,
        School,
        SchoolYear,
        Session,
        Slot,
        Staff,
    )
    from training.validators import uai_check_letter

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)
    User = get_user_model()
    now = timezone.now()
    with transaction.atomic():
        academy = Academy.objects.get(code="25")
        year = SchoolYear.objects.get(name="2010-2011")
        schools = []
        for n in range(SCHOOLS):
            digits = f"0789{n:03d}"
            schools.append(
                School.objects.create(
                    uai=digits + uai_check_letter(digits),
                    name=f"Collège du banc d'essai {n + 1}",
                    kind="college",
                    academy=academy,
                )
            )
        programme = Programme.objects.create(
            academy=academy,
            school_year=year,
            code="10A0259999",
            title="Banc d'essai des inscriptions",
            priority=Priority.objects.get(plan__school_year=year, code="numerique"),
        )
        modules = [
            Module.objects.create(programme=programme, code=f"B{m}", title=f"Module {m}")
            for m in range(SESSIONS // 50)
        ]
        sessions = Session.objects.bulk_create(
            Session(
                module=modules[i // 50],
                group=f"{i % 50 + 1:02d}",
                capacity=SEATS,
                approval=Session.Approval.NONE,
                waitlist_enabled=True,
                enrolment_opens=now - dt.timedelta(days=1),
                enrolment_closes=now + dt.timedelta(days=20),
                status=Session.Status.PUBLISHED,
            )
            for i in range(SESSIONS)
        )
        # One three-hour slot each, four hours apart: nobody's bookings overlap.
        first = timezone.localtime(now).replace(hour=8, minute=0, second=0, microsecond=0)
        first += dt.timedelta(days=30)
        Slot.objects.bulk_create(
            Slot(
                session=session,
                modality="in_person",
                start=first + dt.timedelta(hours=4 * i),
                end=first + dt.timedelta(hours=4 * i + 3),
                school=schools[0],
                room=f"Salle {i + 1}",
            )
            for i, session in enumerate(sessions)
        )
        teachers = CLIENTS * TEACHERS_PER_CLIENT
        unusable = make_password(None)
        users = User.objects.bulk_create(
            User(
                username=f"banc{n:05d}",
                first_name="Enseignant",
                last_name=f"Banc{n:05d}",
                email=f"banc{n:05d}@example.org",
                password=unusable,
            )
            for n in range(teachers)
        )
        Staff.objects.bulk_create(
            Staff(user=user, staff_id=f"B{n:07d}", school=schools[n % SCHOOLS], degree=2)
            for n, user in enumerate(users)
        )
        # Hashed as create_api_token does, in bulk; marked as notified so that 1,500
        # "new token" e-mails are not sent.
        tokens = [settings_prefix() + secrets.token_urlsafe(32) for _ in range(teachers)]
        ApiToken.objects.bulk_create(
            ApiToken(
                user=user,
                name="banc d'essai",
                prefix=raw[:12],
                token_hash=services.hash_token(raw),
                notified_at=now,
            )
            for user, raw in zip(users, tokens, strict=True)
        )
    return [s.pk for s in sessions], tokens


def settings_prefix() -> str:
    from django.conf import settings

    return settings.DUNE_API_TOKEN_PREFIX


def enrolment_path(session_id: int) -> str:
    return f"/api/training/sessions/{session_id}/enrolments"


def endpoint_exists(session_id: int) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(enrolment_path(session_id))
    except Resolver404:
        return False
    return True


def reset_enrolments() -> None:
    """Each round starts from empty sessions and unused tokens, so the rounds compare."""
    from django.db import connection, transaction

    from training.models import ApiToken, Enrolment, EnrolmentEvent, Notification

    tables = [m._meta.db_table for m in (Notification, EnrolmentEvent, Enrolment)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
        ApiToken.objects.update(last_used_at=None)


def seat_counts() -> tuple[int, int, list[tuple[int, int, int]]]:
    """Booked and waitlisted in all, and the sessions with more booked than places."""
    from django.db import connection

    from training.models import Enrolment, Session

    enrolment, session = Enrolment._meta.db_table, Session._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FILTER (WHERE state = 'booked'), "
            f"count(*) FILTER (WHERE state = 'waitlisted') FROM {enrolment}"
        )
        booked, waitlisted = cursor.fetchone()
        cursor.execute(
            f"SELECT s.id, s.capacity, count(e.id) FROM {session} s "
            f"JOIN {enrolment} e ON e.session_id = s.id AND e.state = 'booked' "
            f"GROUP BY s.id, s.capacity HAVING count(e.id) > s.capacity ORDER BY s.id"
        )
        return booked, waitlisted, cursor.fetchall()


def healthz_work(per_client: int) -> list[list[Request]]:
    return [[("GET", "/healthz", None, {})] * per_client for _ in range(CLIENTS)]


def session_demand() -> list[int]:
    """How many requests each session gets in a round: the popular ones more than their
    seats (they fill up, then waitlist), the others a few."""
    demand = [POPULAR_REQUESTS] * POPULAR + [OTHER_REQUESTS] * (SESSIONS - POPULAR)
    assert sum(demand) == CLIENTS * REQUESTS_PER_CLIENT
    return demand


def expected_states() -> dict[str, int]:
    demand = session_demand()
    return {
        "booked": sum(min(n, SEATS) for n in demand),
        "waitlisted": sum(max(n - SEATS, 0) for n in demand),
    }


def enrolment_work(session_ids: list[int], tokens: list[str]) -> list[list[Request]]:
    """Client c sends one request for each of its first teachers (30c, 30c+1, …), for
    sessions dealt from a shuffled deck, so a popular session is asked for by ~20
    different clients at once. The same deck every round: the rounds compare."""
    deck = [i for i, n in enumerate(session_demand()) for _ in range(n)]
    random.Random(2010).shuffle(deck)
    work = []
    for c in range(CLIENTS):
        requests = []
        for k in range(REQUESTS_PER_CLIENT):
            token = tokens[c * TEACHERS_PER_CLIENT + k]
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            session_id = session_ids[deck[c * REQUESTS_PER_CLIENT + k]]
            requests.append(("POST", enrolment_path(session_id), b"{}", headers))
        work.append(requests)
    return work


def warm_up(port: int, tokens: list[str]) -> None:
    """Every worker imports its views and opens its database connection before timing."""
    hammer(port, [[("GET", "/healthz", None, {})] * 20 for _ in range(CLIENTS)])
    hammer(
        port,
        [
            [("GET", "/api/me", None, {"Authorization": f"Bearer {tokens[c]}"})] * 4
            for c in range(8)
        ],
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 10))
    parser.add_argument(
        "--healthz-requests", type=int, default=100, help="per client and round (default 100)"
    )
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log")
    parser.add_argument(
        "--broker",
        default=os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"),
        help="scratch Redis database for the tasks, emptied before and after",
    )
    parser.add_argument("--eager", action="store_true", help="run tasks in the request")
    args = parser.parse_args()
    broker = None if args.eager else args.broker

    t0 = time.perf_counter()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    db = setup_scratch_database(url)
    import django

    server = None
    # Kept open for gunicorn's lifetime, closed (and deleted) in the finally below.
    log = tempfile.NamedTemporaryFile(
        "w+", prefix="dune-bench-gunicorn-", suffix=".log", delete=not args.keep_log
    )
    try:
        django.setup()
        from django.db import connections

        session_ids, tokens = seed()
        print(
            f"bench: {SESSIONS} sessions of {SEATS} seats, {len(tokens)} teachers with tokens "
            f"({time.perf_counter() - t0:.1f} s)"
        )
        has_endpoint = endpoint_exists(session_ids[0])
        connections.close_all()

        flush_broker(broker)
        port = free_port()
        server = start_gunicorn(port, url, log, broker)
        wait_until_up(server, port)
        tasks = f"tasks to {broker} (no worker)" if broker else "tasks in the request"
        print(f"bench: gunicorn config.wsgi -w {WORKERS} on http://{HOST}:{port}, {tasks}")
        warm_up(port, tokens)

        health, enrol, overbooked = [], [], []
        for n in range(1, args.rounds + 1):
            h = hammer(port, healthz_work(args.healthz_requests))
            health.append(h)
            line = f"round {n}: healthz {h.per_second:7.0f} req/s"
            if has_endpoint:
                reset_enrolments()
                connections.close_all()
                e = hammer(port, enrolment_work(session_ids, tokens), read_state=True)
                booked, waitlisted, over = seat_counts()
                connections.close_all()
                e.in_sql = {"booked": booked, "waitlisted": waitlisted}
                enrol.append(e)
                overbooked.extend(over)
                line += (
                    f" | enrolments {e.per_second:5.1f} req/s, "
                    f"p50 {e.percentile(50):6.0f} ms, p95 {e.percentile(95):6.0f} ms, "
                    f"answers {dict(sorted(e.statuses.items()))}, "
                    f"in SQL {booked} booked / {waitlisted} waitlisted"
                )
            print(line, flush=True)

        return report(health, enrol, overbooked, has_endpoint, log, t0)
    finally:
        if server is not None:
            stop(server)
        flush_broker(broker)
        try:
            from django.db import connections

            connections.close_all()
        except Exception as exc:  # Django may not be set up: still drop the database
            print(f"bench: closing connections: {exc!r}")
        recreate_database(db, drop_only=True)
        if args.keep_log:
            print(f"bench: gunicorn log kept in {log.name}")
        log.close()


def report(health, enrol, overbooked, has_endpoint, log, t0) -> int:
    med = statistics.median
    healthz_rps = med(h.per_second for h in health)
    failures = [err for r in health + enrol for err in r.errors]
    server_errors = sum(r.server_errors for r in health + enrol)
    print()
    print(f"Medians of {len(health)} rounds ({CLIENTS} concurrent clients, {WORKERS} workers):")
    print(f"  GET /healthz                     {healthz_rps:8.0f} requests/s")
    if not has_endpoint:
        print(
            "  POST /api/training/sessions/{id}/enrolments: not measured, the endpoint does "
            "not exist yet (the URL does not resolve)."
        )
        print(f"  5xx answers: {server_errors}; transport errors: {len(failures)}")
        return 2
    enrol_rps = med(e.per_second for e in enrol)
    bookings = med(e.states["booked"] / e.seconds for e in enrol)
    unexpected = sum(n for r in enrol for status, n in r.statuses.items() if status != 201)
    expected = expected_states()
    print(f"  POST …/sessions/{{id}}/enrolments {enrol_rps:8.1f} requests/s")
    print(f"    of which booked                {bookings:8.1f} bookings/s")
    print(f"    latency p50                    {med(e.percentile(50) for e in enrol):8.0f} ms")
    print(f"    latency p95                    {med(e.percentile(95) for e in enrol):8.0f} ms")
    print(f"  enrolment / healthz throughput   {enrol_rps / healthz_rps:8.3f}")
    print(f"  5xx answers                      {server_errors:8d}")
    print(f"  non-201 enrolment answers        {unexpected:8d}")
    print(f"  transport errors                 {len(failures):8d}")
    print(f"  overbooked sessions (SQL)        {len(overbooked):8d}")
    states_ok = all(dict(e.states) == expected == e.in_sql for e in enrol)
    print(f"  states answered, per round       {[dict(e.states) for e in enrol]}")
    print(f"  states in SQL, per round         {[e.in_sql for e in enrol]}")
    print(f"    expected                       {expected}")
    print(f"  total time                       {time.perf_counter() - t0:8.1f} s")
    for err in failures[:5]:
        print(f"  error: {err}")
    for session_id, capacity, booked in overbooked[:5]:
        print(f"  overbooked: session {session_id}, {booked} booked for {capacity} places")
    ok = not (server_errors or unexpected or failures or overbooked) and states_ok
    if not ok:
        log.flush()
        log.seek(0)
        tail = log.read()[-3000:]
        print("\nbench: FAILED. End of gunicorn's log:\n" + tail)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
