"""The ``training`` endpoints under ``/api/`` (mounted in ``config/api.py``)."""

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status
from ninja.pagination import paginate

from training import permissions, services
from training.models import District, School
from training.roles import roles_of, staff_of
from training.schemas.directory import AcademyOut, MeOut, RoleOut, SchoolFilter, SchoolIn, SchoolOut
from training.schemas.errors import errors
from training.schemas.fields import Uai

router = Router(tags=["annuaire"])


@router.get(
    "/me", response={200: MeOut, **errors(401)}, summary="La personne connectée et ses rôles"
)
def me(request):
    user = request.auth
    staff = staff_of(user)
    return MeOut(
        username=user.get_username(),
        first_name=user.first_name,
        last_name=user.last_name,
        email=user.email,
        staff_id=staff.staff_id if staff else None,
        roles=[
            RoleOut(
                code=role.code,
                label=role.label,
                school_uai=role.school.uai if role.school else None,
                school_name=role.school.name if role.school else None,
                academy_code=role.academy.code if role.academy else None,
                academy_name=role.academy.name if role.academy else None,
            )
            for role in roles_of(user)
        ],
    )


@router.get(
    "/academies", response={200: list[AcademyOut], **errors(401, 422)}, summary="Académies visibles"
)
@paginate
def list_academies(request):
    return permissions.visible_academies(request.auth).order_by("code")


@router.get(
    "/schools",
    response={200: list[SchoolOut], **errors(401, 422)},
    summary="Établissements visibles",
)
@paginate
def list_schools(request, filters: Query[SchoolFilter]):
    schools = permissions.visible_schools(request.auth).select_related("academy", "district")
    return filters.filter(schools).order_by("name", "uai")


@router.get(
    "/schools/{uai}",
    response={200: SchoolOut, **errors(401, 404, 422)},
    summary="Un établissement",
)
def get_school(request, uai: Uai):
    queryset = permissions.visible_schools(request.auth).select_related("academy", "district")
    return get_object_or_404(queryset, uai=uai.upper())


@router.post(
    "/schools",
    response={201: SchoolOut, **errors(400, 401, 403, 404, 422)},
    summary="Créer un établissement",
)
def create_school(request, payload: SchoolIn):
    academy = get_object_or_404(permissions.visible_academies(request.auth), code=payload.academy)
    district = None
    if payload.district_id is not None:
        district = get_object_or_404(District, pk=payload.district_id, academy=academy)
    school = services.create_school(
        user=request.auth,
        academy=academy,
        uai=payload.uai,
        name=payload.name,
        kind=payload.kind,
        district=district,
        city=payload.city,
    )
    return Status(201, School.objects.select_related("academy", "district").get(pk=school.pk))
