"""Audit reports as JSON under ``/api/audit/``, scoped like the dashboards: the ministry
everything, the rectorate its académie, a head his school; anyone else a 404.

Rows are paginated (``limit``/``offset``) since the per-person report of an académie
has ~100 000 of them.
"""

from __future__ import annotations

import math

from django.http import Http404
from ninja import Field, Query, Router, Schema

from training.errors import TrainingError
from training.reports import REGISTRY, parse_filters, report_scope
from training.schemas.errors import errors
from training.schemas.fields import AcademyCode, Code, Uai, YearName

router = Router(tags=["audit"])


class ReportQuery(Schema):
    annee: YearName | None = Field(None, description="Année scolaire, ex. 2010-2011")
    academie: AcademyCode | None = Field(None, description="Code de l'académie, ex. 25")
    degre: int | None = Field(None, ge=1, le=2)
    bassin: int | None = Field(None, description="Identifiant du bassin ou de la circonscription")
    type: Code | None = Field(None, description="Type d'établissement, ex. college")
    priorite: int | None = Field(None, description="Identifiant de la priorité du plan")
    uai: Uai | None = None
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class ColumnOut(Schema):
    key: str
    label: str


class ReportListOut(Schema):
    key: str
    title: str


class AuditReportOut(Schema):
    key: str
    title: str
    school_year: str
    columns: list[ColumnOut]
    count: int
    rows: list[dict]


def _clean(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@router.get("/reports", response={200: list[ReportListOut], **errors(401, 404)})
def list_reports(request):
    if report_scope(request.user) is None:
        raise Http404
    return [{"key": key, "title": str(spec.title)} for key, spec in REGISTRY.items()]


@router.get("/reports/{key}", response={200: AuditReportOut, **errors(401, 404, 422)})
def get_report(request, key: Code, query: Query[ReportQuery]):
    """One report's rows for the filters (same parameters as the dashboards)."""
    if report_scope(request.user) is None or key not in REGISTRY:
        raise Http404
    params = query.dict(exclude={"limit", "offset"}, exclude_none=True)
    try:
        filters = parse_filters(request.user, params)
    except TrainingError as exc:
        if exc.status == 404:
            raise Http404 from None
        raise
    spec = REGISTRY[key]
    frame = spec.builder(request.user, filters)
    page = frame.iloc[query.offset : query.offset + query.limit]
    return {
        "key": key,
        "title": str(spec.title),
        "school_year": filters.school_year.name,
        "columns": [
            {"key": c, "label": label}
            for c, label in zip(frame.columns, spec.header(frame.columns), strict=True)
        ],
        "count": len(frame),
        "rows": [
            {k: _clean(v) for k, v in zip(frame.columns, row, strict=True)}
            for row in page.itertuples(index=False, name=None)
        ],
    }
