"""What every benchmark shares: a scratch PostgreSQL database (dropped at the end), the
real app under gunicorn on a free loopback port with production settings, and client
threads that time their requests (``Round``: medians, percentiles, statuses).

Not a benchmark of its own: ``enrolment.py``, ``hours.py``, ``audit.py`` and
``imports.py`` import it (``bench/`` is not a package).
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


HOST = "127.0.0.1"


WORKERS = 4


@dataclass
class Round:
    """What the clients of one round saw."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    states: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    # Counted in the database after the round.
    in_sql: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def database_settings(url: str) -> dict:
    import dj_database_url

    db = dj_database_url.parse(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit(f"bench: DATABASE_URL must be a PostgreSQL URL, not {url!r}.")
    if "bench" not in db["NAME"]:
        sys.exit(
            f"bench: refusing to use the database {db['NAME']!r}: the benchmark drops its "
            "database at the end, so its name must contain 'bench' (e.g. dune_bench)."
        )
    return db


def _maintenance(db: dict):
    import psycopg

    return psycopg.connect(
        host=db["HOST"] or HOST,
        port=db["PORT"] or 5432,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    )


def recreate_database(db: dict, *, drop_only: bool = False) -> None:
    from psycopg import sql

    with _maintenance(db) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db["NAME"]))
        )
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))


def flush_broker(broker: str | None) -> None:
    """Empty the scratch Redis database: the queued tasks of a run are not to be run."""
    if broker:
        import redis

        redis.Redis.from_url(broker).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, url: str, log, broker: str | None) -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
    }
    env.pop("CELERY_BROKER_URL", None)
    if broker:
        env["CELERY_BROKER_URL"] = broker
    gunicorn = Path(sys.executable).with_name("gunicorn")
    return subprocess.Popen(
        [str(gunicorn), "config.wsgi", "-w", str(WORKERS), "-b", f"{HOST}:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until_up(server: subprocess.Popen, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on port {port} within {timeout:.0f} s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=5)


Request = tuple[str, str, bytes | None, dict]


def hammer(port: int, work: list[list[Request]], *, read_state: bool = False) -> Round:
    """One thread per list of requests, all started together; each thread keeps its
    connection open as long as the server allows (gunicorn's sync workers close it after
    every answer; http.client then reconnects)."""
    result = Round()
    lock = threading.Lock()
    barrier = threading.Barrier(len(work) + 1)

    def client(requests: list[Request]) -> None:
        latencies, statuses, states, errors = [], Counter(), Counter(), []
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        barrier.wait()
        for method, path, body, headers in requests:
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException) as exc:
                errors.append(f"{method} {path}: {exc!r}")
                conn.close()
                continue
            latencies.append(time.perf_counter() - start)
            statuses[response.status] += 1
            if read_state and response.status == 201:
                states[json.loads(payload).get("state")] += 1
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.statuses.update(statuses)
            result.states.update(states)
            result.errors.extend(errors)

    threads = [threading.Thread(target=client, args=(requests,), daemon=True) for requests in work]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    deadline = start + 300
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()))
    result.seconds = time.perf_counter() - start
    if any(thread.is_alive() for thread in threads):
        result.errors.append("client threads were still running after 300 s")
    return result


def setup_scratch_database(url: str) -> dict:
    """Production-like settings for this process (and the gunicorn it starts), and a
    fresh scratch database."""
    db = database_settings(url)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": HOST,
            "SECURE_SSL_REDIRECT": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.pop("CELERY_BROKER_URL", None)
    print(f"bench: database {db['NAME']} on {db['HOST'] or HOST}:{db['PORT'] or 5432}")
    recreate_database(db)
    return db
