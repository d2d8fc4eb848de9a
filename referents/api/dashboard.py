"""The référent's own year under ``/api/referents/me``."""

from django.http import Http404
from ninja import Router

from referents.lookups import (
    APPOINTMENT_RELATED,
)
from referents.models import Appointment
from referents.reports.activity import referent_dashboard
from referents.schemas.dashboard import DashboardOut
from training.roles import staff_of
from training.schemas.errors import errors

router = Router()


@router.get(
    "/me",
    response={200: DashboardOut, **errors(401, 404)},
    summary="Mon année de référent",
    operation_id="referents_api_my_year",
)
def my_year(request):
    staff = staff_of(request.auth)
    appointment = (
        Appointment.objects.active()
        .filter(staff=staff)
        .select_related(*APPOINTMENT_RELATED)
        .first()
        if staff is not None
        else None
    )
    if appointment is None:
        raise Http404
    data = referent_dashboard(appointment)
    return {
        "appointment": appointment,
        "by_category": [
            {"category": code, "label": label, "minutes": minutes}
            for code, label, minutes in data.by_category
        ],
        "sessions": [
            {
                "id": s.pk,
                "title": str(s),
                "first_slot_start": s.first_slot_start,
                "booked": s.booked_count,
            }
            for s in data.sessions
        ],
        "logs": data.logs,
        "instalments": data.instalments,
    }
