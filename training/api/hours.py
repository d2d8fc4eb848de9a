"""Attendance sheets, the hours record and C2i2e evidence under ``/api/training/``.

As in ``training/api/sessions.py``: every object is looked up through a scope of
``training.permissions`` (outside it, a 404); inside it, the service decides (a
``TrainingError`` becomes its status with ``{"detail": …}``). Reads of the ledger go
through ``training.records`` (aggregated in SQL).
"""

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from training import permissions, services
from training.api.pagination import PageNumberPagination
from training.errors import TrainingError
from training.models import (
    Attendance,
    HoursEntry,
    Item,
    SchoolYear,
    Slot,
    Staff,
)
from training.records import C2I2E, Record, teacher_record, with_hours
from training.roles import staff_of
from training.schemas.errors import errors
from training.schemas.fields import StaffId
from training.schemas.hours import (
    AttendanceIn,
    AttendanceOut,
    CountOut,
    DeclarationIn,
    HoursFilter,
    HoursRowOut,
    ItemsIn,
    RecordFilter,
    RecordOut,
    ReviewIn,
    SheetOut,
    ValidateItemsIn,
)
from training.services.attendance import can_take_attendance, trains

router = Router(tags=["heures de formation"])

# No Staff row has this primary key: an unknown staff_id reaches the service as a person
# not booked on the session, refused there after its own checks (rights, closed year).
_UNKNOWN_STAFF = -1

# --- Lookups --------------------------------------------------------------------------


def _visible_slot(user, pk: int) -> Slot:
    slots = Slot.objects.filter(session__in=permissions.visible_sessions(user)).select_related(
        "session__module__programme__academy"
    )
    return get_object_or_404(slots, pk=pk)


def _visible_attendance(user, pk: int) -> Attendance:
    attendances = Attendance.objects.filter(
        slot__session__in=permissions.visible_sessions(user)
    ).select_related("staff", "slot")
    return get_object_or_404(attendances, pk=pk)


def _reachable_staff(user, staff_id: str) -> Staff:
    """A person one may see (``visible_staff``) or trains; anyone else is a 404."""
    staff = Staff.objects.select_related("user", "school").filter(staff_id=staff_id.strip()).first()
    if staff is None:
        raise Http404
    if not (permissions.visible_staff(user).filter(pk=staff.pk).exists() or trains(user, staff)):
        raise Http404
    return staff


def _school_year(name: str | None) -> SchoolYear:
    if name:
        year = SchoolYear.objects.filter(name=name.strip()).first()
        if year is None:
            raise ValidationError(_("Année scolaire inconnue : %(name)s.") % {"name": name})
        return year
    year = SchoolYear.objects.current()
    if year is None:
        raise ValidationError(_("Aucune année scolaire n'est définie."))
    return year


def _items(codes: list[str]) -> list[Item]:
    codes = [code.strip() for code in codes]
    items = list(Item.objects.filter(domain__framework__code=C2I2E, code__in=codes))
    unknown = sorted(set(codes) - {item.code for item in items})
    if unknown:
        raise ValidationError(_("Item C2i2e inconnu : %(codes)s.") % {"codes": ", ".join(unknown)})
    return items


def _refuse_unless_taker(user, slot: Slot) -> None:
    if not can_take_attendance(user, slot.session):
        raise TrainingError(
            _("Seuls les formateurs de la session remplissent sa feuille d'émargement."), status=403
        )


# --- Outputs --------------------------------------------------------------------------


def _sheet(slot: Slot) -> dict:
    """The booked people of the slot's session, each with his mark and credited minutes
    (three queries whatever the size of the session)."""
    enrolments = (
        slot.session.enrolments.booked()
        .select_related("staff__user", "staff__school")
        .order_by("staff__user__last_name", "staff__user__first_name", "staff__pk")
    )
    marks = {a.staff_id: a for a in Attendance.objects.filter(slot=slot)}
    credited = dict(
        HoursEntry.objects.filter(slot=slot)
        .order_by()
        .values("staff")
        .annotate(total=Sum("minutes"))
        .values_list("staff", "total")
    )
    lines = []
    for enrolment in enrolments:
        staff = enrolment.staff
        mark = marks.get(staff.pk)
        lines.append(
            {
                "staff_id": staff.staff_id,
                "name": staff.full_name,
                "school_uai": staff.school.uai,
                "attendance_id": mark.pk if mark else None,
                "status": mark.status if mark else None,
                "status_label": mark.get_status_display() if mark else None,
                "minutes": mark.minutes if mark else 0,
                "declared_minutes": mark.declared_minutes if mark else None,
                "credited_minutes": credited.get(staff.pk) or 0,
            }
        )
    return {
        "slot_id": slot.pk,
        "session_id": slot.session_id,
        "modality": slot.modality,
        "start": slot.start,
        "end": slot.end,
        "length_minutes": slot.minutes,
        "lines": lines,
    }


def _attendance(attendance: Attendance) -> dict:
    return {
        "id": attendance.pk,
        "slot_id": attendance.slot_id,
        "staff_id": Staff.objects.values_list("staff_id", flat=True).get(pk=attendance.staff_id),
        "status": attendance.status,
        "status_label": attendance.get_status_display(),
        "minutes": attendance.minutes,
        "declared_minutes": attendance.declared_minutes,
    }


def _record(record: Record) -> dict:
    target, progress = record.target, record.c2i2e
    c2i2e = None
    if progress is not None:
        c2i2e = {
            "framework": progress.framework.code,
            "validated": progress.validated,
            "total": progress.total,
            "min_validated_items": progress.framework.min_validated_items,
            "max_missing_per_domain": progress.framework.max_missing_per_domain,
            "eligible": progress.eligible,
            "still_needed": progress.still_needed,
            "domains": [
                {
                    "code": d.code,
                    "title": d.title,
                    "validated": d.validated,
                    "total": d.total,
                    "missing": d.missing,
                    "missing_items": d.missing_items,
                    "ok": d.ok,
                }
                for d in progress.domains
            ],
        }
    return {
        "staff_id": record.staff.staff_id,
        "name": record.staff.full_name,
        "school_uai": record.staff.school.uai,
        "school_year": record.school_year.name,
        "closed": record.school_year.closed_at is not None,
        "total_minutes": record.total_minutes,
        "target_minutes": target.target_minutes if target else None,
        "min_training_minutes": target.min_training_minutes if target else None,
        "reached": record.target_reached,
        "missing_minutes": record.missing_minutes,
        "by_priority": [{"title": t, "minutes": m} for t, m in record.by_priority],
        "by_modality": record.by_modality,
        "lines": [
            {
                "slot_id": line.slot.pk,
                "session_id": line.slot.session_id,
                "start": line.slot.start,
                "modality": line.slot.modality,
                "minutes": line.minutes,
            }
            for line in record.lines
        ],
        "c2i2e": c2i2e,
    }


# --- Attendance -----------------------------------------------------------------------


@router.get(
    "/slots/{int:id}/attendance",
    response={200: SheetOut, **errors(401, 403, 404)},
    summary="Feuille d'émargement",
)
def get_attendance(request, id: int):
    slot = _visible_slot(request.auth, id)
    _refuse_unless_taker(request.auth, slot)
    return _sheet(slot)


@router.put(
    "/slots/{int:id}/attendance",
    response={200: SheetOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Saisir l'émargement",
)
def put_attendance(request, id: int, payload: AttendanceIn):
    slot = _visible_slot(request.auth, id)
    wanted = {mark.staff_id.strip() for mark in payload.marks}
    pks = dict(Staff.objects.filter(staff_id__in=wanted).values_list("staff_id", "pk"))
    marks = [
        services.Mark(
            staff_id=pks.get(mark.staff_id.strip(), _UNKNOWN_STAFF),
            status=mark.status,
            minutes=mark.minutes,
        )
        for mark in payload.marks
    ]
    services.record_attendance(user=request.auth, slot=slot, marks=marks, reason=payload.reason)
    return _sheet(slot)


@router.post(
    "/slots/{int:id}/attendance/all-present",
    response={200: SheetOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Tous présents",
)
def all_present(request, id: int):
    slot = _visible_slot(request.auth, id)
    services.mark_all_present(user=request.auth, slot=slot)
    return _sheet(slot)


@router.post(
    "/slots/{int:id}/declaration",
    response={201: AttendanceOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Déclarer un travail en ligne",
)
def declare(request, id: int, payload: DeclarationIn):
    slot = _visible_slot(request.auth, id)
    attendance = services.declare_work(user=request.auth, slot=slot, minutes=payload.minutes)
    return Status(201, _attendance(attendance))


@router.post(
    "/attendances/{int:id}/review",
    response={200: AttendanceOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Valider une déclaration",
)
def review(request, id: int, payload: ReviewIn):
    attendance = _visible_attendance(request.auth, id)
    attendance = services.review_declaration(
        user=request.auth, attendance=attendance, accept=payload.accept, reason=payload.reason
    )
    return _attendance(attendance)


# --- Records --------------------------------------------------------------------------


@router.get(
    "/record", response={200: RecordOut, **errors(401, 404, 422)}, summary="Mon relevé d'heures"
)
def own_record(request, filters: Query[RecordFilter]):
    staff = staff_of(request.auth)
    if staff is None:
        raise Http404
    return _record(teacher_record(staff, _school_year(filters.school_year)))


@router.get(
    "/staff/{staff_id}/record",
    response={200: RecordOut, **errors(401, 404, 422)},
    summary="Relevé d'heures",
)
def staff_record(request, staff_id: StaffId, filters: Query[RecordFilter]):
    staff = _reachable_staff(request.auth, staff_id)
    return _record(teacher_record(staff, _school_year(filters.school_year)))


# --- C2i2e ----------------------------------------------------------------------------


@router.post(
    "/staff/{staff_id}/items/validate",
    response={200: CountOut, **errors(400, 401, 403, 404, 409, 422)},
    summary="Valider des items C2i2e",
)
def validate_items(request, staff_id: StaffId, payload: ValidateItemsIn):
    user = request.auth
    staff = _reachable_staff(user, staff_id)
    session = None
    if payload.session_id is not None:
        session = get_object_or_404(permissions.visible_sessions(user), pk=payload.session_id)
    count = services.validate_items(
        user=user, staff=staff, items=_items(payload.items), session=session
    )
    return {"count": count}


@router.post(
    "/items/position",
    response={200: CountOut, **errors(400, 401, 403, 409, 422)},
    summary="Se positionner sur des items",
)
def position_items(request, payload: ItemsIn):
    return {"count": services.position_items(user=request.auth, items=_items(payload.items))}


# --- Hours of a list of people --------------------------------------------------------


@router.get(
    "/hours",
    response={200: list[HoursRowOut], **errors(401, 404, 422)},
    summary="Heures et items C2i2e par personne",
)
@paginate(PageNumberPagination, page_size=50, max_page_size=500)
def list_hours(request, filters: Query[HoursFilter]):
    user = request.auth
    year = _school_year(filters.school_year)
    staff = permissions.visible_staff(user)
    if filters.school:
        school = get_object_or_404(
            permissions.visible_schools(user), uai=filters.school.strip().upper()
        )
        staff = staff.filter(school=school)
    return with_hours(staff, year).order_by(
        "school__uai", "user__last_name", "user__first_name", "pk"
    )
