"""Imports page: upload a file, see the dry run and its refused lines, confirm.

URL → view → ``training.imports.runner`` (the service) → ``ImportRun``. Runs are scoped
to the académies the person imports for; another académie's run is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from training.errors import TrainingError
from training.forms import ImportForm
from training.imports import IMPORTERS, runner
from training.models import ImportRun
from training.spreadsheets import CSV, file_response


def _kinds(user) -> list[tuple[str, str]]:
    return [
        (kind, label)
        for kind, label in ImportRun.Kind.choices
        if runner.importing_academies(user, kind).exists()
    ]


@login_required
def import_list(request):
    academies = runner.importing_academies(request.user)
    if not academies.exists():
        raise Http404
    kinds = _kinds(request.user)
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, academies=academies, kinds=kinds)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                run = runner.start_import(
                    user=request.user,
                    academy=form.cleaned_data["academy"],
                    kind=form.cleaned_data["kind"],
                    filename=upload.name,
                    data=upload.read(),
                    complete=form.cleaned_data["complete"],
                )
            except TrainingError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("training:import_detail", pk=run.pk)
    else:
        form = ImportForm(academies=academies, kinds=kinds)
    runs = (
        runner.visible_runs(request.user).select_related("academy", "author").defer("content")[:50]
    )
    return render(
        request,
        "training/imports/list.html",
        {"form": form, "runs": runs, "formats": _formats(kinds)},
    )


def _formats(kinds) -> list[tuple[str, list[tuple[str, bool]]]]:
    """The columns each kind of file needs (name, required), shown on the page so that
    a person can check his file before uploading it. Headers are matched without case
    or accents, and common aliases are accepted (see ``training/imports``)."""
    return [
        (label, [(column.name, column.required) for column in IMPORTERS[kind].columns])
        for kind, label in kinds
    ]


def _run(request, pk: int) -> ImportRun:
    return get_object_or_404(
        runner.visible_runs(request.user).select_related("academy", "author").defer("content"),
        pk=pk,
    )


@login_required
@require_GET
def import_detail(request, pk: int):
    run = _run(request, pk)
    context = {
        "run": run,
        "progress": runner.progress_of(run),
        "can_confirm": run.status == ImportRun.Status.CHECKED
        and run.created_count + run.updated_count > 0
        and runner.can_import(request.user, run.academy, run.kind),
        "refused": run.refused_lines[:1000],
    }
    return render(request, "training/imports/detail.html", context)


@login_required
@require_GET
def import_status(request, pk: int):
    run = _run(request, pk)
    return JsonResponse(
        {
            "status": run.status,
            "label": run.get_status_display(),
            "progress": runner.progress_of(run),
            "busy": run.is_busy,
        },
        headers={"Cache-Control": "no-store"},
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    run = _run(request, pk)
    try:
        runner.confirm_import(user=request.user, run=run)
    except TrainingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Import confirmé : les lignes valides sont en cours d'écriture.")
        )
    return redirect("training:import_detail", pk=run.pk)


@login_required
@require_GET
def import_report(request, pk: int):
    """The refused lines as CSV (``;``, UTF-8 with BOM: what French spreadsheets open)."""
    run = _run(request, pk)
    rows = [[_("Ligne"), _("Motif du refus")]]
    rows += [[refusal["line"], refusal["reason"]] for refusal in run.refused_lines]
    return file_response(rows, CSV, f"import-{run.pk}-refus")
