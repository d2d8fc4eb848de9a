"""Readiness (``/readyz``, for a load balancer): what a request needs answers. The
database (a ``SELECT 1``), the cache (a value written and read back) and the broker (a
connection, unless jobs run in-process). Each check says yes or no, nothing more: no
version, no host, no error text reaches the caller (the log has them)."""

from __future__ import annotations

import logging
import secrets

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.db import connection

log = logging.getLogger(__name__)
BROKER_TIMEOUT = 2  # seconds: a load balancer's probe must not hang


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone() == (1,)


def _cache() -> bool:
    token = secrets.token_hex(8)
    cache.set("dune:readyz", token, timeout=10)
    return cache.get("dune:readyz") == token


def _broker() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # jobs run in the request's process: no broker to reach
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
        return True


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def checks() -> dict[str, bool]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = bool(check())
        except Exception:  # any failure is a "no"; the reason goes to the log only
            log.exception("readiness check %s failed", name)
            results[name] = False
    return results
