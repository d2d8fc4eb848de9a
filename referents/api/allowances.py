"""A school's instalments of a month and the head's *service fait*."""

from ninja import Query, Router

from referents import services
from referents.lookups import (
    readable_school_or_404,
)
from referents.models import AllowanceInstalment
from referents.permissions import visible_appointments
from referents.schemas.allowances import InstalmentOut, MonthIn, ServiceDoneOut
from training.schemas.errors import errors
from training.schemas.fields import Uai

router = Router()


@router.get(
    "/schools/{uai}/instalments",
    response={200: list[InstalmentOut], **errors(401, 404, 422)},
    summary="Mensualités du mois",
    operation_id="referents_api_school_instalments",
)
def school_instalments(request, uai: Uai, month: Query[MonthIn]):
    school = readable_school_or_404(request.auth, uai)
    return (
        AllowanceInstalment.objects.filter(
            appointment__in=visible_appointments(request.auth),
            appointment__school=school,
            month=month.month.replace(day=1),
        )
        .select_related("appointment__staff__user", "appointment__school")
        .order_by("appointment__staff__user__last_name", "pk")
    )


@router.post(
    "/schools/{uai}/service-done",
    response={200: ServiceDoneOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Attester le service fait du mois",
    operation_id="referents_api_service_done",
)
def service_done(request, uai: Uai, payload: MonthIn):
    school = readable_school_or_404(request.auth, uai)
    count = services.confirm_service_done(
        user=request.auth, school=school, month=payload.month.replace(day=1)
    )
    return {"count": count}
