"""Appointments under ``/api/referents/``: candidatures, appointment, refusal, end, and a
school's shared mission.
"""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from referents import services
from referents.errors import ReferentError
from referents.lookups import (
    APPOINTMENT_RELATED,
    headed_school_or_404,
    school_year_or_404,
    visible_appointment_or_404,
)
from referents.models import AllowanceScheme
from referents.permissions import visible_appointments
from referents.schemas.appointments import (
    AppointIn,
    AppointmentFilter,
    AppointmentOut,
    DeclineIn,
    EndIn,
    MissionIn,
    MissionOut,
    VolunteerIn,
)
from training.schemas.errors import errors
from training.schemas.fields import Uai

router = Router()


@router.get(
    "/appointments",
    response={200: list[AppointmentOut], **errors(401, 422)},
    summary="Désignations",
    operation_id="referents_api_list_appointments",
)
@paginate
def list_appointments(request, filters: Query[AppointmentFilter]):
    appointments = visible_appointments(request.auth).select_related(*APPOINTMENT_RELATED)
    if filters.school:
        appointments = appointments.filter(school__uai=filters.school.upper())
    if filters.year:
        appointments = appointments.filter(school_year__name=filters.year)
    if filters.state:
        appointments = appointments.filter(state=filters.state)
    return appointments.order_by("-school_year__start", "school__uai", "pk")


@router.get(
    "/appointments/{id}",
    response={200: AppointmentOut, **errors(401, 404, 422)},
    summary="Une désignation",
    operation_id="referents_api_get_appointment",
)
def get_appointment(request, id: int):
    return visible_appointment_or_404(request.auth, id)


@router.post(
    "/appointments",
    response={201: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Se porter candidat (année en cours)",
    operation_id="referents_api_volunteer",
)
def volunteer(request, payload: VolunteerIn):
    appointment = services.volunteer(
        user=request.auth, school_year=school_year_or_404(None), motivation=payload.motivation
    )
    return Status(201, visible_appointment_or_404(request.auth, appointment.pk))


@router.post(
    "/appointments/{id}/appoint",
    response={200: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Nommer",
    operation_id="referents_api_appoint",
)
def appoint(request, id: int, payload: AppointIn):
    appointment = visible_appointment_or_404(request.auth, id)
    scheme = AllowanceScheme.objects.filter(code=payload.scheme).first()
    if scheme is None:
        raise ReferentError(
            _("Régime d'indemnité inconnu : %(code)s.") % {"code": payload.scheme}, status=422
        )
    services.appoint(
        user=request.auth,
        appointment=appointment,
        scheme=scheme,
        annual_cents=payload.annual_cents,
        mission_letter=payload.mission_letter,
        start=payload.start,
    )
    return visible_appointment_or_404(request.auth, id)


@router.post(
    "/appointments/{id}/decline",
    response={200: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Ne pas retenir la candidature",
    operation_id="referents_api_decline",
)
def decline(request, id: int, payload: DeclineIn):
    services.decline(
        user=request.auth,
        appointment=visible_appointment_or_404(request.auth, id),
        reason=payload.reason,
    )
    return visible_appointment_or_404(request.auth, id)


@router.post(
    "/appointments/{id}/end",
    response={200: AppointmentOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Mettre fin à la mission",
    operation_id="referents_api_end",
)
def end(request, id: int, payload: EndIn):
    services.end_appointment(
        user=request.auth,
        appointment=visible_appointment_or_404(request.auth, id),
        end=payload.end,
        reason=payload.reason,
    )
    return visible_appointment_or_404(request.auth, id)


@router.put(
    "/schools/{uai}/mission",
    response={200: MissionOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Mission partagée entre deux référents, ou non",
    operation_id="referents_api_set_mission",
)
def set_mission(request, uai: Uai, payload: MissionIn):
    school = headed_school_or_404(request.auth, uai)
    mission = services.set_mission_shared(user=request.auth, school=school, shared=payload.shared)
    return {"school_uai": school.uai, "shared": mission.shared}
