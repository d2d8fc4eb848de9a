"""School training plans and teachers' needs under ``/api/training/`` (mounted in
``config/api.py``).

As elsewhere: every object is looked up through a scope of
``training.services.school_plans`` (outside it, a 404); inside it, the service decides
(a ``TrainingError`` becomes its status with ``{"detail": …}``).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from training import permissions
from training.models import (
    Item,
    Modality,
    Module,
    Priority,
    SchoolPlan,
    SchoolPlanLine,
    SchoolYear,
    Staff,
    TrainingNeed,
)
from training.realisation import LineRealisation, plan_realisation
from training.records import C2I2E
from training.schemas.errors import errors
from training.schemas.fields import Code, FreeText, InSchema, StaffId, Uai, YearName
from training.services import school_plans as services
from training.services.school_plans import LineData

router = Router(tags=["plans de formation d'établissement"])

# --- Schemas --------------------------------------------------------------------------


class NeedIn(InSchema):
    theme: str = Field(..., min_length=1, max_length=200)
    description: FreeText = ""
    items: list[Code] = Field(default_factory=list, description="Codes d'items C2i2e (A.1-1…)")
    modality: Modality | None = None
    school_year: YearName | None = Field(None, description="2010-2011 ; vide : l'année en cours")


class NeedOut(Schema):
    id: int
    staff: str = Field(..., description="Identifiant agent (staff_id)")
    staff_name: str
    uai: str
    school_year: str
    theme: str
    description: str
    items: list[str]
    modality: str
    created_at: dt.datetime

    @staticmethod
    def resolve_staff(obj: TrainingNeed) -> str:
        return obj.staff.staff_id

    @staticmethod
    def resolve_staff_name(obj: TrainingNeed) -> str:
        return obj.staff.full_name

    @staticmethod
    def resolve_uai(obj: TrainingNeed) -> str:
        return obj.school.uai

    @staticmethod
    def resolve_school_year(obj: TrainingNeed) -> str:
        return obj.school_year.name

    @staticmethod
    def resolve_items(obj: TrainingNeed) -> list[str]:
        return [item.code for item in obj.items.all()]


class NeedFilter(Schema):
    school_year: YearName | None = None
    uai: Uai | None = None


class PlanIn(InSchema):
    uai: Uai
    school_year: YearName


class PlanFilter(Schema):
    school_year: YearName | None = None
    uai: Uai | None = None
    status: SchoolPlan.Status | None = None


class LineIn(InSchema):
    theme: str = Field("", max_length=200)
    module_id: int | None = None
    priority_code: Code | None = None
    planned_minutes: int = Field(..., ge=1, le=60 * 500)
    modality: Modality | None = None
    target_staff: list[StaffId] = Field(
        default_factory=list,
        description="Identifiants agents (staff_id) ; vide : tout l'établissement",
    )


class CommentIn(InSchema):
    comment: FreeText = ""


class LineOut(Schema):
    id: int
    theme: str
    module_id: int | None
    module_title: str | None
    priority_code: str | None
    planned_minutes: int
    modality: str
    target_staff: list[str]
    targets: int
    expected_minutes: int
    credited_minutes: int
    realised_minutes: int
    reached: int
    measurable: bool
    rate: float | None


class PlanEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    detail: str
    author: str
    at: dt.datetime


class PlanFields(Schema):
    id: int
    uai: str
    school: str
    school_year: str
    version: int
    status: str
    head_comment: str
    submitted_at: dt.datetime | None
    approved_at: dt.datetime | None


class PlanOut(PlanFields):
    @staticmethod
    def resolve_uai(obj: SchoolPlan) -> str:
        return obj.school.uai

    @staticmethod
    def resolve_school(obj: SchoolPlan) -> str:
        return obj.school.name

    @staticmethod
    def resolve_school_year(obj: SchoolPlan) -> str:
        return obj.school_year.name


class PlanDetailOut(PlanFields):
    lines: list[LineOut]
    events: list[PlanEventOut]
    expected_minutes: int
    realised_minutes: int
    rate: float | None


# --- Shaping --------------------------------------------------------------------------


def _plan_out(plan: SchoolPlan) -> dict:
    return {
        "id": plan.pk,
        "uai": plan.school.uai,
        "school": plan.school.name,
        "school_year": plan.school_year.name,
        "version": plan.version,
        "status": plan.status,
        "head_comment": plan.head_comment,
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
    }


def _line_out(row: LineRealisation) -> dict:
    line = row.line
    return {
        "id": line.pk,
        "theme": line.theme,
        "module_id": line.module_id,
        "module_title": line.module.title if line.module_id else None,
        "priority_code": line.priority.code if line.priority_id else None,
        "planned_minutes": line.planned_minutes,
        "modality": line.modality,
        "target_staff": sorted(s.staff_id for s in line.target_staff.all()),
        "targets": row.targets,
        "expected_minutes": row.expected_minutes,
        "credited_minutes": row.credited_minutes,
        "realised_minutes": row.realised_minutes,
        "reached": row.reached,
        "measurable": row.measurable,
        "rate": row.rate,
    }


def _plan_detail(plan: SchoolPlan) -> dict:
    realisation = plan_realisation(plan)
    lines = {
        line.pk: line
        for line in plan.lines.select_related("module", "priority").prefetch_related("target_staff")
    }
    for row in realisation.lines:
        row.line = lines[row.line.pk]
    return {
        **_plan_out(plan),
        "lines": [_line_out(row) for row in realisation.lines],
        "events": [
            {
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "detail": e.detail,
                "author": e.author.get_username(),
                "at": e.at,
            }
            for e in plan.events.select_related("author")
        ],
        "expected_minutes": realisation.expected_minutes,
        "realised_minutes": realisation.realised_minutes,
        "rate": realisation.rate,
    }


# --- Lookups --------------------------------------------------------------------------


def _school_year(name: str | None) -> SchoolYear:
    if not name:
        year = SchoolYear.objects.current()
        if year is None:
            raise ValidationError(_("Aucune année scolaire n'est définie."))
        return year
    year = SchoolYear.objects.filter(name=name.strip()).first()
    if year is None:
        raise ValidationError(_("Année scolaire inconnue : %(name)s.") % {"name": name})
    return year


def _plan(user, id: int) -> SchoolPlan:
    return get_object_or_404(
        permissions.visible_plans(user).select_related("school", "school_year"), pk=id
    )


def _line(user, id: int) -> SchoolPlanLine:
    return get_object_or_404(
        SchoolPlanLine.objects.filter(plan__in=permissions.visible_plans(user)).select_related(
            "plan__school", "plan__school_year"
        ),
        pk=id,
    )


def _line_data(plan: SchoolPlan, payload: LineIn) -> LineData:
    module = None
    if payload.module_id is not None:
        # A module of another académie or year is as unknown as a missing one.
        module = (
            Module.objects.filter(
                programme__academy_id=plan.school.academy_id,
                programme__school_year_id=plan.school_year_id,
            )
            .select_related("programme__priority")
            .filter(pk=payload.module_id)
            .first()
        )
        if module is None:
            raise ValidationError(_("Module inconnu : %(id)s.") % {"id": payload.module_id})
    priority = None
    if payload.priority_code:
        priority = Priority.objects.filter(
            plan__school_year_id=plan.school_year_id, code=payload.priority_code
        ).first()
        if priority is None:
            raise ValidationError(
                _("Priorité inconnue : %(code)s.") % {"code": payload.priority_code}
            )
    ids = [s.strip() for s in payload.target_staff]
    staff = list(Staff.objects.filter(school_id=plan.school_id, staff_id__in=ids))
    unknown = sorted(set(ids) - {s.staff_id for s in staff})
    if unknown:
        raise ValidationError(
            _("Personnel inconnu dans l'établissement : %(ids)s.") % {"ids": ", ".join(unknown)}
        )
    return LineData(
        theme=payload.theme,
        module=module,
        priority=priority,
        planned_minutes=payload.planned_minutes,
        modality=payload.modality or "",
        target_staff=staff,
    )


# --- Needs ----------------------------------------------------------------------------


@router.get(
    "/needs", response={200: list[NeedOut], **errors(401, 422)}, summary="Besoins de formation"
)
@paginate
def list_needs(request, filters: Query[NeedFilter]):
    needs = (
        permissions.visible_needs(request.auth)
        .select_related("staff__user", "school", "school_year")
        .prefetch_related("items")
        .order_by("-created_at", "-pk")
    )
    if filters.school_year:
        needs = needs.filter(school_year__name=filters.school_year)
    if filters.uai:
        needs = needs.filter(school__uai=filters.uai.strip().upper())
    return needs


@router.post(
    "/needs",
    response={201: NeedOut, **errors(400, 401, 403, 409, 422)},
    summary="Exprimer un besoin de formation",
)
def create_need(request, payload: NeedIn):
    codes = [c.strip() for c in payload.items]
    items = list(Item.objects.filter(domain__framework__code=C2I2E, code__in=codes))
    unknown = sorted(set(codes) - {i.code for i in items})
    if unknown:
        raise ValidationError(_("Item C2i2e inconnu : %(codes)s.") % {"codes": ", ".join(unknown)})
    need = services.submit_need(
        user=request.auth,
        theme=payload.theme,
        description=payload.description,
        items=items,
        modality=payload.modality or "",
        school_year=_school_year(payload.school_year),
    )
    return Status(
        201,
        TrainingNeed.objects.select_related("staff__user", "school", "school_year")
        .prefetch_related("items")
        .get(pk=need.pk),
    )


# --- Plans ----------------------------------------------------------------------------


@router.get(
    "/school-plans", response={200: list[PlanOut], **errors(401, 422)}, summary="Plans de formation"
)
@paginate
def list_plans(request, filters: Query[PlanFilter]):
    plans = (
        permissions.visible_plans(request.auth)
        .select_related("school", "school_year")
        .order_by("school_year__start", "school__name", "version")
    )
    if filters.school_year:
        plans = plans.filter(school_year__name=filters.school_year)
    if filters.uai:
        plans = plans.filter(school__uai=filters.uai.strip().upper())
    if filters.status:
        plans = plans.filter(status=filters.status)
    return plans


@router.post(
    "/school-plans",
    response={201: PlanDetailOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Commencer un plan",
)
def create_plan(request, payload: PlanIn):
    school = get_object_or_404(permissions.plan_schools(request.auth), uai=payload.uai.upper())
    plan = services.create_plan(
        user=request.auth, school=school, school_year=_school_year(payload.school_year)
    )
    return Status(201, _plan_detail(plan))


@router.get(
    "/school-plans/{int:id}",
    response={200: PlanDetailOut, **errors(401, 404)},
    summary="Un plan, sa réalisation",
)
def get_plan(request, id: int):
    return _plan_detail(_plan(request.auth, id))


@router.post(
    "/school-plans/{int:id}/lines",
    response={201: PlanDetailOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Ajouter une ligne",
)
def add_line(request, id: int, payload: LineIn):
    plan = _plan(request.auth, id)
    services.add_line(user=request.auth, plan=plan, data=_line_data(plan, payload))
    return Status(201, _plan_detail(plan))


@router.put(
    "/school-plans/lines/{int:id}",
    response={200: PlanDetailOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Modifier une ligne",
)
def update_line(request, id: int, payload: LineIn):
    line = _line(request.auth, id)
    services.update_line(user=request.auth, line=line, data=_line_data(line.plan, payload))
    return _plan_detail(line.plan)


@router.delete(
    "/school-plans/lines/{int:id}",
    response={200: PlanDetailOut, **errors(401, 403, 404, 409)},
    summary="Supprimer une ligne",
)
def remove_line(request, id: int):
    line = _line(request.auth, id)
    services.remove_line(user=request.auth, line=line)
    return _plan_detail(line.plan)


@router.post(
    "/school-plans/{int:id}/submit",
    response={200: PlanDetailOut, **errors(401, 403, 404, 409)},
    summary="Soumettre",
)
def submit_plan(request, id: int):
    plan = services.submit_plan(user=request.auth, plan=_plan(request.auth, id))
    return _plan_detail(plan)


@router.post(
    "/school-plans/{int:id}/return",
    response={200: PlanDetailOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Renvoyer",
)
def return_plan(request, id: int, payload: CommentIn):
    plan = services.return_plan(
        user=request.auth, plan=_plan(request.auth, id), comment=payload.comment
    )
    return _plan_detail(plan)


@router.post(
    "/school-plans/{int:id}/approve",
    response={200: PlanDetailOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Approuver",
)
def approve_plan(request, id: int, payload: CommentIn):
    plan = services.approve_plan(
        user=request.auth, plan=_plan(request.auth, id), comment=payload.comment
    )
    return _plan_detail(plan)


@router.post(
    "/school-plans/{int:id}/new-version",
    response={201: PlanDetailOut, **errors(401, 403, 404, 409)},
    summary="Ouvrir une nouvelle version",
)
def new_version(request, id: int):
    plan = services.open_new_version(user=request.auth, plan=_plan(request.auth, id))
    return Status(201, _plan_detail(plan))
