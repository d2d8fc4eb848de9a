"""Reads of the hours ledger under load: the real app (gunicorn, 4 workers) on PostgreSQL
with a million ledger rows.

    make bench        (or: .venv/bin/python bench/hours.py [--help])

What it does, from scratch each time:

1. creates a scratch PostgreSQL database (``DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/dune_bench_hours``; its name must contain
   "bench", since it is dropped at the end), migrates it and loads the reference data;
2. ``manage.py seed_demo --schools 2000 --staff 100000 --quiet``, then three sessions
   (in person, virtual class, online work) of 100 past slots each (``bulk_create``),
   and 1,000,000 ``HoursEntry`` rows spread over all the staff and the 300 slots,
   written by one ``INSERT … SELECT generate_series`` (the model refuses updates, not
   inserts; the ORM would take minutes). One teacher of the biggest school gets 3,000
   more (10 per slot: a heavy record), and that school's staff validated C2i2e items;
3. starts ``gunicorn config.wsgi -w 4`` on a free loopback port (production settings,
   ``DEBUG=0``, tasks in the request: these reads queue none);
4. three rounds of, each with ``--clients`` threads: ``GET /healthz`` (no database: the
   ceiling of the stack), ``GET /api/training/staff/<id>/record`` for the heavy teacher,
   and ``GET /api/training/hours?school=<UAI>&page_size=100`` for the biggest school,
   both with the API token of the demo's national user (``create_api_token``);
5. prints the medians of the rounds (requests/s, latency p50/p95, ratio to /healthz),
   stops gunicorn and drops the database.

The helpers (scratch database, gunicorn, client threads) are those of
``bench/enrolment.py``. Exits 1 on any non-200 answer or transport error.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402  (bench/ is not a package)
    HOST,
    Round,
    free_port,
    hammer,
    recreate_database,
    setup_scratch_database,
    start_gunicorn,
    stop,
    wait_until_up,
)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dune_bench_hours"
SCHOOLS, STAFF = 2000, 100_000
ENTRIES = 1_000_000
SLOTS_PER_SESSION = 100
HEAVY_PER_SLOT = 10
PAGE_SIZE = 100
WORKERS = 4


# --- Data -----------------------------------------------------------------------------


def seed() -> dict:
    """The demo académie, the sessions and the ledger; returns what the clients need."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from training import services
    from training.models import (
        HoursEntry,
        Item,
        ItemEvidence,
        Module,
        Priority,
        Programme,
        SchoolYear,
        Session,
        Slot,
        Staff,
    )

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)
    call_command(
        "seed_demo", schools=SCHOOLS, staff=STAFF, quiet=True, stdout=open(os.devnull, "w")
    )
    print(f"bench: migrate + reference data + seed_demo ({time.perf_counter() - t:.1f} s)")

    t = time.perf_counter()
    national = get_user_model().objects.get(username="national")
    year = SchoolYear.objects.get(name="2010-2011")
    big = Staff.objects.values("school").annotate(n=Count("pk")).order_by("-n", "school").first()
    heavy = Staff.objects.select_related("school").filter(school_id=big["school"]).order_by("pk")[0]
    school = heavy.school
    modalities = ["in_person", "virtual", "self_paced"]
    first = timezone.make_aware(dt.datetime(2010, 9, 13, 9, 0))
    with transaction.atomic():
        programme = Programme.objects.create(
            academy=school.academy,
            school_year=year,
            code="10A0259998",
            title="Banc d'essai des heures",
            priority=Priority.objects.get(plan__school_year=year, code="numerique"),
        )
        modules = [
            Module.objects.create(programme=programme, code=f"H{m}", title=f"Module {m}")
            for m in range(len(modalities))
        ]
        sessions = Session.objects.bulk_create(
            Session(
                module=module,
                group="01",
                capacity=500,
                approval=Session.Approval.NONE,
                enrolment_opens=first - dt.timedelta(days=10),
                enrolment_closes=first - dt.timedelta(days=1),
                status=Session.Status.PUBLISHED,
            )
            for module in modules
        )
        slots = Slot.objects.bulk_create(
            Slot(
                session=session,
                modality=modality,
                start=first + dt.timedelta(days=k, hours=3 * m),
                end=first + dt.timedelta(days=k, hours=3 * m + 2),
                credited_minutes=120 if modality == "self_paced" else None,
                school=school if modality == "in_person" else None,
                video_url="https://visio.example.org/banc" if modality == "virtual" else "",
            )
            for m, (session, modality) in enumerate(zip(sessions, modalities, strict=True))
            for k in range(SLOTS_PER_SESSION)
        )
    slot_ids = [s.pk for s in slots]
    entry = HoursEntry._meta.db_table
    columns = (
        "staff_id, slot_id, attendance_id, minutes, priority_id, modality, school_year_id, "
        "source, reason, author_id, created_at"
    )
    common = [programme.priority_id, year.pk, national.pk]
    with connection.cursor() as cursor:
        # Entry g: person g mod n, slot (g div n) mod 300 — each person on ~10 slots.
        cursor.execute(
            f"""
            WITH st AS (SELECT id, (row_number() OVER (ORDER BY id)) - 1 AS rn
                        FROM {Staff._meta.db_table}),
                 n AS (SELECT count(*) AS n FROM st),
                 sl AS (SELECT id, modality, (row_number() OVER (ORDER BY id)) - 1 AS rn
                        FROM {Slot._meta.db_table} WHERE id = ANY(%s))
            INSERT INTO {entry} ({columns})
            SELECT st.id, sl.id, NULL, 30 + (g %% 4) * 30, %s, sl.modality, %s,
                   'attendance', '', %s, now()
            FROM generate_series(0, %s - 1) AS g
            CROSS JOIN n
            JOIN st ON st.rn = g %% n.n
            JOIN sl ON sl.rn = (g / n.n) %% %s
            """,
            [slot_ids, *common, ENTRIES, len(slot_ids)],
        )
        # The heavy teacher: 10 entries per slot (credits and corrections).
        cursor.execute(
            f"""
            INSERT INTO {entry} ({columns})
            SELECT %s, sl.id, NULL, CASE WHEN k %% 2 = 0 THEN 60 ELSE -30 END, %s,
                   sl.modality, %s, CASE WHEN k %% 2 = 0 THEN 'attendance' ELSE 'correction' END,
                   '', %s, now()
            FROM {Slot._meta.db_table} sl CROSS JOIN generate_series(1, %s) AS k
            WHERE sl.id = ANY(%s)
            """,
            [heavy.pk, *common, HEAVY_PER_SLOT, slot_ids],
        )
        items = list(
            Item.objects.filter(domain__framework__code="C2i2e-2011")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        cursor.execute(
            f"""
            INSERT INTO {ItemEvidence._meta.db_table}
                (staff_id, item_id, state, source, session_id, author_id, at)
            SELECT s.id, i, 'validated', 'trainer', NULL, %s, now()
            FROM {Staff._meta.db_table} s CROSS JOIN unnest(%s::bigint[]) AS i
            WHERE s.school_id = %s
            """,
            [national.pk, items[:12], school.pk],
        )
        cursor.execute(f"ANALYZE {entry}")
        cursor.execute(f"ANALYZE {ItemEvidence._meta.db_table}")
        cursor.execute(f"ANALYZE {Staff._meta.db_table}")
    _token, raw = services.create_api_token(user=national, name="banc d'essai des heures")
    total = HoursEntry.objects.count()
    heavy_count = HoursEntry.objects.filter(staff=heavy).count()
    print(
        f"bench: {total:,} ledger rows, {len(slot_ids)} slots, teacher {heavy.staff_id} with "
        f"{heavy_count:,} rows, school {school.uai} with {big['n']} people "
        f"({time.perf_counter() - t:.1f} s)"
    )
    return {
        "token": raw,
        "record": f"/api/training/staff/{heavy.staff_id}/record?school_year=2010-2011",
        "hours": f"/api/training/hours?school={school.uai}&school_year=2010-2011"
        f"&page_size={PAGE_SIZE}",
        "people": big["n"],
        "heavy_rows": heavy_count,
    }


# --- Main -----------------------------------------------------------------------------


def work(path: str, headers: dict, clients: int, per_client: int):
    return [[("GET", path, None, headers)] * per_client for _ in range(clients)]


def check_answers(port: int, data: dict, headers: dict) -> list[str]:
    """One request of each endpoint, read: the figures are those of real answers."""
    import http.client

    problems = []
    for name in ("record", "hours"):
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        conn.request("GET", data[name], headers=headers)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        if response.status != 200:
            problems.append(f"{name}: {response.status} {body[:300]!r}")
            continue
        payload = json.loads(body)
        if name == "record":
            print(
                f"bench: record: {payload['total_minutes']} min, {len(payload['lines'])} lines, "
                f"by modality {payload['by_modality']}"
            )
        else:
            print(f"bench: hours: {payload['count']} people, {len(payload['items'])} on the page")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 10))
    parser.add_argument("--clients", type=int, default=8, help="client threads (default 8)")
    parser.add_argument(
        "--requests", type=int, default=25, help="per client, round and endpoint (default 25)"
    )
    parser.add_argument("--keep-log", action="store_true", help="keep gunicorn's log")
    args = parser.parse_args()

    t0 = time.perf_counter()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    db = setup_scratch_database(url)
    import django

    server = None
    log = tempfile.NamedTemporaryFile(
        "w+", prefix="dune-bench-hours-gunicorn-", suffix=".log", delete=not args.keep_log
    )
    try:
        django.setup()
        from django.db import connections

        data = seed()
        connections.close_all()
        port = free_port()
        server = start_gunicorn(port, url, log, None)
        wait_until_up(server, port)
        print(f"bench: gunicorn config.wsgi -w {WORKERS} on http://{HOST}:{port}")
        headers = {"Authorization": f"Bearer {data['token']}"}
        problems = check_answers(port, data, headers)
        # Warm-up: every worker imports its views and opens its connection.
        hammer(port, work("/healthz", {}, args.clients, 20))
        hammer(port, work(data["record"], headers, args.clients, 2))
        hammer(port, work(data["hours"], headers, args.clients, 2))

        results: dict[str, list[Round]] = {"healthz": [], "record": [], "hours": []}
        paths = {"healthz": ("/healthz", {}), "record": (data["record"], headers)}
        paths["hours"] = (data["hours"], headers)
        for n in range(1, args.rounds + 1):
            line = f"round {n}:"
            for name, (path, hdrs) in paths.items():
                per_client = args.requests * (4 if name == "healthz" else 1)
                r = hammer(port, work(path, hdrs, args.clients, per_client))
                results[name].append(r)
                line += (
                    f" {name} {r.per_second:7.1f} req/s p50 {r.percentile(50):6.1f} ms"
                    f" p95 {r.percentile(95):6.1f} ms |"
                )
            print(line.rstrip(" |"), flush=True)
        return report(results, problems, log, t0, args, data)
    finally:
        if server is not None:
            stop(server)
        try:
            from django.db import connections

            connections.close_all()
        except Exception as exc:  # Django may not be set up: still drop the database
            print(f"bench: closing connections: {exc!r}")
        recreate_database(db, drop_only=True)
        if args.keep_log:
            print(f"bench: gunicorn log kept in {log.name}")
        log.close()


def report(results: dict, problems: list[str], log, t0: float, args, data: dict) -> int:
    med = statistics.median
    base = med(r.per_second for r in results["healthz"])
    labels = {
        "healthz": "GET /healthz",
        "record": f"GET …/staff/<id>/record ({data['heavy_rows']:,} rows)",
        "hours": f"GET …/hours?school=… ({data['people']} people, {PAGE_SIZE}/page)",
    }
    print()
    print(
        f"Medians of {args.rounds} rounds ({args.clients} concurrent clients, {WORKERS} workers):"
    )
    print(f"  {'endpoint':<48} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'/healthz':>9}")
    for name, rounds in results.items():
        rps = med(r.per_second for r in rounds)
        print(
            f"  {labels[name]:<48} {rps:8.1f} {med(r.percentile(50) for r in rounds):8.1f} "
            f"{med(r.percentile(95) for r in rounds):8.1f} {rps / base:9.3f}"
        )
    failures = [e for rounds in results.values() for r in rounds for e in r.errors]
    non_200 = sum(
        n for rounds in results.values() for r in rounds for s, n in r.statuses.items() if s != 200
    )
    print(f"  non-200 answers {non_200}, transport errors {len(failures)}")
    print(f"  total time {time.perf_counter() - t0:.1f} s")
    problems = problems + failures[:5]
    for problem in problems:
        print(f"  error: {problem}")
    if problems or non_200:
        log.flush()
        log.seek(0)
        print("\nbench: FAILED. End of gunicorn's log:\n" + log.read()[-3000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
