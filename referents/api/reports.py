"""A school's activity report, the académie's summary per bassin, the network directory."""

from django.http import Http404
from ninja import Query, Router
from ninja.pagination import paginate

from referents.lookups import (
    readable_school_or_404,
    school_year_or_404,
)
from referents.models import Appointment, MissionLog
from referents.reports.activity import school_activity
from referents.reports.summaries import academy_summaries, network_academies, rectorate_academies
from referents.schemas.reports import (
    ActivityReportOut,
    DirectoryFilter,
    DirectoryRow,
    SummaryOut,
    YearFilter,
)
from training.schemas.errors import errors
from training.schemas.fields import Uai

router = Router()


@router.get(
    "/reports/{uai}",
    response={200: ActivityReportOut, **errors(401, 404, 422)},
    summary="Rapport d'activité de l'établissement",
    operation_id="referents_api_report",
)
def report(request, uai: Uai, filters: Query[YearFilter]):
    school = readable_school_or_404(request.auth, uai)
    year = school_year_or_404(filters.year)
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


@router.get(
    "/summary",
    response={200: list[SummaryOut], **errors(401, 404, 422)},
    summary="Synthèse académique par bassin",
    operation_id="referents_api_summary",
)
def summary(request, filters: Query[YearFilter]):
    academies = rectorate_academies(request.auth)
    if academies is None:
        raise Http404
    year = school_year_or_404(filters.year)
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


@router.get(
    "/directory",
    response={200: list[DirectoryRow], **errors(401, 404, 422)},
    summary="Réseau des référents",
    operation_id="referents_api_directory",
)
@paginate
def directory(request, filters: Query[DirectoryFilter]):
    academies = network_academies(request.auth)
    if academies is None:
        raise Http404
    appointments = Appointment.objects.filter(
        school__academy__in=academies,
        school_year=school_year_or_404(filters.year),
        state=Appointment.State.APPOINTED,
    ).select_related("staff__user", "school__district")
    if filters.bassin is not None:
        appointments = appointments.filter(school__district_id=filters.bassin)
    return appointments.order_by("school__district__name", "school__name", "pk")
