"""Audit reports as files: CSV (``;``, UTF-8 with a BOM, what French spreadsheet users
open) and XLSX (openpyxl's write-only mode, which streams rows to disk), both written
cell by cell by ``training.spreadsheets``.

``write_report`` takes a report's rows chunk by chunk (``ReportSpec.iter_frames``) and
writes each chunk before asking for the next, so memory is bounded by a chunk whatever
the size of the report. The same function serves a small report synchronously and a
large one in the ``run_export`` Celery task, so both files are the same.
"""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from training import jobs
from training.errors import TrainingError
from training.models import ExportJob
from training.reports import REGISTRY, ReportFilters, ReportSpec
from training.spreadsheets import CONTENT_TYPES, FORMATS, CsvWriter, XlsxWriter

# The reports by key (the registry itself: apps registering later are included).
REPORTS = REGISTRY
CHUNK_ROWS = 5000

Progress = Callable[[int, int | None], None]


def get_report(key: str) -> ReportSpec:
    try:
        return REPORTS[key]
    except KeyError:
        raise TrainingError(_("Rapport inconnu : %(key)s.") % {"key": key}, status=404) from None


def estimated_rows(key: str, user, filters: ReportFilters) -> int:
    """A cheap estimate of a report's size (one count query); reports without a count
    have a bounded number of rows (priorities, competences, bassins)."""
    spec = get_report(key)
    return spec.count(user, filters) if spec.count else 0


def is_large(key: str, user, filters: ReportFilters) -> bool:
    return estimated_rows(key, user, filters) > settings.DUNE_EXPORT_SYNC_MAX_ROWS


def filename(key: str, filters: ReportFilters, fmt: str) -> str:
    return f"{key}-{filters.school_year.name}.{fmt}"


def write_report(
    key: str,
    user,
    filters: ReportFilters,
    fmt: str,
    fileobj,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_ROWS,
) -> int:
    """Write report ``key`` as seen by ``user`` into the binary file ``fileobj``, in
    ``fmt`` (``csv`` or ``xlsx``). ``progress(rows_written, expected_rows_or_None)`` is
    called after every chunk. Returns the number of data rows."""
    if fmt not in FORMATS:
        raise TrainingError(_("Format d'export inconnu : %(fmt)s.") % {"fmt": fmt})
    spec = get_report(key)
    expected = spec.count(user, filters) if spec.count else None
    written = 0
    header_done = False
    if fmt == "csv":
        text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
        writer = CsvWriter(text)
        for frame in spec.iter_frames(user, filters, chunk_size=chunk_size):
            if not header_done:
                writer.writerow(spec.header(frame.columns))
                header_done = True
            writer.writerows(frame.itertuples(index=False, name=None))
            written += len(frame)
            text.flush()
            if progress:
                progress(written, expected)
        if not header_done:
            writer.writerow(spec.header(spec.shown(spec.builder(user, filters)).columns))
        text.flush()
        text.detach()  # leave the caller's file open
        return written

    sheet = XlsxWriter(title=spec.title)
    for frame in spec.iter_frames(user, filters, chunk_size=chunk_size):
        if not header_done:
            sheet.writerow(spec.header(frame.columns))
            header_done = True
        sheet.writerows(frame.itertuples(index=False, name=None))
        written += len(frame)
        if progress:
            progress(written, expected)
    if not header_done:
        sheet.writerow(spec.header(spec.shown(spec.builder(user, filters)).columns))
    sheet.save(fileobj)
    return written


# --- Background exports -------------------------------------------------------------------


def start_export(*, user, key: str, filters: ReportFilters, fmt: str) -> ExportJob:
    """Record an export job for ``user`` and enqueue it once the row is committed."""
    get_report(key)
    if fmt not in FORMATS:
        raise TrainingError(_("Format d'export inconnu : %(fmt)s.") % {"fmt": fmt})
    with transaction.atomic():
        job = ExportJob(author=user, report=key, filters=filters.to_json(), format=fmt)
        job.full_clean()
        job.save()
        jobs.enqueue_on_commit(jobs.RUN_EXPORT, job.pk)
    return job


# A running job whose worker gave no sign of life for this long is taken as abandoned.
STALE_AFTER = dt.timedelta(minutes=10)


def run_job(job_id: int) -> bool:
    """Write an export job's file. Claimed with a conditional update, so a duplicated
    task does nothing; the progress is saved after every chunk (its own small update,
    visible to the page polling it)."""
    now = timezone.now()
    # A job left running by a worker that died (no sign of life for STALE_AFTER) is
    # claimed again by the redelivered task; a live one is left to its worker.
    abandoned = Q(status=ExportJob.Status.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    claimed = (
        ExportJob.objects.filter(pk=job_id)
        .filter(Q(status=ExportJob.Status.PENDING) | abandoned)
        .update(status=ExportJob.Status.RUNNING, heartbeat_at=now, progress=0, rows=0)
    )
    if not claimed:
        return False
    job = ExportJob.objects.select_related("author").get(pk=job_id)

    def progress(written: int, expected: int | None) -> None:
        percent = min(99, 100 * written // expected) if expected else 50
        ExportJob.objects.filter(pk=job.pk).update(
            progress=percent, rows=written, heartbeat_at=timezone.now()
        )

    try:
        filters = ReportFilters.from_json(job.filters)
        with tempfile.TemporaryFile() as tmp:
            rows = write_report(job.report, job.author, filters, job.format, tmp, progress)
            tmp.seek(0)
            name = default_storage.save(
                f"exports/{job.pk}-{filename(job.report, filters, job.format)}", File(tmp)
            )
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=str(exc)[:300],
            finished_at=timezone.now(),
        )
        raise
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        progress=100,
        rows=rows,
        file=name,
        finished_at=timezone.now(),
    )
    return True


__all__ = [
    "CONTENT_TYPES",
    "run_job",
    "start_export",
    "FORMATS",
    "REPORTS",
    "estimated_rows",
    "filename",
    "get_report",
    "is_large",
    "write_report",
]
