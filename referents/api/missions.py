"""Mission logs under ``/api/referents/logs``: read in scope, written by the référent."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from referents import services
from referents.errors import ReferentError
from referents.models import MissionLog
from referents.permissions import visible_appointments
from referents.schemas.missions import LogFilter, LogIn, LogOut
from training.models import Session, Staff
from training.roles import staff_of
from training.schemas.errors import errors

router = Router()


def _logs(user):
    return MissionLog.objects.filter(appointment__in=visible_appointments(user))


@router.get(
    "/logs",
    response={200: list[LogOut], **errors(401, 422)},
    summary="Journaux de mission",
    operation_id="referents_api_list_logs",
)
@paginate
def list_logs(request, filters: Query[LogFilter]):
    logs = _logs(request.auth).select_related("appointment__staff", "appointment__school")
    if filters.school:
        logs = logs.filter(appointment__school__uai=filters.school.upper())
    if filters.year:
        logs = logs.filter(appointment__school_year__name=filters.year)
    return logs.prefetch_related("colleagues").order_by("-date", "-pk")


@router.post(
    "/logs",
    response={201: LogOut, **errors(400, 401, 403, 422)},
    summary="Noter une mission",
    operation_id="referents_api_create_log",
)
def create_log(request, payload: LogIn):
    staff = staff_of(request.auth)
    colleagues = []
    if payload.colleagues:
        found = {
            s.staff_id: s
            for s in Staff.objects.filter(
                staff_id__in=payload.colleagues, school_id=staff.school_id if staff else None
            )
        }
        unknown = [code for code in payload.colleagues if code not in found]
        if unknown:
            raise ReferentError(
                _("Collègues inconnus dans votre établissement : %(ids)s.")
                % {"ids": ", ".join(unknown)},
                status=422,
            )
        colleagues = list(found.values())
    session = None
    if payload.session_id is not None:
        session = Session.objects.filter(trainers=request.auth, pk=payload.session_id).first()
        if session is None:
            raise ReferentError(_("Choisissez une session que vous animez."), status=422)
    log = services.log_mission(
        user=request.auth,
        date=payload.date,
        category=payload.category,
        minutes=payload.minutes,
        description=payload.description,
        colleagues=colleagues,
        session=session,
    )
    return Status(201, _logs(request.auth).select_related("appointment__staff").get(pk=log.pk))
