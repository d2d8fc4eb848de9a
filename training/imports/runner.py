"""The import flow, for the page, the Celery tasks and the management commands.

    start_import  → an ``ImportRun`` (file kept in the row), checked by a task
    check_run     → the dry run: counts and refused lines stored on the run, nothing else
    confirm_import→ the person saw the refused lines and confirms: the apply task runs
    apply_run     → the file is checked again against the current data and its valid lines
                    written in one transaction (all or nothing)

Each step claims the run with a conditional update or a row lock, so a retried or
duplicated task changes nothing. Progress goes to the cache (``CACHE_URL`` shares it
between web and workers), since the row itself is only visible at commit.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from training import jobs
from training.errors import TrainingError
from training.imports import IMPORTERS, FileRefused, Plan
from training.models import Academy, ImportRun, RoleMembership
from training.permissions import is_national
from training.roles import memberships_of

logger = logging.getLogger(__name__)
Role = RoleMembership.Role
Status = ImportRun.Status

GAIA_KINDS = {
    ImportRun.Kind.GAIA_FORMATIONS,
    ImportRun.Kind.GAIA_TRAINERS,
    ImportRun.Kind.GAIA_TRAINEES,
}
MAX_BYTES = 50 * 1024 * 1024


def _roles_for(kind: str) -> tuple:
    # The directory is loaded by the rectorate's auditors or managers; the catalogue is
    # built by managers only (the catalogue services refuse anyone else).
    return (Role.MANAGER,) if kind in GAIA_KINDS else (Role.AUDITOR, Role.MANAGER)


def importing_academies(user, kind: str | None = None) -> QuerySet[Academy]:
    if not user.is_authenticated:
        return Academy.objects.none()
    if is_national(user):
        return Academy.objects.all()
    roles = _roles_for(kind) if kind else (Role.AUDITOR, Role.MANAGER)
    ids = {m.academy_id for m in memberships_of(user) if m.role in roles}
    return Academy.objects.filter(pk__in=ids)


def can_import(user, academy: Academy, kind: str) -> bool:
    return importing_academies(user, kind).filter(pk=academy.pk).exists()


def visible_runs(user) -> QuerySet[ImportRun]:
    return ImportRun.objects.filter(academy__in=importing_academies(user))


def kinds_for(user, academy: Academy) -> list[tuple[str, str]]:
    return [(k, label) for k, label in ImportRun.Kind.choices if can_import(user, academy, k)]


# --- Progress -----------------------------------------------------------------------


def _progress_key(run_id: int) -> str:
    return f"import-progress:{run_id}"


def progress_of(run: ImportRun) -> int:
    if run.status in {Status.CHECKED, Status.DONE, Status.REFUSED}:
        return 100
    value = cache.get(_progress_key(run.pk))
    return int(value) if value is not None else run.progress


def _reporter(run_id: int):
    last = [-1]

    def report(done: int, total: int) -> None:
        percent = min(100, int(done * 100 / total)) if total else 100
        if percent != last[0]:
            last[0] = percent
            cache.set(_progress_key(run_id), percent, 3600)

    return report


# --- The steps ----------------------------------------------------------------------


@transaction.atomic
def start_import(
    *, user, academy: Academy, kind: str, filename: str, data: bytes, complete: bool = False
) -> ImportRun:
    """Keep the file and check it in the background (at once in the embedded default)."""
    if kind not in IMPORTERS:
        raise TrainingError(_("Type d'import inconnu."))
    if not can_import(user, academy, kind):
        raise TrainingError(
            _("Seul le rectorat de l'académie peut importer ce fichier."), status=403
        )
    if not data:
        raise TrainingError(_("Le fichier est vide."))
    if len(data) > MAX_BYTES:
        raise TrainingError(_("Fichier trop volumineux (50 Mo au plus)."))
    if complete and kind != ImportRun.Kind.STAFF:
        raise TrainingError(_("Seul un fichier des personnels peut être déclaré complet."))
    run = ImportRun(
        kind=kind,
        academy=academy,
        author=user,
        filename=filename[:255],
        content=data,
        complete=complete,
    )
    run.full_clean(exclude=["content"])
    run.save()
    jobs.enqueue_on_commit(jobs.CHECK_IMPORT, run.pk)
    return run


def _store(run: ImportRun, plan: Plan) -> None:
    run.lines = plan.lines
    run.created_count, run.updated_count = plan.created, plan.updated
    run.unchanged_count, run.refused_count = plan.unchanged, plan.refused_count
    run.deactivated_count = plan.deactivated
    run.refused_lines = plan.sorted_refusals()
    run.progress = 100


def _importer(run: ImportRun):
    return IMPORTERS[run.kind](academy=run.academy, user=run.author, complete=run.complete)


def check_run(*, run_id: int) -> ImportRun | None:
    """The dry run. Reads only; a second run of it computes the same thing."""
    claimed = ImportRun.objects.filter(
        pk=run_id, status__in=[Status.PENDING, Status.CHECKING]
    ).update(status=Status.CHECKING)
    run = ImportRun.objects.select_related("academy", "author").get(pk=run_id)
    if not claimed:
        return run
    try:
        # Not in a transaction: on SQLite that would hold the write lock for the whole
        # check (Dune opens them IMMEDIATE). Planning only reads.
        plan = _importer(run).plan(bytes(run.content), _reporter(run_id))
    except FileRefused as exc:
        run.status, run.error = Status.REFUSED, exc.message
    except Exception:
        logger.exception("Import %s: check failed", run_id)
        run.status = Status.FAILED
        run.error = _("Erreur inattendue pendant la vérification ; rien n'a été importé.")
    else:
        _store(run, plan)
        run.status = Status.CHECKED
    run.checked_at = timezone.now()
    ImportRun.objects.filter(pk=run_id, status=Status.CHECKING).update(
        **{
            f: getattr(run, f)
            for f in (
                "status",
                "error",
                "lines",
                "created_count",
                "updated_count",
                "unchanged_count",
                "refused_count",
                "refused_lines",
                "deactivated_count",
                "progress",
                "checked_at",
            )
        }
    )
    return run


@transaction.atomic
def confirm_import(*, user, run: ImportRun) -> ImportRun:
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if not can_import(user, run.academy, run.kind):
        raise TrainingError(
            _("Seul le rectorat de l'académie peut importer ce fichier."), status=403
        )
    if run.status != Status.CHECKED:
        raise TrainingError(
            _("Cet import n'attend pas de confirmation (%(status)s).")
            % {"status": run.get_status_display()},
            status=409,
        )
    if run.created_count + run.updated_count == 0:
        raise TrainingError(_("Aucune ligne à écrire : rien à confirmer."), status=409)
    run.status, run.confirmed_at = Status.CONFIRMED, timezone.now()
    run.save(update_fields=["status", "confirmed_at"])
    jobs.enqueue_on_commit(jobs.APPLY_IMPORT, run.pk)
    return run


def apply_run(*, run_id: int) -> ImportRun:
    """Write the valid lines, all in one transaction. The run's row lock makes a second
    delivery of the task wait, then find the run done and do nothing. A worker killed
    midway rolls everything back, the run stays confirmed, and the redelivered task
    writes it."""
    try:
        with transaction.atomic():
            run = (
                ImportRun.objects.select_for_update()
                .select_related("academy", "author")
                .get(pk=run_id)
            )
            if run.status != Status.CONFIRMED:
                return run
            importer = _importer(run)
            report = _reporter(run_id)
            plan = importer.plan(bytes(run.content), lambda d, t: report(d // 2, t))
            importer.apply(plan, lambda d, t: report(t + d, 2 * t) if t else None)
            _store(run, plan)
            run.status, run.applied_at = Status.DONE, timezone.now()
            run.save()
            return run
    except FileRefused as exc:
        ImportRun.objects.filter(pk=run_id, status=Status.CONFIRMED).update(
            status=Status.REFUSED, error=exc.message
        )
    except Exception:
        logger.exception("Import %s: apply failed", run_id)
        ImportRun.objects.filter(pk=run_id, status=Status.CONFIRMED).update(
            status=Status.FAILED,
            error=_("Erreur inattendue pendant l'écriture ; rien n'a été importé."),
        )
    return ImportRun.objects.get(pk=run_id)


# --- For the management commands: the same steps, synchronously ----------------------


def run_file(
    *,
    kind: str,
    academy: Academy,
    user,
    data: bytes,
    dry_run: bool,
    force: bool,
    complete: bool = False,
):
    """Plan ``data`` and, unless ``dry_run``, write it when no line is refused or when
    ``force`` (write the valid lines anyway). Returns ``(plan, written)``;
    ``FileRefused`` for a file refused as a whole."""
    importer = IMPORTERS[kind](academy=academy, user=user, complete=complete)
    with transaction.atomic():
        plan = importer.plan(data)
        nothing = not (plan.created or plan.updated or plan.deactivated)
        if dry_run or (plan.refused and not force) or nothing:
            transaction.set_rollback(True)
            return plan, False
        importer.apply(plan)
    return plan, True
