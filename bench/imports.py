"""A 100 000-line staff file imported on PostgreSQL, against PostgreSQL's own COPY.

    make bench        (or: .venv/bin/python bench/imports.py [--help])

What it does, from scratch each time:

1. creates a scratch PostgreSQL database (``DATABASE_URL``, default
   ``postgres://postgres@127.0.0.1:5432/dune_bench_imports``; its name must contain
   "bench", since it is dropped at the end), migrates it, loads the reference data and
   2,000 schools of Versailles (``bulk_create``);
2. writes a staff file as an académie's directory exports it: 100,000 lines, CP1252,
   ``;``-separated, accented names, one head per school;
3. three rounds of:
   (a) the import as the page's Celery task does it (``StaffImporter``: read, check
       every line, plan, then create 100,000 accounts and staff records and 2,000 head
       memberships in one transaction), timed as a whole and by step;
   (b) the same file imported again (every line unchanged: nothing written);
   (c) PostgreSQL's ``COPY … FROM STDIN (FORMAT csv, ENCODING 'WIN1252')`` of the same
       bytes into a scratch table of eight text columns — the floor for loading these
       rows, with no checks, no keys and no accounts;
   then the imported people are deleted for the next round;
4. prints the medians (lines/s, ratio to COPY) and the process's peak memory (peak
   RSS, and its growth over the baseline before the first import), then drops the
   database.

Everything runs in this one process against the same PostgreSQL, so the ratio is what
to compare across machines. Exits 1 if an import does not create exactly the file's
people.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import recreate_database, setup_scratch_database  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/dune_bench_imports"
SCHOOLS, STAFF = 2000, 100_000
FIRST = ["Hélène", "François", "Zoé", "Anaïs", "Gaël", "Noël", "Chloé", "Jérôme", "Inès", "Léa"]
LAST = ["Lefèvre", "Müller", "Dœuf", "Bénard", "Ménard", "Côté", "Garçon", "Gérard", "Noël"]
DISCIPLINES = ["Mathématiques", "Lettres modernes", "Histoire-géographie", "Éducation musicale"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kB


def make_schools() -> list[str]:
    from training.demo.directory import demo_uai
    from training.models import Academy, School

    academy = Academy.objects.get(code="25")
    uais = [demo_uai(i) for i in range(SCHOOLS)]
    School.objects.bulk_create(
        [
            School(uai=uai, name=f"Collège n° {i}", kind="college", degree=2, academy=academy)
            for i, uai in enumerate(uais)
        ],
        batch_size=1000,
    )
    return uais


def make_file(uais: list[str]) -> bytes:
    lines = ["Identifiant;Nom;Prénom;Email;UAI;Discipline;Degré;Rôle"]
    for i in range(STAFF):
        first, last = FIRST[i % len(FIRST)], LAST[(i // 7) % len(LAST)]
        role = "Chef d'établissement" if i < SCHOOLS else "enseignant"
        lines.append(
            f"BENCH{i:07d};{last};{first};agent{i}@ac-versailles.fr;{uais[i % SCHOOLS]};"
            f"{DISCIPLINES[i % len(DISCIPLINES)]};2;{role}"
        )
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def import_once(data: bytes) -> dict:
    from django.db import transaction

    from training.imports import StaffImporter
    from training.models import Academy

    importer = StaffImporter(academy=Academy.objects.get(code="25"), user=None)
    t0 = time.perf_counter()
    with transaction.atomic():
        plan = importer.plan(data)
        t1 = time.perf_counter()
        importer.apply(plan)
    t2 = time.perf_counter()
    return {"plan": t1 - t0, "apply": t2 - t1, "total": t2 - t0, "result": plan.counts()}


def copy_once(data: bytes) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TABLE IF EXISTS bench_staff_copy; CREATE UNLOGGED TABLE bench_staff_copy "
            "(staff_id text, last_name text, first_name text, email text, uai text, "
            "discipline text, degree text, role text)"
        )
    raw = connection.connection
    t0 = time.perf_counter()
    with raw.transaction(), raw.cursor() as cursor:
        with cursor.copy(
            "COPY bench_staff_copy FROM STDIN "
            "(FORMAT csv, DELIMITER ';', HEADER true, ENCODING 'WIN1252')"
        ) as copy:
            copy.write(data)
    elapsed = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_staff_copy")
        assert cursor.fetchone()[0] == STAFF
    return elapsed


def clean() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from training.models import RoleMembership, Staff

    RoleMembership.objects.filter(role="head").delete()
    Staff.objects.filter(staff_id__startswith="BENCH")._raw_delete(using="default")
    get_user_model().objects.filter(username__startswith="bench")._raw_delete(using="default")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, choices=range(1, 10))
    args = parser.parse_args()

    t_start = time.perf_counter()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    db = setup_scratch_database(url)
    import django

    failures = []
    try:
        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        call_command("load_reference_data", verbosity=0)
        uais = make_schools()
        data = make_file(uais)
        print(f"bench: {SCHOOLS} schools; staff file {STAFF:,} lines, {len(data) / 1e6:.1f} MB")
        baseline = rss_mb()
        imports, reimports, copies = [], [], []
        for n in range(1, args.rounds + 1):
            first = import_once(data)
            again = import_once(data)
            copied = copy_once(data)
            imports.append(first)
            reimports.append(again)
            copies.append(copied)
            if first["result"]["created"] != STAFF or first["result"]["refused"]:
                failures.append(f"round {n}: import {first['result']}")
            if again["result"]["unchanged"] != STAFF:
                failures.append(f"round {n}: re-import {again['result']}")
            print(
                f"round {n}: import {STAFF / first['total']:8.0f} lines/s "
                f"(check {first['plan']:.1f} s + write {first['apply']:.1f} s) | "
                f"re-import {STAFF / again['total']:8.0f} lines/s | "
                f"COPY {STAFF / copied:8.0f} lines/s",
                flush=True,
            )
            clean()
        peak = rss_mb()
        connection.close()
    finally:
        try:
            from django.db import connections

            connections.close_all()
        except Exception as exc:  # Django may not be set up: still drop the database
            print(f"bench: closing connections: {exc!r}")
        recreate_database(db, drop_only=True)

    med = statistics.median
    imp = med(STAFF / r["total"] for r in imports)
    again = med(STAFF / r["total"] for r in reimports)
    cp = med(STAFF / c for c in copies)
    print()
    print(f"Medians of {args.rounds} rounds, {STAFF:,} staff lines (CP1252, ';'), PostgreSQL:")
    print(f"  {'step':<44} {'lines/s':>10} {'seconds':>8} {'/ COPY':>8}")
    rows = [
        ("import (check + write, new people)", imp),
        ("  of which check (dry run)", med(STAFF / r["plan"] for r in imports)),
        ("  of which write", med(STAFF / r["apply"] for r in imports)),
        ("re-import (all unchanged, nothing written)", again),
        ("COPY into a scratch table", cp),
    ]
    for label, rate in rows:
        print(f"  {label:<44} {rate:10.0f} {STAFF / rate:8.2f} {rate / cp:8.3f}")
    print(f"  peak RSS {peak:.0f} MB (baseline before the first import {baseline:.0f} MB)")
    print(f"  total time {time.perf_counter() - t_start:.1f} s")
    for failure in failures:
        print(f"  error: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
