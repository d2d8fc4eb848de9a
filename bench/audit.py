"""The audit reports at scale, on PostgreSQL: an académie's hours by school against the
same aggregate written by hand in SQL, and the national export's memory.

    make bench        (or: .venv/bin/python bench/audit.py [--skip-national] [--keep])

What it does, from scratch each time:

1. creates a scratch PostgreSQL database (``DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/dune_bench_audit``; its name must contain
   "bench", since it is dropped at the end unless ``--keep``), migrates it and loads
   the reference data;
2. phase 1, an académie: ``seed_demo --schools 2000 --staff 100000 --hours-per-staff 16``
   (Versailles: sessions, booked enrolments, sheets and about 1.6 million
   ``HoursEntry`` rows in 2010-2011, written with COPY by ``training.demo.volume.seed_hours``);
   then ``--rounds`` rounds of ``training.reports.hours_by_school`` as the national user
   (school year 2010-2011, the year of the data) and of the same aggregate written by
   hand in one SQL query (schools with their staff and credited minutes, same order),
   both fetched to the last row; prints the medians and their ratio (aim ≤ 2×), checks
   that both give the same figures, and measures the report's peak memory in a child
   process (peak RSS over the RSS after imports, and the ``tracemalloc`` peak);
3. phase 2, the country (unless ``--skip-national``): ``seed_demo --national
   --hours-per-staff 13`` on the same database (the 29 other académies, about 870 000
   people in all, more than 10 million entries), then, in a child process, the national
   ``hours_by_teacher`` CSV export (``training.services.exports.write_report``) to a scratch
   file: rows, duration, size, peak RSS (aim < 2 GB);
4. drops the database (unless ``--keep``).

Exits 1 when the report and the hand-written SQL disagree, or a child fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dune_bench_audit"
SCHOOLS, STAFF, HOURS_PER_STAFF = 2000, 100_000, 16
NATIONAL_HOURS_PER_STAFF = 13
YEAR = "2010-2011"


def rss_mb() -> float:
    """This process's peak resident set size so far, in MB. Linux's VmHWM, not
    ``ru_maxrss``, which keeps the parent's peak across fork and exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- The hand-written aggregate ---------------------------------------------------------


def hand_sql() -> tuple[str, list]:
    """hours_by_school for the national user, written by hand: every school with its
    académie, bassin, staff count and the minutes credited to its staff in the year."""
    from training.models import Academy, District, HoursEntry, School, SchoolYear, Staff

    t = {m.__name__: m._meta.db_table for m in (Academy, District, HoursEntry, School, Staff)}
    year = SchoolYear.objects.get(name=YEAR)
    sql = f"""
        SELECT s.id, a.name, d.name, s.uai, s.name, s.kind, s.degree,
               COALESCE(st.n, 0) AS staff, COALESCE(m.total, 0) AS minutes
        FROM {t["School"]} s
        JOIN {t["Academy"]} a ON a.id = s.academy_id
        LEFT JOIN {t["District"]} d ON d.id = s.district_id
        LEFT JOIN (SELECT school_id, count(*) AS n FROM {t["Staff"]} GROUP BY school_id) st
               ON st.school_id = s.id
        LEFT JOIN (SELECT p.school_id, sum(h.minutes) AS total
                   FROM {t["HoursEntry"]} h JOIN {t["Staff"]} p ON p.id = h.staff_id
                   WHERE h.school_year_id = %s GROUP BY p.school_id) m
               ON m.school_id = s.id
        ORDER BY a.name, d.name, s.name, s.uai
    """  # noqa: S608 (table names from the models)
    return sql, [year.pk]


def run_sql(sql: str, params: list) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def national_user():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="national")


def filters():
    from training.models import SchoolYear
    from training.reports import ReportFilters

    return ReportFilters(school_year=SchoolYear.objects.get(name=YEAR))


# --- Child processes: one measurement each, so that peak RSS is that measurement's ------


def child(what: str) -> int:
    import django

    django.setup()
    import tracemalloc

    import pandas  # noqa: F401  (imported before the baseline, as in a worker)

    from training import reports
    from training.services import exports

    user, flt = national_user(), filters()
    base = rss_mb()
    started = time.perf_counter()
    result: dict = {"baseline_mb": base}
    if what == "report":
        frame = reports.hours_by_school(user, flt)
        result.update(seconds=time.perf_counter() - started, rows=len(frame), peak_mb=rss_mb())
        del frame
        tracemalloc.start()
        reports.hours_by_school(user, flt)
        result["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    elif what == "export":
        with tempfile.NamedTemporaryFile(prefix="dune-bench-audit-", suffix=".csv") as out:
            rows = exports.write_report("hours_by_teacher", user, flt, "csv", out)
            out.flush()
            result.update(
                seconds=time.perf_counter() - started,
                rows=rows,
                peak_mb=rss_mb(),
                bytes=os.path.getsize(out.name),
            )
    else:
        raise SystemExit(f"unknown child {what!r}")
    print(json.dumps(result))
    return 0


def measure(what: str) -> dict:
    """Run ``bench/audit.py --child what`` (same environment, same database)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--child", what], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {what} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- Phases -----------------------------------------------------------------------------


def seed(**options) -> float:
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("seed_demo", quiet=True, stdout=sys.stdout, **options)
    return time.perf_counter() - t


def ledger_size() -> tuple[int, int]:
    from training.models import HoursEntry, Staff

    return Staff.objects.count(), HoursEntry.objects.count()


def phase_academy(args) -> list[str]:
    from django.core.management import call_command

    from training import reports

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_reference_data", verbosity=0)
    print(f"bench: migrate + reference data ({time.perf_counter() - t:.1f} s)", flush=True)
    took = seed(
        schools=SCHOOLS, staff=STAFF, scale=args.scale, hours_per_staff=args.hours_per_staff
    )
    staff, entries = ledger_size()
    print(f"bench: phase 1: {staff:,} staff, {entries:,} ledger rows (seed {took:.1f} s)")
    problems = []
    if entries < 1_500_000 and args.scale == 1:
        problems.append(f"only {entries:,} ledger rows (< 1.5 million)")

    user, flt = national_user(), filters()
    sql, params = hand_sql()
    # Warm-up (and the check that both say the same).
    frame = reports.hours_by_school(user, flt)
    rows = run_sql(sql, params)
    by_report = {r.uai: (r.staff, r.minutes) for r in frame.itertuples()}
    by_sql = {r[3]: (r[7], r[8]) for r in rows}
    if by_report != by_sql:
        diff = [u for u in by_sql if by_report.get(u) != by_sql[u]][:5]
        problems.append(f"hours_by_school differs from the SQL for {diff}")
    print(
        f"bench: {len(frame):,} schools, {frame['minutes'].sum():,} minutes in the report, "
        f"{sum(r[8] for r in rows):,} in the SQL"
    )
    timings = {"report": [], "sql": []}
    for n in range(1, args.rounds + 1):
        t = time.perf_counter()
        reports.hours_by_school(user, flt)
        timings["report"].append(time.perf_counter() - t)
        t = time.perf_counter()
        run_sql(sql, params)
        timings["sql"].append(time.perf_counter() - t)
        print(
            f"round {n}: hours_by_school {timings['report'][-1] * 1000:8.1f} ms | "
            f"hand-written SQL {timings['sql'][-1] * 1000:8.1f} ms",
            flush=True,
        )
    report_s, sql_s = statistics.median(timings["report"]), statistics.median(timings["sql"])
    memory = measure("report")
    print()
    print(f"Phase 1 — académie ({staff:,} staff, {entries:,} entries), medians of {args.rounds}:")
    print(f"  hours_by_school (pandas, national user) {report_s * 1000:9.1f} ms")
    print(f"  same aggregate, hand-written SQL        {sql_s * 1000:9.1f} ms")
    print(f"  ratio report / SQL                      {report_s / sql_s:9.2f}×  (aim ≤ 2×)")
    print(
        f"  report in a fresh process: {memory['seconds'] * 1000:.0f} ms, peak RSS "
        f"{memory['peak_mb']:.0f} MB ({memory['peak_mb'] - memory['baseline_mb']:+.0f} MB over "
        f"{memory['baseline_mb']:.0f} MB after imports), tracemalloc peak "
        f"{memory['tracemalloc_peak_mb']:.1f} MB",
        flush=True,
    )
    return problems


def phase_national(args) -> list[str]:
    took = seed(national=True, scale=args.scale, hours_per_staff=args.national_hours_per_staff)
    staff, entries = ledger_size()
    print(f"bench: phase 2: {staff:,} staff, {entries:,} ledger rows (seed {took:.1f} s)")
    problems = []
    if entries < 10_000_000 and args.scale == 1:
        problems.append(f"only {entries:,} ledger rows nationally (< 10 million)")
    export = measure("export")
    print()
    print(f"Phase 2 — national ({staff:,} staff, {entries:,} entries):")
    print(
        f"  hours_by_teacher CSV export: {export['rows']:,} rows, "
        f"{export['bytes'] / 2**20:.0f} MB, {export['seconds']:.1f} s, peak RSS "
        f"{export['peak_mb']:.0f} MB ({export['peak_mb'] - export['baseline_mb']:+.0f} MB over "
        f"{export['baseline_mb']:.0f} MB after imports; aim < 2 GB)",
        flush=True,
    )
    if export["rows"] != staff:
        problems.append(f"export has {export['rows']:,} rows for {staff:,} staff")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, choices=range(1, 20))
    parser.add_argument("--skip-national", action="store_true", help="phase 1 only")
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    parser.add_argument("--hours-per-staff", type=int, default=HOURS_PER_STAFF)
    parser.add_argument("--national-hours-per-staff", type=int, default=NATIONAL_HOURS_PER_STAFF)
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiplies staff and schools (a quick check)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)

    from harness import recreate_database, setup_scratch_database

    t0 = time.perf_counter()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    db = setup_scratch_database(url)
    import django

    problems: list[str] = []
    try:
        django.setup()
        problems += phase_academy(args)
        if not args.skip_national:
            from django.db import connections

            connections.close_all()
            problems += phase_national(args)
    except Exception as exc:  # report, then drop the database
        problems.append(repr(exc))
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception as exc:  # Django may not be set up: still drop the database
            print(f"bench: closing connections: {exc!r}")
        if args.keep:
            print(f"bench: database {db['NAME']} kept")
        else:
            recreate_database(db, drop_only=True)
    print(f"  total time {time.perf_counter() - t0:.1f} s")
    for problem in problems:
        print(f"  error: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
