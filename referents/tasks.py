"""Celery tasks of ``referents``: ids and plain values in, a service call inside."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from referents import services


@shared_task(acks_late=True)
def compute_instalments(month: str | None = None) -> int:
    """The monthly allowance job (``month`` as ``YYYY-MM-01``; default: this month).
    Idempotent: each appointment's instalment for a month is created once."""
    day = dt.date.fromisoformat(month) if month else timezone.localdate().replace(day=1)
    return services.compute_instalments(month=day)
