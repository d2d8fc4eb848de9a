"""Dashboards of the audit (« Pilotage »): the académie's for its auditors and managers,
a school's for its head, the national one for the ministry; report exports (CSV, XLSX)
and the page of a background export with its progress bar.

Each dashboard is a list of report sections from ``training.reports.REGISTRY``, each
drawn as an inline SVG bar chart (no script, no CDN) followed by its data table, with
links to download the report. Reports are aggregated in SQL, so a dashboard costs the
same handful of queries whatever the size of the académie.

Scope: ``training.reports.report_scope``; outside it, a 404.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from training import trail
from training.errors import TrainingError
from training.formatting import number
from training.models import (
    Academy,
    Degree,
    District,
    ExportJob,
    Priority,
    School,
    SchoolKind,
    SchoolYear,
)
from training.reports import LABELS, REGISTRY, ReportFilters, parse_filters, report_scope
from training.services import exports

ACADEMY_SECTIONS = [
    "hours_by_priority",
    "hours_by_modality",
    "target_attainment",
    "hours_by_district",
    "c2i2e_progress",
    "c2i2e_distribution",
    "referent_coverage_by_district",
    "referent_coverage",
    "referent_allowances",
    "referent_training",
]
SCHOOL_SECTIONS = [
    "hours_by_priority",
    "hours_by_modality",
    "c2i2e_progress",
    "c2i2e_distribution",
    "hours_by_teacher",
]
NATIONAL_SECTIONS = [
    "hours_by_academy",
    "target_by_academy",
    "hours_by_priority",
    "hours_by_modality",
    "c2i2e_distribution",
    "referent_coverage_by_academy",
    "referent_allowances_by_academy",
]
# Other reports one may download from the dashboards (not drawn).
EXTRA_EXPORTS = ["hours_by_school", "hours_by_teacher"]
TABLE_MAX_ROWS = 200
CHART_MAX_BARS = 40


# The chart's geometry (viewBox 720 wide): labels right-aligned before BAR_X, bars up to
# BAR_WIDTH, the value after the bar.
BAR_X, BAR_WIDTH = 340, 320


def _short(label: str, size: int = 40) -> str:
    """A bar's label as it fits left of the bar (the whole label is in its tooltip)."""
    return label if len(label) <= size else label[: size - 1].rstrip() + "…"


def chart(frame, label: str, value: str) -> dict | None:
    """Bars for an inline SVG: one per row (the first ``CHART_MAX_BARS``), widths
    relative to the largest value."""
    if frame.empty or label not in frame or value not in frame:
        return None
    data = frame[[label, value]].head(CHART_MAX_BARS)
    values = [0 if (v is None or v != v) else v for v in data[value].tolist()]
    top = max((abs(v) for v in values), default=0) or 1
    bar_height, gap = 20, 6
    bars = [
        {
            "label": _short(str(name)),
            "full_label": str(name),
            "value": number(v),
            "width": round(BAR_WIDTH * max(v, 0) / top, 1),
            "y": i * (bar_height + gap),
            "text_y": i * (bar_height + gap) + 14,
            "text_x": BAR_X + 6 + round(BAR_WIDTH * max(v, 0) / top, 1),
        }
        for i, (name, v) in enumerate(zip(data[label].tolist(), values, strict=True))
    ]
    return {
        "bars": bars,
        "label_x": BAR_X - 10,
        "bar_x": BAR_X,
        "height": len(bars) * (bar_height + gap),
        "bar_height": bar_height,
        "value_label": str(LABELS.get(value, value)),
    }


def _section(key: str, user, filters: ReportFilters, query: str) -> dict | None:
    spec = REGISTRY.get(key)
    if spec is None:
        return None
    frame = spec.builder(user, filters)
    shown = spec.shown(frame)  # what a person reads: no internal codes
    rows = [[number(v) for v in row] for row in shown.head(TABLE_MAX_ROWS).itertuples(index=False)]
    return {
        "key": key,
        "title": str(spec.title),
        "chart": chart(frame, *spec.chart) if spec.chart else None,
        "header": spec.header(shown.columns),
        "rows": rows,
        "truncated": len(frame) > TABLE_MAX_ROWS,
        "total_rows": len(frame),
        "csv": _export_url(key, "csv", query),
        "xlsx": _export_url(key, "xlsx", query),
    }


def _export_url(key: str, fmt: str, query: str) -> str:
    url = reverse("training:audit_export", args=[key, fmt])
    return f"{url}?{query}" if query else url


def _filters_or_404(request, **fixed) -> ReportFilters:
    try:
        return parse_filters(request.user, request.GET, **fixed)
    except TrainingError as exc:
        raise Http404(exc.message) from None


def _render_dashboard(
    request, *, title, filters, sections, districts, fixed_query, scope_name, academies=()
):
    query_dict = filters.to_query()
    query = urlencode(query_dict)
    built = [s for key in sections if (s := _section(key, request.user, filters, query))]
    extra = [
        {
            "title": str(REGISTRY[k].title),
            "csv": _export_url(k, "csv", query),
            "xlsx": _export_url(k, "xlsx", query),
        }
        for k in EXTRA_EXPORTS
        if k in REGISTRY and k not in sections
    ]
    return render(
        request,
        "training/audit/dashboard.html",
        {
            "title": title,
            "scope_name": scope_name,
            "filters": filters,
            "fixed_query": fixed_query,
            "years": SchoolYear.objects.order_by("-start"),
            "degrees": Degree.choices,
            "kinds": SchoolKind.choices,
            "districts": districts,
            "priorities": Priority.objects.filter(plan__school_year=filters.school_year).order_by(
                "order"
            ),
            "sections": built,
            "extra_exports": extra,
            "academies": academies,
        },
    )


def _rectorate_academies(user):
    scope = report_scope(user)
    if scope is None:
        return None
    if scope.everything:
        return Academy.objects.all()
    if not scope.academy_ids:
        return None
    return Academy.objects.filter(pk__in=scope.academy_ids)


@login_required
def academy_dashboard(request):
    """The académie's dashboard (``?academie=<code>`` for the ministry or a person of
    several rectorates)."""
    academies = _rectorate_academies(request.user)
    if academies is None:
        raise Http404
    code = request.GET.get("academie", "").strip()
    academy = academies.filter(code=code).first() if code else academies.order_by("code").first()
    if academy is None:
        raise Http404
    filters = _filters_or_404(request, academy=academy)
    return _render_dashboard(
        request,
        title=_("Pilotage de l'académie de %(name)s") % {"name": academy.name},
        filters=filters,
        sections=ACADEMY_SECTIONS,
        districts=District.objects.filter(academy=academy).order_by("kind", "name"),
        fixed_query={"academie": academy.code},
        scope_name=academy.name,
    )


@login_required
def school_dashboard(request, uai: str):
    """A school's dashboard: its head, its académie's rectorate, the ministry."""
    scope = report_scope(request.user)
    if scope is None:
        raise Http404
    school = get_object_or_404(School.objects.select_related("academy"), uai=uai.upper())
    if not (
        scope.everything or school.academy_id in scope.academy_ids or school.pk in scope.school_ids
    ):
        raise Http404
    filters = _filters_or_404(request, school=school)
    return _render_dashboard(
        request,
        title=_("Pilotage : %(name)s") % {"name": school.name},
        filters=filters,
        sections=SCHOOL_SECTIONS,
        districts=None,
        fixed_query={"uai": school.uai},
        scope_name=f"{school.name} ({school.uai})",
    )


@login_required
def national_dashboard(request):
    scope = report_scope(request.user)
    if scope is None or not scope.everything:
        raise Http404
    filters = _filters_or_404(request)
    return _render_dashboard(
        request,
        title=_("Pilotage national"),
        filters=filters,
        sections=NATIONAL_SECTIONS,
        districts=None,
        fixed_query={},
        scope_name=_("Toutes les académies"),
        # Each académie's own dashboard, for the same year.
        academies=Academy.objects.order_by("name"),
    )


@login_required
def pilotage(request):
    """The « Pilotage » menu entry: the dashboard matching the person's widest scope."""
    scope = report_scope(request.user)
    if scope is None:
        raise Http404
    if scope.everything:
        return redirect("training:audit_national")
    if scope.academy_ids:
        return redirect("training:audit_academy")
    school = School.objects.filter(pk__in=scope.school_ids).order_by("name").first()
    if school is None:
        raise Http404
    return redirect("training:audit_school", uai=school.uai)


# --- Exports --------------------------------------------------------------------------------


@login_required
def export(request, key: str, fmt: str):
    """A report as CSV or XLSX: written right away when small, else an export job (a
    Celery task) whose page shows the progress."""
    if report_scope(request.user) is None or key not in REGISTRY or fmt not in exports.FORMATS:
        raise Http404
    filters = _filters_or_404(request)
    if exports.is_large(key, request.user, filters):
        job = exports.start_export(user=request.user, key=key, filters=filters, fmt=fmt)
        return redirect("training:audit_job", pk=job.pk)
    buffer = io.BytesIO()
    exports.write_report(key, request.user, filters, fmt, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=exports.CONTENT_TYPES[fmt])
    name = exports.filename(key, filters, fmt)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _own_job(request, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob, pk=pk, author=request.user)


@login_required
def job_page(request, pk: int):
    job = _own_job(request, pk)
    spec = REGISTRY.get(job.report)
    return render(
        request,
        "training/audit/job.html",
        {
            "title": _("Export en cours"),
            "job": job,
            "report_title": str(spec.title) if spec else job.report,
            "status_url": reverse("training:audit_job_status", args=[job.pk]),
            "download_url": reverse("training:audit_job_download", args=[job.pk]),
        },
    )


@login_required
def job_status(request, pk: int):
    job = _own_job(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": str(job.get_status_display()),
            "progress": job.progress,
            "rows": job.rows,
            "download_url": (
                reverse("training:audit_job_download", args=[job.pk])
                if job.status == ExportJob.Status.DONE
                else None
            ),
            "error": job.error or None,
        }
    )


@login_required
def job_download(request, pk: int):
    job = _own_job(request, pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    name = job.file.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=exports.CONTENT_TYPES.get(job.format),
    )


@login_required
def trail_search(request):
    """The trail of the académie (auditors, managers, the ministry): ``?objet=`` a kind of
    object, ``?id=`` its identifier, ``?personne=`` who made the change, newest first."""
    academies = _rectorate_academies(request.user)
    if academies is None:
        raise Http404
    entries = trail.entries_of_academies(list(academies.values_list("pk", flat=True)))
    kind = request.GET.get("objet", "")
    kinds = trail.followed_kinds()
    if kind in kinds:
        entries = entries.filter(content_type=kinds[kind][1])
    object_id = request.GET.get("id", "")
    if object_id.isdigit():
        entries = entries.filter(object_id=int(object_id))
    person = request.GET.get("personne", "").strip()
    if person:
        entries = entries.filter(
            Q(actor__username__icontains=person) | Q(actor__last_name__icontains=person)
        )
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "training/audit/trail.html",
        {
            "title": _("Historique des modifications"),
            "page": page,
            "trail": [(e, trail.action_label(e), trail.describe(e)) for e in page],
            "kinds": [(key, label) for key, (label, _ct) in kinds.items()],
            "kind": kind,
            "object_id": object_id,
            "person": person,
        },
    )
