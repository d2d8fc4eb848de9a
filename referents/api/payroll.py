"""The rectorate's payroll: confirmed instalments, exports that mark them once."""

from django.shortcuts import get_object_or_404
from ninja import Router, Status
from ninja.pagination import paginate

from referents import services
from referents.schemas.allowances import InstalmentOut
from referents.schemas.payroll import PayrollExportOut
from training import permissions
from training.schemas.errors import errors
from training.schemas.fields import AcademyCode

router = Router()


def _managed_academy(user, code: str):
    return get_object_or_404(permissions.managed_academies(user), code=code)


@router.get(
    "/payroll/{code}/pending",
    response={200: list[InstalmentOut], **errors(401, 404, 422)},
    summary="Mensualités à exporter en paie",
    operation_id="referents_api_pending_payroll",
)
def pending_payroll(request, code: AcademyCode):
    return services.pending_payroll(_managed_academy(request.auth, code))


@router.post(
    "/payroll/{code}/exports",
    response={201: PayrollExportOut, **errors(401, 403, 404, 409, 422)},
    summary="Exporter en paie (marque les mensualités exportées)",
    operation_id="referents_api_export_payroll",
)
def export_payroll(request, code: AcademyCode):
    academy = _managed_academy(request.auth, code)
    return Status(201, services.export_payroll(user=request.auth, academy=academy))


@router.get(
    "/payroll/{code}/exports",
    response={200: list[PayrollExportOut], **errors(401, 404, 422)},
    summary="Exports de paie",
    operation_id="referents_api_list_payroll_exports",
)
@paginate
def list_payroll_exports(request, code: AcademyCode):
    academy = _managed_academy(request.auth, code)
    return academy.payroll_exports.select_related("academy", "created_by")
