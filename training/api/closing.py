"""Anomalies and the closing of a school year under ``/api/audit/`` (beside the reports).

Only the rectorate (auditors and managers of an académie) and the ministry: anyone else
gets a 404, as for any object outside his scope. The services decide the rest.
"""

import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from training.api.pagination import PageNumberPagination
from training.models import Anomaly, SchoolYear
from training.schemas.errors import errors
from training.schemas.fields import AcademyCode, Code, InSchema, YearName
from training.services import closing
from training.services.anomalies import label_of

router = Router(tags=["contrôle et clôture"])


class AnomalyFilter(Schema):
    school_year: YearName = Field(..., description="2010-2011")
    academy: AcademyCode | None = Field(None, description="code de l'académie")
    code: Code | None = None
    resolved: bool = False


class AnomalyOut(Schema):
    id: int
    academy: str = Field(..., alias="academy.code")
    school_year: str = Field(..., alias="school_year.name")
    code: str
    label: str
    message: str
    url: str
    found_at: dt.datetime
    resolved_at: dt.datetime | None

    @staticmethod
    def resolve_label(obj) -> str:
        return label_of(obj.code)


class ClosureIn(InSchema):
    school_year: YearName = Field(..., description="2010-2011")
    academy: AcademyCode | None = Field(
        None, description="code de l'académie ; vide : toutes (ministère seulement)"
    )
    confirm: bool = Field(False, description="clore malgré des anomalies ouvertes")


class ClosureOut(Schema):
    academy: str
    school_year: str
    closed_at: dt.datetime
    open_anomalies: int


def _scope(request):
    academies = closing.audited_academies(request.user)
    if not academies.exists():
        raise Http404
    return academies


@router.get("/anomalies", response={200: list[AnomalyOut], **errors(401, 404, 422)})
@paginate(PageNumberPagination)
def list_anomalies(request, filters: Query[AnomalyFilter]):
    academies = _scope(request)
    year = get_object_or_404(SchoolYear, name=filters.school_year)
    rows = Anomaly.objects.filter(school_year=year, academy__in=academies)
    if filters.academy:
        rows = rows.filter(academy__code=filters.academy)
    if filters.code:
        rows = rows.filter(code=filters.code)
    rows = rows.filter(resolved_at__isnull=not filters.resolved)
    return rows.select_related("academy", "school_year").order_by("code", "pk")


@router.post("/closures", response={201: list[ClosureOut], **errors(400, 401, 403, 404, 409, 422)})
def close_year(request, payload: ClosureIn):
    academies = _scope(request)
    year = get_object_or_404(SchoolYear, name=payload.school_year)
    if payload.academy:
        academy = get_object_or_404(academies, code=payload.academy)
        closures = [
            closing.close_academy_year(
                user=request.user, academy=academy, school_year=year, confirm=payload.confirm
            )
        ]
    else:
        closures = closing.close_year_nationally(
            user=request.user, school_year=year, confirm=payload.confirm
        )
    return Status(
        201,
        [
            ClosureOut(
                academy=c.academy.code,
                school_year=year.name,
                closed_at=c.closed_at,
                open_anomalies=c.open_anomalies,
            )
            for c in closures
        ],
    )
