"""Where a change comes from: the request or the background job that made it, written on
every entry of the trail (``django-auditlog``'s correlation id). Set by
``training.middleware.ChangeOriginMiddleware`` for a request, by ``config/celery.py`` for a
job; read by auditlog through ``AUDITLOG_CID_GETTER``."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

_origin: ContextVar[str | None] = ContextVar("dune_change_origin", default=None)


def current() -> str | None:
    return _origin.get()


def for_request(method: str, path: str):
    """« requête 3f9c2a1b7d4e POST /formations/seances/12/modifier/ »: a token to reset."""
    return _origin.set(f"requête {uuid.uuid4().hex[:12]} {method} {path}"[:255])


def for_job(name: str, job_id: str):
    return _origin.set(f"tâche {name} {job_id}"[:255])


def reset(token) -> None:
    _origin.reset(token)
