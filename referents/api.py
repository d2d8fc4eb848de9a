"""The référents under ``/api/referents/``: appointments, mission logs, the référent's
own year, *service fait*, payroll exports, the school's activity report, the académie's
summary and the network directory.

As the pages (``referents/views.py``, ``referents/summaries.py``): every object is looked
up through a scope (``referents.permissions.visible_appointments``, the head's schools,
the rectorate's académies); outside it, a 404. Inside it, the service decides: a
``ReferentError`` becomes its status with ``{"detail": …}`` (handler in
``config/api.py``).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from referents import services
from referents.errors import ReferentError
from referents.models import AllowanceInstalment, AllowanceScheme, Appointment, MissionLog
from referents.permissions import can_see_school_report, headed_schools, visible_appointments
from referents.reports import referent_dashboard, school_activity
from referents.schemas import (
    AppointIn,
    AppointmentFilter,
    AppointmentOut,
    CountOut,
    DashboardOut,
    DirectoryFilter,
    DirectoryRow,
    EndIn,
    InstalmentOut,
    LogFilter,
    LogIn,
    LogOut,
    MissionIn,
    MissionOut,
    MonthIn,
    PayrollExportOut,
    ReasonIn,
    ReportOut,
    SummaryOut,
    VolunteerIn,
    YearFilter,
)
from referents.summaries import academy_summaries, network_academies, rectorate_academies
from training import permissions
from training.models import School, SchoolYear, Session, Staff
from training.roles import staff_of

router = Router(tags=["référents numériques"])

_APPOINTMENT_RELATED = ("staff__user", "school", "school_year", "scheme")


# --- Lookups --------------------------------------------------------------------------


def _year(name: str | None) -> SchoolYear:
    if name:
        return get_object_or_404(SchoolYear, name=name)
    from referents.views import current_school_year

    return current_school_year()


def _appointment(user, pk: int) -> Appointment:
    return get_object_or_404(
        visible_appointments(user).select_related(*_APPOINTMENT_RELATED), pk=pk
    )


def _headed_school(user, uai: str) -> School:
    return get_object_or_404(headed_schools(user), uai=uai.upper())


def _readable_school(user, uai: str) -> School:
    school = get_object_or_404(School, uai=uai.upper())
    if not can_see_school_report(user, school):
        raise Http404
    return school


# --- Appointments ---------------------------------------------------------------------


@router.get("/appointments", response=list[AppointmentOut], summary="Désignations")
@paginate
def list_appointments(request, filters: Query[AppointmentFilter]):
    appointments = visible_appointments(request.auth).select_related(*_APPOINTMENT_RELATED)
    if filters.school:
        appointments = appointments.filter(school__uai=filters.school.upper())
    if filters.year:
        appointments = appointments.filter(school_year__name=filters.year)
    if filters.state:
        appointments = appointments.filter(state=filters.state)
    return appointments.order_by("-school_year__start", "school__uai", "pk")


@router.get("/appointments/{id}", response=AppointmentOut, summary="Une désignation")
def get_appointment(request, id: int):
    return _appointment(request.auth, id)


@router.post(
    "/appointments", response={201: AppointmentOut}, summary="Se porter candidat (année en cours)"
)
def volunteer(request, payload: VolunteerIn):
    appointment = services.volunteer(
        user=request.auth, school_year=_year(None), motivation=payload.motivation
    )
    return Status(201, _appointment(request.auth, appointment.pk))


@router.post("/appointments/{id}/appoint", response=AppointmentOut, summary="Nommer")
def appoint(request, id: int, payload: AppointIn):
    appointment = _appointment(request.auth, id)
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
    return _appointment(request.auth, id)


@router.post(
    "/appointments/{id}/decline", response=AppointmentOut, summary="Ne pas retenir la candidature"
)
def decline(request, id: int, payload: ReasonIn):
    services.decline(
        user=request.auth, appointment=_appointment(request.auth, id), reason=payload.reason
    )
    return _appointment(request.auth, id)


@router.post("/appointments/{id}/end", response=AppointmentOut, summary="Mettre fin à la mission")
def end(request, id: int, payload: EndIn):
    services.end_appointment(
        user=request.auth,
        appointment=_appointment(request.auth, id),
        end=payload.end,
        reason=payload.reason,
    )
    return _appointment(request.auth, id)


@router.put(
    "/schools/{uai}/mission",
    response=MissionOut,
    summary="Mission partagée entre deux référents, ou non",
)
def set_mission(request, uai: str, payload: MissionIn):
    school = _headed_school(request.auth, uai)
    mission = services.set_mission_shared(user=request.auth, school=school, shared=payload.shared)
    return {"school_uai": school.uai, "shared": mission.shared}


# --- Mission logs and the référent's year ---------------------------------------------


def _logs(user):
    return MissionLog.objects.filter(appointment__in=visible_appointments(user))


@router.get("/logs", response=list[LogOut], summary="Journaux de mission")
@paginate
def list_logs(request, filters: Query[LogFilter]):
    logs = _logs(request.auth).select_related("appointment__staff", "appointment__school")
    if filters.school:
        logs = logs.filter(appointment__school__uai=filters.school.upper())
    if filters.year:
        logs = logs.filter(appointment__school_year__name=filters.year)
    return logs.prefetch_related("colleagues").order_by("-date", "-pk")


@router.post("/logs", response={201: LogOut}, summary="Noter une mission")
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


@router.get("/me", response=DashboardOut, summary="Mon année de référent")
def my_year(request):
    staff = staff_of(request.auth)
    appointment = (
        Appointment.objects.active()
        .filter(staff=staff)
        .select_related(*_APPOINTMENT_RELATED)
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


# --- Service fait and payroll ---------------------------------------------------------


@router.get(
    "/schools/{uai}/instalments", response=list[InstalmentOut], summary="Mensualités du mois"
)
def school_instalments(request, uai: str, month: Query[MonthIn]):
    school = _readable_school(request.auth, uai)
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
    "/schools/{uai}/service-done", response=CountOut, summary="Attester le service fait du mois"
)
def service_done(request, uai: str, payload: MonthIn):
    school = _readable_school(request.auth, uai)
    count = services.confirm_service_done(
        user=request.auth, school=school, month=payload.month.replace(day=1)
    )
    return {"count": count}


def _managed_academy(user, code: str):
    return get_object_or_404(permissions.managed_academies(user), code=code)


@router.get(
    "/payroll/{code}/pending",
    response=list[InstalmentOut],
    summary="Mensualités à exporter en paie",
)
def pending_payroll(request, code: str):
    return services.pending_payroll(_managed_academy(request.auth, code))


@router.post(
    "/payroll/{code}/exports",
    response={201: PayrollExportOut},
    summary="Exporter en paie (marque les mensualités exportées)",
)
def export_payroll(request, code: str):
    academy = _managed_academy(request.auth, code)
    return Status(201, services.export_payroll(user=request.auth, academy=academy))


@router.get("/payroll/{code}/exports", response=list[PayrollExportOut], summary="Exports de paie")
@paginate
def list_payroll_exports(request, code: str):
    academy = _managed_academy(request.auth, code)
    return academy.payroll_exports.select_related("academy", "created_by")


# --- Report, summary, directory -------------------------------------------------------


@router.get("/reports/{uai}", response=ReportOut, summary="Rapport d'activité de l'établissement")
def report(request, uai: str, filters: Query[YearFilter]):
    school = _readable_school(request.auth, uai)
    year = _year(filters.year)
    data = school_activity(school, year)
    labels = {label: code for code, label in MissionLog.Category.choices}
    return {
        "school_uai": school.uai,
        "school_name": school.name,
        "school_year": year.name,
        "referents": data.appointments,
        "committed_cents": data.committed_cents,
        "paid_cents": data.paid_cents,
        "missions": [
            {"category": labels.get(label, label), "logs": n, "minutes": minutes}
            for label, n, minutes in data.missions
        ],
        "mission_minutes": data.mission_minutes,
        "training": [
            {
                "session_id": row["session"].pk,
                "title": str(row["session"]),
                "participants": row["participants"],
                "minutes": row["minutes"],
            }
            for row in data.training
        ],
        "colleagues_reached": data.colleagues_reached,
    }


def _bassin(row) -> dict:
    return {
        "bassin": row.name,
        "schools": row.schools,
        "covered": row.covered,
        "coverage_percent": row.coverage,
        "committed_cents": row.committed_cents,
        "paid_cents": row.paid_cents,
        "minutes": row.minutes,
    }


@router.get("/summary", response=list[SummaryOut], summary="Synthèse académique par bassin")
def summary(request, filters: Query[YearFilter]):
    academies = rectorate_academies(request.auth)
    if academies is None:
        raise Http404
    year = _year(filters.year)
    return [
        {
            "academy": s.academy.code,
            "school_year": year.name,
            "envelope_cents": s.envelope_cents,
            "remaining_cents": s.remaining_cents,
            "bassins": [_bassin(r) for r in s.rows],
            "total": _bassin(s.total),
        }
        for s in academy_summaries(request.auth, academies, year)
    ]


@router.get("/directory", response=list[DirectoryRow], summary="Réseau des référents")
@paginate
def directory(request, filters: Query[DirectoryFilter]):
    academies = network_academies(request.auth)
    if academies is None:
        raise Http404
    appointments = Appointment.objects.filter(
        school__academy__in=academies,
        school_year=_year(filters.year),
        state=Appointment.State.APPOINTED,
    ).select_related("staff__user", "school__district")
    if filters.bassin is not None:
        appointments = appointments.filter(school__district_id=filters.bassin)
    return appointments.order_by("school__district__name", "school__name", "pk")
